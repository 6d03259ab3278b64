// The per-tensor type choices of `mynah quantize` (see quantize_plan.h).
#include "tensor/quantize_plan.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mynah::tensor {
namespace {

using gguf::GgmlType;

struct RecipeRow {
  const char* name;
  GgmlType base;
  bool mixed;
  uint32_t file_type;  // llama_ftype; pure K types use the _S value, the closest llama.cpp has
};

constexpr RecipeRow kRecipes[] = {
    {"f32", GgmlType::kF32, false, 0},    {"f16", GgmlType::kF16, false, 1},     {"bf16", GgmlType::kBF16, false, 32},
    {"q8_0", GgmlType::kQ8_0, false, 7},  {"q4_0", GgmlType::kQ4_0, false, 2},   {"q4_1", GgmlType::kQ4_1, false, 3},
    {"q5_0", GgmlType::kQ5_0, false, 8},  {"q5_1", GgmlType::kQ5_1, false, 9},   {"q2_k", GgmlType::kQ2_K, false, 10},
    {"q3_k", GgmlType::kQ3_K, false, 11}, {"q4_k", GgmlType::kQ4_K, false, 14},  {"q5_k", GgmlType::kQ5_K, false, 16},
    {"q6_k", GgmlType::kQ6_K, false, 18}, {"q4_k_m", GgmlType::kQ4_K, true, 15}, {"q5_k_m", GgmlType::kQ5_K, true, 17},
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// N of "blk.N.*", or -1.
int64_t layer_of(std::string_view name) {
  constexpr std::string_view kPrefix = "blk.";
  if (name.substr(0, kPrefix.size()) != kPrefix) return -1;
  int64_t layer = -1;
  const char* begin = name.data() + kPrefix.size();
  const auto [end, ec] = std::from_chars(begin, name.data() + name.size(), layer);
  return ec == std::errc() && end != begin && *end == '.' ? layer : -1;
}

// llama.cpp's fallback when a row does not hold whole K super-blocks.
GgmlType fallback(GgmlType type) {
  switch (type) {
    case GgmlType::kQ2_K:
    case GgmlType::kQ3_K: return GgmlType::kQ4_0;
    case GgmlType::kQ4_K: return GgmlType::kQ5_0;
    case GgmlType::kQ5_K: return GgmlType::kQ5_1;
    case GgmlType::kQ6_K: return GgmlType::kQ8_0;
    default: return GgmlType::kF16;
  }
}

}  // namespace

std::optional<QuantizeRecipe> find_quantize_recipe(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const RecipeRow& r : kRecipes) {
    if (lower == r.name) return QuantizeRecipe{lower, r.base, r.mixed, r.file_type};
  }
  return std::nullopt;
}

std::string quantize_recipe_names() {
  std::string out;
  for (const RecipeRow& r : kRecipes) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return out;
}

bool use_more_bits(int64_t layer, int64_t n_layers) {
  return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

std::optional<GgmlType> planned_type(const QuantizeRecipe& recipe, const TensorToQuantize& tensor, int64_t n_layers) {
  const std::string_view name = tensor.name;
  if (tensor.dims.size() < 2 || !ends_with(name, ".weight") || name.find("_norm.") != std::string_view::npos) {
    return std::nullopt;
  }
  GgmlType type = recipe.base;
  if (recipe.mixed) {
    const int64_t layer = layer_of(name);
    const bool is_output = name == "output.weight" || (tensor.output_is_tied && name == "token_embd.weight");
    if (is_output) {
      type = GgmlType::kQ6_K;
    } else if ((ends_with(name, ".attn_v.weight") || ends_with(name, ".ffn_down.weight")) && layer >= 0 &&
               use_more_bits(layer, n_layers)) {
      type = GgmlType::kQ6_K;
    } else if (ends_with(name, ".attn_qkv.weight")) {  // fused q/k/v: one step up, as llama.cpp does
      type = recipe.base == GgmlType::kQ4_K ? GgmlType::kQ5_K : GgmlType::kQ6_K;
    }
  }
  const uint64_t row = tensor.dims[0];
  while (row % gguf::ggml_type_traits(type).block_size != 0 && type != GgmlType::kF16) type = fallback(type);
  return type;
}

}  // namespace mynah::tensor
