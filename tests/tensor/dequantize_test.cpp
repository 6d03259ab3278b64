// Dequantization against blocks whose expected values were worked out by hand.
#include "tensor/dequantize.h"

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "tensor/quant_blocks.h"

namespace mynah::tensor {
namespace {

using gguf::GgmlType;

TEST(Dequantize, Q4_0HandComputed) {
  BlockQ4_0 blocks[2] = {};
  blocks[0].d = 0x3800;  // 0.5
  for (int j = 0; j < 16; ++j) blocks[0].qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  blocks[1].d = 0xc000;  // -2.0
  for (int j = 0; j < 16; ++j) blocks[1].qs[j] = 0x0f;  // low nibble 15 -> 7 * -2, high 0 -> -8 * -2
  const float expected[64] = {
      // block 0, low nibbles j -> (j - 8) * 0.5
      -4.0f, -3.5f, -3.0f, -2.5f, -2.0f, -1.5f, -1.0f, -0.5f,
      0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f,
      // block 0, high nibbles 15 - j -> (7 - j) * 0.5
      3.5f, 3.0f, 2.5f, 2.0f, 1.5f, 1.0f, 0.5f, 0.0f,
      -0.5f, -1.0f, -1.5f, -2.0f, -2.5f, -3.0f, -3.5f, -4.0f,
      // block 1
      -14.0f, -14.0f, -14.0f, -14.0f, -14.0f, -14.0f, -14.0f, -14.0f,
      -14.0f, -14.0f, -14.0f, -14.0f, -14.0f, -14.0f, -14.0f, -14.0f,
      16.0f, 16.0f, 16.0f, 16.0f, 16.0f, 16.0f, 16.0f, 16.0f,
      16.0f, 16.0f, 16.0f, 16.0f, 16.0f, 16.0f, 16.0f, 16.0f};
  float out[64] = {};
  ASSERT_TRUE(dequantize_row(GgmlType::kQ4_0, blocks, out, 64));
  for (int i = 0; i < 64; ++i) EXPECT_EQ(out[i], expected[i]) << "element " << i;
}

TEST(Dequantize, Q8_0HandComputed) {
  BlockQ8_0 block = {};
  block.d = 0x3400;  // 0.25
  const int8_t qs[8] = {-127, -1, 0, 1, 127, 64, -64, 5};
  std::memcpy(block.qs, qs, sizeof(qs));
  block.qs[31] = -3;
  float expected[32] = {-31.75f, -0.25f, 0.0f, 0.25f, 31.75f, 16.0f, -16.0f, 1.25f};
  expected[31] = -0.75f;
  float out[32] = {};
  ASSERT_TRUE(dequantize_row(GgmlType::kQ8_0, &block, out, 32));
  for (int i = 0; i < 32; ++i) EXPECT_EQ(out[i], expected[i]) << "element " << i;
}

TEST(Dequantize, FloatTypes) {
  const uint16_t f16[4] = {0x3c00, 0xc000, 0x3555, 0x7bff};
  const float f16_expected[4] = {1.0f, -2.0f, 0.333251953125f, 65504.0f};
  const uint16_t bf16[3] = {0x3f80, 0xc040, 0x4049};
  const float bf16_expected[3] = {1.0f, -3.0f, 3.140625f};
  const float f32[3] = {1.5f, -0.0f, 1e-30f};
  float out[4] = {};
  ASSERT_TRUE(dequantize_row(GgmlType::kF16, f16, out, 4));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], f16_expected[i]);
  ASSERT_TRUE(dequantize_row(GgmlType::kBF16, bf16, out, 3));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[i], bf16_expected[i]);
  ASSERT_TRUE(dequantize_row(GgmlType::kF32, f32, out, 3));
  EXPECT_EQ(std::memcmp(out, f32, sizeof(f32)), 0);
}

TEST(Dequantize, RejectsUnsupportedTypesAndPartialBlocks) {
  std::vector<uint8_t> src(1024, 0x55);
  float out[256];
  for (float& f : out) f = 7.0f;
  EXPECT_FALSE(dequantize_supports(GgmlType::kIQ2_XXS));
  EXPECT_FALSE(dequantize_row(GgmlType::kIQ2_XXS, src.data(), out, 256));
  EXPECT_FALSE(dequantize_row(GgmlType::kQ6_K, src.data(), out, 64));  // not a whole super-block
  EXPECT_FALSE(dequantize_row(GgmlType::kI32, src.data(), out, 64));
  EXPECT_FALSE(dequantize_row(GgmlType::kQ4_0, src.data(), out, 48));  // not a whole block
  EXPECT_FALSE(dequantize_row(GgmlType::kQ8_0, src.data(), out, -32));
  for (float f : out) EXPECT_EQ(f, 7.0f);  // untouched on failure
  EXPECT_TRUE(dequantize_row(GgmlType::kQ4_0, src.data(), out, 0));
}

}  // namespace
}  // namespace mynah::tensor
