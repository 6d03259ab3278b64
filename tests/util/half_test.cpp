#include "util/half.h"

#include <cmath>
#include <cstdint>

#include <gtest/gtest.h>

namespace mynah::util {

TEST(Half, RoundTripsEveryFiniteHalf) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint16_t bits = static_cast<uint16_t>(h);
    const float f = fp16_to_fp32(bits);
    if (std::isnan(f)) continue;
    EXPECT_EQ(fp32_to_fp16(f), bits) << "half bits " << h;
  }
}

TEST(Half, KnownValues) {
  EXPECT_EQ(fp16_to_fp32(0x3c00), 1.0f);
  EXPECT_EQ(fp16_to_fp32(0xc000), -2.0f);
  EXPECT_EQ(fp16_to_fp32(0x0001), 0x1p-24f);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7bff);
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7c00);           // rounds up to infinity
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x1p-11f), 0x3c00);     // tie rounds to even
  EXPECT_EQ(fp32_to_fp16(1.0f + 3 * 0x1p-11f), 0x3c02);  // tie rounds to even (up)
  EXPECT_EQ(fp32_to_fp16(0x1p-25f), 0x0000);             // tie between 0 and min subnormal
  EXPECT_EQ(fp32_to_fp16(0x1.8p-25f), 0x0001);
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(bf16_to_fp32(0x3f80), 1.0f);
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3f808000u)), 0x3f80);  // tie to even (down)
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3f818000u)), 0x3f82);  // tie to even (up)
}

}  // namespace mynah::util
