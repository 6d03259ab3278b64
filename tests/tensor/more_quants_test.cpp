// Q4_1, Q5_0, Q5_1, Q8_K and the K-quants: dequantization of blocks whose values were worked out
// by hand (from ggml-common.h's layouts, element by element in the comments), the quantizers'
// bytes where they follow ggml's reference, and quantize -> dequantize error bounds on random rows.
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tensor/dequantize.h"
#include "tensor/quant_blocks.h"
#include "tensor/quantize.h"

namespace mynah::tensor {
namespace {

using gguf::GgmlType;

template <class Block>
std::vector<float> dequantize(GgmlType type, const Block& block, int n) {
  std::vector<float> out(n, -999.0f);
  EXPECT_TRUE(dequantize_row(type, &block, out.data(), n));
  return out;
}

TEST(MoreQuants, Q4_1HandComputed) {
  BlockQ4_1 b = {};
  b.d = 0x3800;  // 0.5
  b.m = 0xbc00;  // -1
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  const auto y = dequantize(GgmlType::kQ4_1, b, 32);
  EXPECT_EQ(y[0], -1.0f);   // 0 * 0.5 - 1
  EXPECT_EQ(y[5], 1.5f);    // 5 * 0.5 - 1
  EXPECT_EQ(y[16], 6.5f);   // high nibble of qs[0] = 15
  EXPECT_EQ(y[31], -1.0f);  // high nibble of qs[15] = 0
}

TEST(MoreQuants, Q5_0HandComputed) {
  BlockQ5_0 b = {};
  b.d = 0x3c00;  // 1
  const uint32_t qh = 0x0000ffff;  // fifth bit set for elements 0..15 only
  std::memcpy(b.qh, &qh, 4);
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | (j << 4));
  const auto y = dequantize(GgmlType::kQ5_0, b, 32);
  EXPECT_EQ(y[0], 0.0f);     // (0 | 16) - 16
  EXPECT_EQ(y[7], 7.0f);     // (7 | 16) - 16
  EXPECT_EQ(y[16], -16.0f);  // 0 - 16
  EXPECT_EQ(y[31], -1.0f);   // 15 - 16
}

TEST(MoreQuants, Q5_1HandComputed) {
  BlockQ5_1 b = {};
  b.d = 0x4000;  // 2
  b.m = 0x3800;  // 0.5
  const uint32_t qh = 0xffff0000;  // fifth bit set for elements 16..31 only
  std::memcpy(b.qh, &qh, 4);
  for (int j = 0; j < 16; ++j) b.qs[j] = 0x13;  // low 3, high 1
  const auto y = dequantize(GgmlType::kQ5_1, b, 32);
  EXPECT_EQ(y[3], 6.5f);    // 3 * 2 + 0.5
  EXPECT_EQ(y[20], 34.5f);  // (1 | 16) * 2 + 0.5
}

TEST(MoreQuants, Q8_KHandComputedAndQuantizedLikeGgml) {
  float x[256];
  for (int j = 0; j < 256; ++j) x[j] = static_cast<float>(j - 128);
  BlockQ8_K b = {};
  quantize_row_q8_k(x, &b, 256);
  // max = x[0] = -128, iscale = -127 / -128 = 0.9921875: -128 -> -127, 0 -> 0, 127 -> 126.0078 -> 126;
  // x[j] for j < 16 keeps a fraction > 0.5 above the integer below, so q = j - 127.
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[128], 0);
  EXPECT_EQ(b.qs[255], 126);
  EXPECT_EQ(b.bsums[0], -(16 * 127 - 120));
  EXPECT_FLOAT_EQ(b.d, 128.0f / 127.0f);
  int sum = 0;
  for (int j = 240; j < 256; ++j) sum += b.qs[j];
  EXPECT_EQ(b.bsums[15], sum);
  const auto y = dequantize(GgmlType::kQ8_K, b, 256);
  EXPECT_EQ(y[128], 0.0f);
  EXPECT_EQ(y[0], -127.0f * b.d);
  float zeros[256] = {};
  quantize_row_q8_k(zeros, &b, 256);
  EXPECT_EQ(b.d, 0.0f);
  EXPECT_EQ(b.bsums[3], 0);
}

