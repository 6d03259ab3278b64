// Every ISA's rmsnorm, rope, softmax, silu_mul and add_inplace against the scalar spec on random
// rows with sizes around the SIMD widths. rope and add are the same float operations per lane, so
// they must match bit for bit; rmsnorm sums in double on every ISA, so it matches too unless the
// double sum rounds differently (then by one ulp); softmax and silu use a polynomial exp.
#include "kernels/ops.h"

#include <cmath>
#include <cstring>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/kernel_table.h"
#include "test_data.h"

namespace mynah::kernels {
namespace {

using testing::random_floats;

const int64_t kSizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 255, 256, 2048, 2051};

// |got - want| <= ulps units in the last place of want (plus a tiny absolute floor).
::testing::AssertionResult close_ulps(float got, float want, float ulps) {
  const float a = std::fabs(want);
  const float tol = ulps * (std::nextafter(a, INFINITY) - a) + 1e-30f;
  if (std::fabs(got - want) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << got << " vs " << want << " (tolerance " << tol << ")";
}

class OpsVsScalar : public ::testing::TestWithParam<Isa> {
 protected:
  const KernelTable& simd() const { return *kernel_table_for(GetParam()); }
  const KernelTable& ref() const { return *kernel_table_for(Isa::kScalar); }
};

TEST_P(OpsVsScalar, RmsNorm) {
  uint32_t seed = 1;
  for (int64_t n : kSizes) {
    const std::vector<float> x = random_floats(n, ++seed, 3.0f), w = random_floats(n, ++seed);
    std::vector<float> want(n), got(n), in_place = x;
    ref().rmsnorm(x.data(), w.data(), want.data(), n, 1e-5f);
    simd().rmsnorm(x.data(), w.data(), got.data(), n, 1e-5f);
    simd().rmsnorm(in_place.data(), w.data(), in_place.data(), n, 1e-5f);  // out may alias x
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_TRUE(close_ulps(got[i], want[i], 2)) << "n=" << n << " i=" << i;
      ASSERT_EQ(got[i], in_place[i]) << "n=" << n << " i=" << i;
    }
  }
}

TEST_P(OpsVsScalar, RopeIsBitExact) {
  uint32_t seed = 10;
  for (auto [n_heads, head_dim, rope_dim] : {std::tuple{1, 8, 8}, {3, 64, 64}, {2, 80, 32}, {4, 128, 128}, {5, 6, 4}, {2, 34, 34}}) {
    const std::vector<float> x = random_floats(n_heads * head_dim, ++seed);
    const std::vector<float> cos = random_floats(rope_dim / 2, ++seed), sin = random_floats(rope_dim / 2, ++seed);
    std::vector<float> want = x, got = x;
    ref().rope_rotate_pairs(want.data(), n_heads, head_dim, rope_dim, cos.data(), sin.data());
    simd().rope_rotate_pairs(got.data(), n_heads, head_dim, rope_dim, cos.data(), sin.data());
    EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0)
        << n_heads << "x" << head_dim << " rope_dim " << rope_dim;
  }
}

TEST_P(OpsVsScalar, Softmax) {
  uint32_t seed = 20;
  for (int64_t n : kSizes) {
    for (float scale : {1.0f, 30.0f}) {  // 30: most terms underflow next to the max
      std::vector<float> want = random_floats(n, ++seed, scale), got = want;
      ref().softmax(want.data(), n);
      simd().softmax(got.data(), n);
      double sum = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_NEAR(got[i], want[i], 4e-7f * want[i] + 1e-38f) << "n=" << n << " i=" << i;
        sum += got[i];
      }
      EXPECT_NEAR(sum, 1.0, 1e-5) << "n=" << n;
    }
  }
}

TEST_P(OpsVsScalar, SiluMul) {
  uint32_t seed = 30;
  for (int64_t n : kSizes) {
    std::vector<float> want = random_floats(n, ++seed, 4.0f), got = want;
    const std::vector<float> up = random_floats(n, ++seed);
    ref().silu_mul(want.data(), up.data(), n);
    simd().silu_mul(got.data(), up.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_TRUE(close_ulps(got[i], want[i], 4)) << "n=" << n << " i=" << i;
  }
  // Saturation: large |g| must give g * up (g > 0) or a tiny value (g < 0), never NaN.
  std::vector<float> g = {-200.0f, -90.0f, -30.0f, 30.0f, 90.0f, 200.0f}, up(g.size(), 1.0f), want = g;
  ref().silu_mul(want.data(), up.data(), static_cast<int64_t>(g.size()));
  simd().silu_mul(g.data(), up.data(), static_cast<int64_t>(g.size()));
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], 1e-6f * std::fabs(want[i]) + 1e-30f) << i;
}

TEST_P(OpsVsScalar, AddIsBitExact) {
  uint32_t seed = 40;
  for (int64_t n : kSizes) {
    const std::vector<float> x = random_floats(n, ++seed);
    std::vector<float> want = random_floats(n, ++seed), got = want;
    ref().add_inplace(want.data(), x.data(), n);
    simd().add_inplace(got.data(), x.data(), n);
    EXPECT_EQ(std::memcmp(want.data(), got.data(), n * sizeof(float)), 0) << "n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, OpsVsScalar, ::testing::ValuesIn(testing::runnable_simd_isas()),
                         testing::isa_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpsVsScalar);

TEST(Ops, DispatchUsesTheProcessTable) {
  const std::vector<float> x = random_floats(37, 5), w = random_floats(37, 6);
  std::vector<float> a(37), b(37);
  rmsnorm(x.data(), w.data(), a.data(), 37, 1e-6f);
  kernels().rmsnorm(x.data(), w.data(), b.data(), 37, 1e-6f);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(float) * 37), 0);
}

}  // namespace
}  // namespace mynah::kernels
