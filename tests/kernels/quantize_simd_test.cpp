// Every SIMD quantize_row_q8_0 must produce the scalar reference's bytes exactly: same fp16 scale,
// same ties-away-from-zero rounding, for every magnitude range.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/kernel_table.h"
#include "tensor/quantize.h"
#include "test_data.h"

namespace mynah::kernels {
namespace {

using tensor::BlockQ8_0;

void expect_bit_exact(const KernelTable& t, const std::vector<float>& x, const char* what) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<BlockQ8_0> want(static_cast<size_t>(n / 32)), got(static_cast<size_t>(n / 32));
  tensor::quantize_row_q8_0(x.data(), want.data(), n);
  t.quantize_row_q8_0(x.data(), got.data(), n);
  for (size_t b = 0; b < want.size(); ++b) {
    EXPECT_EQ(std::memcmp(&want[b], &got[b], sizeof(BlockQ8_0)), 0) << what << " block " << b;
  }
}

class QuantizeQ8_0VsScalar : public ::testing::TestWithParam<Isa> {};

TEST_P(QuantizeQ8_0VsScalar, RandomRows) {
  const KernelTable& t = *kernel_table_for(GetParam());
  uint32_t seed = 0;
  for (float scale : {1e-7f, 1e-4f, 1e-2f, 1.0f, 3.0f, 1e3f, 1e6f}) {
    for (int64_t n : {32, 64, 96, 288, 4096 + 32}) {
      expect_bit_exact(t, testing::random_floats(n, ++seed, scale), "random");
    }
  }
}

TEST_P(QuantizeQ8_0VsScalar, TiesZerosAndLoneValues) {
  const KernelTable& t = *kernel_table_for(GetParam());
  // amax 127 gives d = 1, id = 1, so every half-integer is an exact tie.
  std::vector<float> ties;
  for (int m = -254; m <= 254; ++m) {
    if (ties.size() % 32 == 0) ties.push_back(127.0f);
    ties.push_back(static_cast<float>(m) * 0.5f);
  }
  while (ties.size() % 32 != 0) ties.push_back(-0.5f);
  expect_bit_exact(t, ties, "ties");
  std::vector<float> zeros(64, 0.0f);
  zeros[40] = -0.0f;
  expect_bit_exact(t, zeros, "zeros");
  std::vector<float> lone(96, 0.0f);
  lone[5] = -3.0f;
  lone[40] = 1e-30f;  // d underflows fp16 to zero
  lone[70] = 65000.0f;
  expect_bit_exact(t, lone, "lone values");
  std::vector<float> negative = testing::random_floats(128, 9);
  for (float& v : negative) v = -std::abs(v);
  expect_bit_exact(t, negative, "all negative");
}

INSTANTIATE_TEST_SUITE_P(Isas, QuantizeQ8_0VsScalar, ::testing::ValuesIn(testing::runnable_simd_isas()),
                         testing::isa_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QuantizeQ8_0VsScalar);

}  // namespace
}  // namespace mynah::kernels