TEST(MoreQuants, LegacyQuantizersFollowGgmlRounding) {
  float x[32];
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 16);  // min 0, max 15: d = 1
  x[3] = 2.49f;
  x[4] = 4.5f;
  BlockQ4_1 q41 = {};
  quantize_row_q4_1(x, &q41, 32);
  EXPECT_EQ(q41.d, 0x3c00);
  EXPECT_EQ(q41.m, 0);
  EXPECT_EQ(q41.qs[3] & 0xf, 2);  // (int8)(2.49 + 0.5) = 2
  EXPECT_EQ(q41.qs[4] & 0xf, 5);  // (int8)(4.5 + 0.5) = 5
  EXPECT_EQ(q41.qs[15] >> 4, 15);

  float y[32] = {-16.0f, 15.0f, 0.0f, 0.49f, -0.6f};
  BlockQ5_0 q50 = {};
  quantize_row_q5_0(y, &q50, 32);  // max = -16: d = 1, q = min(31, (int8)(x + 16.5))
  EXPECT_EQ(q50.d, 0x3c00);
  uint32_t qh;
  std::memcpy(&qh, q50.qh, 4);
  const int expected[5] = {0, 31, 16, 16, 15};
  for (int j = 0; j < 5; ++j) EXPECT_EQ((q50.qs[j] & 0xf) | (((qh >> j) & 1) << 4), expected[j]) << j;
}

TEST(MoreQuants, Q2_KHandComputed) {
  BlockQ2_K b = {};
  b.d = 0x3c00;     // 1
  b.dmin = 0x3800;  // 0.5
  for (int g = 0; g < 16; ++g) b.scales[g] = static_cast<uint8_t>((g % 8 + 1) | ((g % 4) << 4));
  for (int i = 0; i < 64; ++i) b.qs[i] = static_cast<uint8_t>(i);
  const auto y = dequantize(GgmlType::kQ2_K, b, 256);
  EXPECT_EQ(y[0], 0.0f);     // q = qs[0] & 3 = 0, group 0 (sc 1, m 0)
  EXPECT_EQ(y[37], 2.0f);    // half 0, shift 2, l 5: (5 >> 2) & 3 = 1; group 2 (sc 3, m 2): 3 - 1
  EXPECT_EQ(y[200], 10.0f);  // half 1, shift 4, l 8: (40 >> 4) & 3 = 2; group 12 (sc 5, m 0)
  EXPECT_EQ(y[255], -1.5f);  // half 1, shift 6, l 31: 63 >> 6 = 0; group 15 (sc 8, m 3): -0.5 * 3
}

TEST(MoreQuants, Q3_KHandComputed) {
  BlockQ3_K b = {};
  b.d = 0x3c00;  // 1
  std::memset(b.hmask, 0xff, sizeof(b.hmask));
  b.hmask[0] = 0xfe;  // element 0 (half 0, shift 0, l 0) loses its high bit
  std::memset(b.qs, 0xe4, sizeof(b.qs));  // shift 0 -> 0, 2 -> 1, 4 -> 2, 6 -> 3
  // 6-bit scale codes 33 + g: low nibbles (g + 1) & 15 in bytes 0-7 (g < 8 low, g >= 8 high),
  // high 2 bits (2, or 3 for code 48) in bytes 8-11.
  for (int k = 0; k < 8; ++k) b.scales[k] = static_cast<uint8_t>((k + 1) | (((k + 9) & 15) << 4));
  b.scales[8] = b.scales[9] = b.scales[10] = 0xaa;
  b.scales[11] = 0xea;
  for (int g = 0; g < 16; ++g) EXPECT_EQ(scale_q3_k(g, b.scales), 33 + g) << g;
  const auto y = dequantize(GgmlType::kQ3_K, b, 256);
  EXPECT_EQ(y[0], -4.0f);    // low 0, high bit clear: 0 - 4, scale 1
  EXPECT_EQ(y[1], 0.0f);     // low 0, high bit set
  EXPECT_EQ(y[33], 3.0f);    // shift 2: 1, group 2: scale 3
  EXPECT_EQ(y[255], 48.0f);  // half 1, shift 6: 3, group 15: scale 16
}

