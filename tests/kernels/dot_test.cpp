// Every SIMD dot against the scalar reference on random rows with tail sizes, plus dot4 (a group
// of weight rows) == dot bit for bit (the property matmul's batch invariance rests on).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/kernel_table.h"
#include "test_data.h"
#include "tensor/dequantize.h"
#include "tensor/quantize.h"

namespace mynah::kernels {
namespace {

using gguf::GgmlType;
using testing::encode_rows;
using testing::random_floats;

// Every weight type's dot and dot4, through weight_kernels (which is what matmul uses).
struct DotCase {
  const char* name;
  GgmlType type;
  GgmlType activation;  // F32, Q8_0 or Q8_K
  DotFn dot(const KernelTable& t) const { return weight_kernels(t, type)->dot; }
  DotRowsFn dot4(const KernelTable& t) const { return weight_kernels(t, type)->dot4; }
  bool blocked() const { return activation != GgmlType::kF32; }
};

const DotCase kCases[] = {
    {"f32_f32", GgmlType::kF32, GgmlType::kF32},       {"f16_f32", GgmlType::kF16, GgmlType::kF32},
    {"bf16_f32", GgmlType::kBF16, GgmlType::kF32},     {"q8_0_q8_0", GgmlType::kQ8_0, GgmlType::kQ8_0},
    {"q4_0_q8_0", GgmlType::kQ4_0, GgmlType::kQ8_0},   {"q4_1_q8_0", GgmlType::kQ4_1, GgmlType::kQ8_0},
    {"q5_0_q8_0", GgmlType::kQ5_0, GgmlType::kQ8_0},   {"q5_1_q8_0", GgmlType::kQ5_1, GgmlType::kQ8_0},
    {"q2_k_q8_k", GgmlType::kQ2_K, GgmlType::kQ8_K},   {"q3_k_q8_k", GgmlType::kQ3_K, GgmlType::kQ8_K},
    {"q4_k_q8_k", GgmlType::kQ4_K, GgmlType::kQ8_K},   {"q5_k_q8_k", GgmlType::kQ5_K, GgmlType::kQ8_K},
    {"q6_k_q8_k", GgmlType::kQ6_K, GgmlType::kQ8_K},
};

// Sizes in multiples of 32 (the 32-element types); K-quants use multiples of 256.
const int64_t kBlockSizes[] = {32, 64, 96, 160, 288, 2048 + 96, 4096 + 32};
const int64_t kSuperBlockSizes[] = {256, 512, 768, 1280, 2048 + 256, 5632};
const int64_t kFloatSizes[] = {1,  3,   7,   8,   9,   15,  16,   17,        31,  33, 63,
                               64, 65, 100, 127, 129, 255, 257, 1000, 4096 + 32, 4099};

// One activation row in the dot's format, and its values as the dot sees them.
struct Activations {
  std::vector<uint8_t> bytes;
  std::vector<float> values;
};

Activations make_activations(const DotCase& c, int64_t n, uint32_t seed) {
  Activations a;
  a.values = random_floats(n, seed);
  a.bytes = encode_rows(c.activation, a.values, n);
  if (c.blocked()) {
    EXPECT_TRUE(tensor::dequantize_row(c.activation, a.bytes.data(), a.values.data(), n));
  }
  return a;
}

std::vector<int64_t> sizes(const DotCase& c) {
  if (c.activation == GgmlType::kQ8_K) return {std::begin(kSuperBlockSizes), std::end(kSuperBlockSizes)};
  if (c.activation == GgmlType::kQ8_0) return {std::begin(kBlockSizes), std::end(kBlockSizes)};
  return {std::begin(kFloatSizes), std::end(kFloatSizes)};
}

// Sum of |w_i x_i|: the scale of the rounding error any summation order may make.
double abs_dot(const DotCase& c, const std::vector<uint8_t>& w, const std::vector<float>& x, int64_t n) {
  std::vector<float> wf(static_cast<size_t>(n));
  EXPECT_TRUE(tensor::dequantize_row(c.type, w.data(), wf.data(), n));
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += std::fabs(static_cast<double>(wf[i]) * x[i]);
  return s;
}

class DotVsScalar : public ::testing::TestWithParam<Isa> {};

TEST_P(DotVsScalar, RandomRowsAllSizes) {
  const KernelTable& simd = *kernel_table_for(GetParam());
  const KernelTable& ref = *kernel_table_for(Isa::kScalar);
  uint32_t seed = 1;
  for (const DotCase& c : kCases) {
    for (int64_t n : sizes(c)) {
      const std::vector<uint8_t> w = encode_rows(c.type, random_floats(n, ++seed, 0.1f), n);
      const Activations x = make_activations(c, n, ++seed);
      const float want = c.dot(ref)(w.data(), x.bytes.data(), n);
      const float got = c.dot(simd)(w.data(), x.bytes.data(), n);
      const double tol = 1e-5 * abs_dot(c, w, x.values, n) + 1e-30;
      EXPECT_NEAR(got, want, tol) << c.name << " n=" << n;
    }
  }
}

// Extreme quants: the maddubs/vpdpbusd paths must not saturate or lose a sign.
TEST_P(DotVsScalar, ExtremeQuants) {
  const KernelTable& simd = *kernel_table_for(GetParam());
  const KernelTable& ref = *kernel_table_for(Isa::kScalar);
  const int64_t n = 96;
  std::vector<tensor::BlockQ8_0> w8(3), x8(3);
  std::vector<tensor::BlockQ4_0> w4(3);
  for (int b = 0; b < 3; ++b) {
    w8[b].d = x8[b].d = w4[b].d = 0x3c00;  // 1.0
    for (int j = 0; j < 32; ++j) {
      w8[b].qs[j] = static_cast<int8_t>(b == 1 ? 127 : -127);
      x8[b].qs[j] = static_cast<int8_t>((j + b) % 2 ? 127 : -127);
    }
    for (int j = 0; j < 16; ++j) w4[b].qs[j] = b == 2 ? 0xff : 0x00;  // all 7 or all -8
  }
  EXPECT_EQ((simd.dot_q8_0_q8_0)(w8.data(), x8.data(), n), (ref.dot_q8_0_q8_0)(w8.data(), x8.data(), n));
  EXPECT_EQ((simd.dot_q4_0_q8_0)(w4.data(), x8.data(), n), (ref.dot_q4_0_q8_0)(w4.data(), x8.data(), n));
}

// The K-quant SIMD dots compute the spec's exact integers and then its float operations, so they
// equal the scalar dots bit for bit, also at the extremes of the quant and activation ranges.
TEST_P(DotVsScalar, KQuantsEqualScalarBitForBit) {
  const KernelTable& simd = *kernel_table_for(GetParam());
  const KernelTable& ref = *kernel_table_for(Isa::kScalar);
  uint32_t seed = 300;
  for (const DotCase& c : kCases) {
    if (c.activation != GgmlType::kQ8_K) continue;
    for (int64_t n : {256, 2048, 5632}) {
      for (float w_scale : {0.1f, 1e3f}) {
        const std::vector<uint8_t> w = encode_rows(c.type, random_floats(n, ++seed, w_scale), n);
        Activations x = make_activations(c, n, ++seed);
        const float want = c.dot(ref)(w.data(), x.bytes.data(), n), got = c.dot(simd)(w.data(), x.bytes.data(), n);
        EXPECT_EQ(std::memcmp(&want, &got, sizeof(float)), 0) << c.name << " n=" << n << ": " << got << " vs " << want;
      }
    }
    // Saturated quants: every weight byte 0xff (largest quants, scales and mins), activations +-127.
    std::vector<uint8_t> w(gguf::ggml_type_traits(c.type).block_bytes, 0xff);
    std::vector<float> xs(256);
    for (int i = 0; i < 256; ++i) xs[i] = i % 3 ? 1.0f : -1.0f;
    const std::vector<uint8_t> xq = encode_rows(GgmlType::kQ8_K, xs, 256);
    const float want = c.dot(ref)(w.data(), xq.data(), 256), got = c.dot(simd)(w.data(), xq.data(), 256);
    EXPECT_EQ(std::memcmp(&want, &got, sizeof(float)), 0) << c.name << " saturated: " << got << " vs " << want;
  }
}

TEST_P(DotVsScalar, Dot4MatchesDotBitForBit) {
  for (Isa isa : {Isa::kScalar, GetParam()}) {
    const KernelTable& t = *kernel_table_for(isa);
    uint32_t seed = 100;
    for (const DotCase& c : kCases) {
      for (int64_t n : c.activation == GgmlType::kQ8_K ? std::vector<int64_t>{256, 768, 4096}
                                                        : std::vector<int64_t>{32, 96, 288, 4096 + 32}) {
        // kDotRows weight rows at a stride that is not the row size, to catch stride mistakes.
        const size_t row_bytes = encode_rows(c.type, random_floats(n, 0), n).size();
        const size_t stride = row_bytes + 36;
        std::vector<uint8_t> ws(stride * kDotRows);
        for (int r = 0; r < kDotRows; ++r) {
          const std::vector<uint8_t> row = encode_rows(c.type, random_floats(n, ++seed, 0.1f), n);
          std::memcpy(ws.data() + stride * r, row.data(), row_bytes);
        }
        const Activations x = make_activations(c, n, ++seed);
        float group[kDotRows] = {};
        c.dot4(t)(ws.data(), stride, x.bytes.data(), n, group);
        for (int r = 0; r < kDotRows; ++r) {
          const float one = c.dot(t)(ws.data() + stride * r, x.bytes.data(), n);
          EXPECT_EQ(std::memcmp(&one, &group[r], sizeof(float)), 0)
              << isa_name(isa) << " " << c.name << " n=" << n << " r=" << r << ": " << one << " vs "
              << group[r];
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, DotVsScalar, ::testing::ValuesIn(testing::runnable_simd_isas()),
                         testing::isa_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DotVsScalar);

}  // namespace
}  // namespace mynah::kernels
