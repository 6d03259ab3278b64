// Rng: xoshiro256** seeded through splitmix64. Golden values come from an independent Python
// implementation of both published algorithms (splitmix64(0) starts 0xe220a8397b1dcdaf).
#include "sampling/rng.h"

#include <gtest/gtest.h>

namespace mynah::sampling {
namespace {

TEST(Rng, GoldenStreams) {
  Rng zero(0);
  EXPECT_EQ(zero.next_u64(), 0x99ec5f36cb75f2b4ull);
  EXPECT_EQ(zero.next_u64(), 0xbf6e1f784956452aull);
  EXPECT_EQ(zero.next_u64(), 0x1a5f849d4933e6e0ull);
  Rng answer(42);
  EXPECT_EQ(answer.next_u64(), 0x15780b2e0c2ec716ull);
  EXPECT_EQ(answer.next_u64(), 0x6104d9866d113a7eull);
  EXPECT_EQ(answer.next_u64(), 0xae17533239e499a1ull);
}

TEST(Rng, SameSeedSameStreamDifferentSeedDiffers) {
  Rng a(7), b(7), c(8);
  int same_as_c = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    same_as_c += x == c.next_u64() ? 1 : 0;
  }
  EXPECT_EQ(same_as_c, 0);
}

TEST(Rng, DoublesAreUniformInUnitInterval) {
  Rng rng(3);
  double total = 0.0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.next_double();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    total += u;
  }
  EXPECT_NEAR(total / n, 0.5, 0.005);
}

}  // namespace
}  // namespace mynah::sampling