TEST(MoreQuants, Q4_KAndQ5_KHandComputed) {
  BlockQ4_K b = {};
  b.d = 0x3800;     // 0.5
  b.dmin = 0x3c00;  // 1
  // scales g + 1 and mins g, all below 16: bytes 0-3 scales 0-3, 4-7 mins 0-3, 8-11 the rest.
  for (int g = 0; g < 4; ++g) {
    b.scales[g] = static_cast<uint8_t>(g + 1);
    b.scales[g + 4] = static_cast<uint8_t>(g);
    b.scales[g + 8] = static_cast<uint8_t>((g + 5) | ((g + 4) << 4));
  }
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>((i % 16) | ((15 - i % 16) << 4));
  const auto y = dequantize(GgmlType::kQ4_K, b, 256);
  EXPECT_EQ(y[5], 2.5f);     // low nibble 5, group 0: 0.5 * 1 * 5 - 0
  EXPECT_EQ(y[40], 6.0f);    // chunk 0 high nibble of qs[8] = 7, group 1: 0.5 * 2 * 7 - 1
  EXPECT_EQ(y[200], 22.0f);  // chunk 3 low nibble of qs[104] = 8, group 6: 0.5 * 7 * 8 - 6
  EXPECT_EQ(y[255], -7.0f);  // chunk 3 high nibble of qs[127] = 0, group 7: -7

  BlockQ5_K b5 = {};
  b5.d = b.d;
  b5.dmin = b.dmin;
  std::memcpy(b5.scales, b.scales, sizeof(b.scales));
  std::memcpy(b5.qs, b.qs, sizeof(b.qs));
  std::memset(b5.qh, 0x05, sizeof(b5.qh));  // fifth bit for chunk 0 low and chunk 1 low halves
  const auto y5 = dequantize(GgmlType::kQ5_K, b5, 256);
  EXPECT_EQ(y5[5], 10.5f);  // 5 + 16 = 21: 0.5 * 21
  EXPECT_EQ(y5[40], 6.0f);  // chunk 0 high half: no fifth bit
  EXPECT_EQ(y5[70], 31.0f); // chunk 1 low, qs[38] low = 6, + 16 = 22, group 2: 0.5 * 3 * 22 - 2
}

TEST(MoreQuants, Q4_KScalesAboveFifteen) {
  // scale 5 = 63 and min 6 = 50 need the top 2 bits kept in bytes 1 and 6.
  uint8_t s[12] = {};
  s[9] = 15;                   // scale 5 low nibble
  s[1] = 3 << 6;               // scale 5 high bits
  s[10] = 2 << 4;              // min 6 low nibble
  s[6] = 3 << 6;               // min 6 high bits
  uint8_t sc, m;
  scale_min_k4(5, s, &sc, &m);
  EXPECT_EQ(sc, 63);
  scale_min_k4(6, s, &sc, &m);
  EXPECT_EQ(m, 50);
  uint8_t all[16];
  unpack_scales_k4(s, all);
  EXPECT_EQ(all[5], 63);
  EXPECT_EQ(all[8 + 6], 50);
  for (int g = 0; g < 8; ++g) {
    scale_min_k4(g, s, &sc, &m);
    EXPECT_EQ(all[g], sc) << g;
    EXPECT_EQ(all[8 + g], m) << g;
  }
}

