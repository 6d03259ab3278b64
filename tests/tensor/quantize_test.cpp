// Reference quantizers: known bytes for hand-worked blocks (ggml's rounding rules), and
// quantize -> dequantize error bounds on random rows.
#include "tensor/quantize.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tensor/dequantize.h"
#include "util/half.h"

namespace mynah::tensor {
namespace {

using gguf::GgmlType;

TEST(QuantizeQ8_0, HandComputedBlock) {
  float x[32];
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j - 16);  // amax 16
  BlockQ8_0 block = {};
  quantize_row_q8_0(x, &block, 32);
  // d = 16 / 127 = 0.125984...; as fp16: exponent -3, mantissa round(0.007874 * 1024) = 8.
  EXPECT_EQ(block.d, 0x3008);
  // id = 1 / d = 7.9375: -16 -> -127, -1 -> -7.9375 -> -8, 15 -> 119.06 -> 119.
  EXPECT_EQ(block.qs[0], -127);
  EXPECT_EQ(block.qs[15], -8);
  EXPECT_EQ(block.qs[16], 0);
  EXPECT_EQ(block.qs[31], 119);
}

TEST(QuantizeQ8_0, TiesRoundAwayFromZero) {
  float x[32] = {127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 1.5f, 126.5f, -126.5f};  // d = 1, id = 1
  BlockQ8_0 block = {};
  quantize_row_q8_0(x, &block, 32);
  EXPECT_EQ(block.d, 0x3c00);
  const int8_t expected[8] = {127, 3, -3, 1, -1, 2, 127, -127};
  for (int j = 0; j < 8; ++j) EXPECT_EQ(block.qs[j], expected[j]) << j;
}

TEST(QuantizeQ8_0, ZeroBlock) {
  float x[32] = {};
  BlockQ8_0 block;
  block.d = 0x1234;
  quantize_row_q8_0(x, &block, 32);
  EXPECT_EQ(block.d, 0);
  for (int8_t q : block.qs) EXPECT_EQ(q, 0);
}

TEST(QuantizeQ4_0, HandComputedBlock) {
  // max = -8 (largest magnitude, negative) -> d = 1, id = 1, q = min(15, (int8)(x + 8.5)).
  float x[32] = {-8.0f, 0.0f, 7.0f, 7.6f, 0.49f, 0.5f, -0.5f, -7.9f};
  x[16] = 3.0f;
  x[17] = -3.2f;
  BlockQ4_0 block = {};
  quantize_row_q4_0(x, &block, 32);
  EXPECT_EQ(block.d, 0x3c00);
  const int low[8] = {0, 8, 15, 15, 8, 9, 8, 0};
  for (int j = 0; j < 8; ++j) EXPECT_EQ(block.qs[j] & 0x0f, low[j]) << j;
  EXPECT_EQ(block.qs[0] >> 4, 11);  // 3 + 8.5 = 11.5 -> 11
  EXPECT_EQ(block.qs[1] >> 4, 5);   // -3.2 + 8.5 = 5.3 -> 5
  EXPECT_EQ(block.qs[2] >> 4, 8);   // 0 -> 8
}

TEST(QuantizeQ4_0, PositiveMaxGetsNegativeScale) {
  float x[32] = {4.0f, -2.0f};  // max = 4 -> d = -0.5, id = -2
  BlockQ4_0 block = {};
  quantize_row_q4_0(x, &block, 32);
  EXPECT_EQ(block.d, 0xb800);              // -0.5
  EXPECT_EQ(block.qs[0] & 0x0f, 0);        // 4 * -2 + 8.5 = 0.5 -> 0 -> (0 - 8) * -0.5 = 4
  EXPECT_EQ(block.qs[1] & 0x0f, 12);       // -2 * -2 + 8.5 = 12.5 -> 12 -> -2
  EXPECT_EQ(block.qs[2] & 0x0f, 8);
}

std::vector<float> random_row(int64_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = dist(rng);
  return x;
}

// Largest |x| per 32-element block.
float block_amax(const std::vector<float>& x, int64_t b) {
  float amax = 0.0f;
  for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[static_cast<size_t>(b * 32 + j)]));
  return amax;
}

TEST(Quantize, RoundTripErrorBounds) {
  for (float scale : {1e-3f, 1.0f, 300.0f}) {
    const int64_t n = 4096;
    const std::vector<float> x = random_row(n, 42, scale);
    std::vector<BlockQ8_0> q8(n / 32);
    std::vector<BlockQ4_0> q4(n / 32);
    std::vector<float> back8(n), back4(n);
    quantize_row_q8_0(x.data(), q8.data(), n);
    quantize_row_q4_0(x.data(), q4.data(), n);
    ASSERT_TRUE(dequantize_row(GgmlType::kQ8_0, q8.data(), back8.data(), n));
    ASSERT_TRUE(dequantize_row(GgmlType::kQ4_0, q4.data(), back4.data(), n));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t b = i / 32;
      const float amax = block_amax(x, b);
      // Half a step, plus the fp16 rounding of d (which for tiny blocks is subnormal in fp16 and
      // so only absolutely accurate) times the largest quant.
      const float d8 = amax / 127.0f;
      const float d8_error = std::fabs(util::fp16_to_fp32(q8[b].d) - d8);
      EXPECT_LE(std::fabs(back8[i] - x[i]), 0.501f * d8 + 127.0f * d8_error) << "q8_0 i=" << i;
      // Q4_0 can clamp the far side of the range by one whole step (|d| = amax / 8).
      const float d4 = amax / 8.0f;
      const float d4_error = std::fabs(std::fabs(util::fp16_to_fp32(q4[b].d)) - d4);
      EXPECT_LE(std::fabs(back4[i] - x[i]), 1.001f * d4 + 8.0f * d4_error) << "q4_0 i=" << i;
    }
  }
}

TEST(Quantize, FloatConversionsAndGenericEntry) {
  const std::vector<float> x = random_row(64, 7, 10.0f);
  std::vector<uint16_t> h(64), bf(64);
  ASSERT_TRUE(quantize_row(GgmlType::kF16, x.data(), h.data(), 64));
  ASSERT_TRUE(quantize_row(GgmlType::kBF16, x.data(), bf.data(), 64));
  for (size_t i = 0; i < 64; ++i) {
    EXPECT_EQ(h[i], util::fp32_to_fp16(x[i]));
    EXPECT_EQ(bf[i], util::fp32_to_bf16(x[i]));
    EXPECT_NEAR(util::fp16_to_fp32(h[i]), x[i], std::fabs(x[i]) * 0x1p-11f);
    EXPECT_NEAR(util::bf16_to_fp32(bf[i]), x[i], std::fabs(x[i]) * 0x1p-8f);
  }
  std::vector<uint8_t> dst(256, 0xab);
  EXPECT_FALSE(quantize_row(GgmlType::kQ4_K, x.data(), dst.data(), 64));
  EXPECT_FALSE(quantize_row(GgmlType::kQ8_0, x.data(), dst.data(), 40));
  for (uint8_t b : dst) EXPECT_EQ(b, 0xab);
}

}  // namespace
}  // namespace mynah::tensor
