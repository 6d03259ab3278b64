// The per-tensor types of `mynah quantize`: llama.cpp's Q4_K_M / Q5_K_M choices on a 22-layer
// (TinyLlama) model, single-type recipes, fallbacks for rows that hold no whole super-block, and
// the tensors that must never be touched.
#include "tensor/quantize_plan.h"

#include <string>

#include <gtest/gtest.h>

namespace mynah::tensor {
namespace {

using gguf::GgmlType;

std::optional<GgmlType> plan(const char* recipe, const std::string& name, std::vector<uint64_t> dims, bool tied = false) {
  const auto r = find_quantize_recipe(recipe);
  EXPECT_TRUE(r.has_value()) << recipe;
  return planned_type(*r, {name, std::move(dims), tied}, 22);
}

TEST(QuantizePlan, RecipesByName) {
  EXPECT_EQ(find_quantize_recipe("Q4_K_M")->base, GgmlType::kQ4_K);
  EXPECT_TRUE(find_quantize_recipe("q4_k_m")->mixed);
  EXPECT_EQ(find_quantize_recipe("q4_k_m")->file_type, 15u);
  EXPECT_EQ(find_quantize_recipe("q5_k_m")->file_type, 17u);
  EXPECT_EQ(find_quantize_recipe("q8_0")->file_type, 7u);
  EXPECT_FALSE(find_quantize_recipe("q8_0")->mixed);
  EXPECT_FALSE(find_quantize_recipe("q9_9").has_value());
  EXPECT_NE(quantize_recipe_names().find("q5_k_m"), std::string::npos);
}

TEST(QuantizePlan, UseMoreBitsMatchesLlamaCppFor22Layers) {
  // n/8 = 2: layers 0, 1, 4, 7, 10, 13, 16 and 19 .. 21.
  std::vector<int64_t> picked;
  for (int64_t l = 0; l < 22; ++l) {
    if (use_more_bits(l, 22)) picked.push_back(l);
  }
  EXPECT_EQ(picked, (std::vector<int64_t>{0, 1, 4, 7, 10, 13, 16, 19, 20, 21}));
}

TEST(QuantizePlan, Q4KMixesQ6KWhereLlamaCppDoes) {
  EXPECT_EQ(plan("q4_k_m", "output.weight", {2048, 32000}), GgmlType::kQ6_K);
  EXPECT_EQ(plan("q4_k_m", "token_embd.weight", {2048, 32000}), GgmlType::kQ4_K);
  EXPECT_EQ(plan("q4_k_m", "token_embd.weight", {2048, 32000}, true), GgmlType::kQ6_K);  // tied output
  EXPECT_EQ(plan("q4_k_m", "blk.0.attn_v.weight", {2048, 256}), GgmlType::kQ6_K);
  EXPECT_EQ(plan("q4_k_m", "blk.2.attn_v.weight", {2048, 256}), GgmlType::kQ4_K);
  EXPECT_EQ(plan("q4_k_m", "blk.4.ffn_down.weight", {5632, 2048}), GgmlType::kQ6_K);
  EXPECT_EQ(plan("q4_k_m", "blk.5.ffn_down.weight", {5632, 2048}), GgmlType::kQ4_K);
  EXPECT_EQ(plan("q4_k_m", "blk.21.ffn_down.weight", {5632, 2048}), GgmlType::kQ6_K);
  EXPECT_EQ(plan("q4_k_m", "blk.21.attn_q.weight", {2048, 2048}), GgmlType::kQ4_K);
  EXPECT_EQ(plan("q4_k_m", "blk.21.ffn_up.weight", {2048, 5632}), GgmlType::kQ4_K);
  EXPECT_EQ(plan("q5_k_m", "blk.21.ffn_up.weight", {2048, 5632}), GgmlType::kQ5_K);
  EXPECT_EQ(plan("q5_k_m", "blk.1.attn_v.weight", {2048, 256}), GgmlType::kQ6_K);
}

TEST(QuantizePlan, SingleTypesApplyToEveryMatrix) {
  EXPECT_EQ(plan("q4_0", "output.weight", {2048, 32000}), GgmlType::kQ4_0);
  EXPECT_EQ(plan("q8_0", "blk.0.attn_v.weight", {2048, 256}), GgmlType::kQ8_0);
  EXPECT_EQ(plan("q6_k", "blk.3.ffn_down.weight", {5632, 2048}), GgmlType::kQ6_K);
}

TEST(QuantizePlan, VectorsAndNormsAreKept) {
  EXPECT_FALSE(plan("q4_0", "blk.0.attn_norm.weight", {2048}).has_value());
  EXPECT_FALSE(plan("q4_0", "output_norm.weight", {2048}).has_value());
  EXPECT_FALSE(plan("q4_0", "rope_freqs.weight", {32}).has_value());
  EXPECT_FALSE(plan("q4_0", "blk.0.some_bias", {2048, 4}).has_value());
}

TEST(QuantizePlan, RowsWithoutWholeBlocksFallBack) {
  // 288 = 9 x 32 holds no whole 256-element super-block (stories15M's width).
  EXPECT_EQ(plan("q4_k_m", "blk.5.attn_q.weight", {288, 288}), GgmlType::kQ5_0);
  EXPECT_EQ(plan("q5_k_m", "blk.5.attn_q.weight", {288, 288}), GgmlType::kQ5_1);
  EXPECT_EQ(plan("q4_k_m", "output.weight", {288, 512}), GgmlType::kQ8_0);
  EXPECT_EQ(plan("q4_0", "blk.0.attn_q.weight", {48, 48}), GgmlType::kF16);
}

}  // namespace
}  // namespace mynah::tensor