TEST(MoreQuants, Q6_KHandComputed) {
  BlockQ6_K b = {};
  b.d = 0x3400;  // 0.25
  for (int g = 0; g < 16; ++g) b.scales[g] = static_cast<int8_t>(g - 8);
  for (int i = 0; i < 128; ++i) b.ql[i] = static_cast<uint8_t>(i);
  std::memset(b.qh, 0xe4, sizeof(b.qh));  // high bits of shift s are s
  const auto y = dequantize(GgmlType::kQ6_K, b, 256);
  EXPECT_EQ(y[0], 64.0f);     // q 0, group 0 (scale -8): 0.25 * -8 * -32
  EXPECT_EQ(y[33], 22.5f);    // ql[33] & 15 = 1, high 1: q 17, group 2 (-6): 0.25 * -6 * -15
  EXPECT_EQ(y[100], -9.0f);   // ql[36] >> 4 = 2, high 3: q 50, group 6 (-2): 0.25 * -2 * 18
  EXPECT_EQ(y[255], 40.25f);  // ql[127] >> 4 = 7, high 3: q 55, group 15 (7): 0.25 * 7 * 23
}

// Quantize -> dequantize on N(0, s^2) rows: RMS error relative to the row's RMS below a per-type
// bound (about what the format's bits allow), at any scale s.
struct RoundTrip {
  GgmlType type;
  double rms_bound;
};

TEST(MoreQuants, RoundTripErrorBounds) {
  // Measured (seed 5): Q4_1 0.078, Q5_0 0.042, Q5_1 0.038, Q8_K 0.0070, Q2_K 0.35, Q3_K 0.156,
  // Q4_K 0.080, Q5_K 0.039, Q6_K 0.019 (ggml's searching quantizers do 10-25% better on K-quants).
  const RoundTrip cases[] = {{GgmlType::kQ4_1, 0.1},   {GgmlType::kQ5_0, 0.055}, {GgmlType::kQ5_1, 0.05},
                             {GgmlType::kQ8_K, 0.008}, {GgmlType::kQ2_K, 0.42},  {GgmlType::kQ3_K, 0.19},
                             {GgmlType::kQ4_K, 0.1},   {GgmlType::kQ5_K, 0.05},  {GgmlType::kQ6_K, 0.025}};
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t n = 256 * 16;
  std::vector<float> x(n), y(n);
  for (const RoundTrip& c : cases) {
    for (float scale : {1.0f, 1e-3f, 50.0f}) {
      for (float& v : x) v = normal(rng) * scale;
      const auto traits = gguf::ggml_type_traits(c.type);
      std::vector<uint8_t> q(n / traits.block_size * traits.block_bytes);
      ASSERT_TRUE(quantize_row(c.type, x.data(), q.data(), n));
      ASSERT_TRUE(dequantize_row(c.type, q.data(), y.data(), n));
      double err = 0.0, ref = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        err += (x[i] - y[i]) * (x[i] - y[i]);
        ref += x[i] * x[i];
        ASSERT_TRUE(std::isfinite(y[i]));
      }
      EXPECT_LT(std::sqrt(err / ref), c.rms_bound) << traits.name << " scale " << scale;
    }
  }
}

TEST(MoreQuants, ConstantAndZeroRowsSurvive) {
  for (GgmlType type : {GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1, GgmlType::kQ2_K, GgmlType::kQ3_K,
                        GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K}) {
    for (float value : {0.0f, 0.75f, -2.0f}) {
      std::vector<float> x(256, value), y(256);
      const auto traits = gguf::ggml_type_traits(type);
      std::vector<uint8_t> q(256 / traits.block_size * traits.block_bytes);
      ASSERT_TRUE(quantize_row(type, x.data(), q.data(), 256));
      ASSERT_TRUE(dequantize_row(type, q.data(), y.data(), 256));
      for (float v : y) ASSERT_NEAR(v, value, 0.02f * std::fabs(value) + 1e-6f) << traits.name << " " << value;
    }
  }
}

}  // namespace
}  // namespace mynah::tensor
