// Which ggml type each tensor of a model gets when it is quantized to a named recipe ("q4_0",
// "q4_k_m", ...). The _M mixes follow llama.cpp's quantizer (llama_tensor_get_type): Q6_K for the
// output matrix (or the tied token embedding) and, in the layers use_more_bits() picks, for attn_v
// and ffn_down; the base K type elsewhere. `mynah quantize` and the random-model writer share it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_types.h"

namespace mynah::tensor {

struct QuantizeRecipe {
  std::string name;  // as given on the command line, lower case
  gguf::GgmlType base = gguf::GgmlType::kQ4_0;
  bool mixed = false;     // an _M recipe
  uint32_t file_type = 0;  // llama.cpp's llama_ftype value, written to general.file_type
};

// The recipe of a name (f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k,
// q6_k, q4_k_m, q5_k_m; case-insensitive), or nullopt.
std::optional<QuantizeRecipe> find_quantize_recipe(std::string_view name);

// The names find_quantize_recipe accepts, for help and error text.
std::string quantize_recipe_names();

// llama.cpp's use_more_bits: the first and last eighth of the layers and every third in between.
bool use_more_bits(int64_t layer, int64_t n_layers);

struct TensorToQuantize {
  std::string_view name;          // e.g. "blk.3.attn_v.weight"
  std::vector<uint64_t> dims;     // ggml order: dims[0] is the row length
  bool output_is_tied = false;    // the model has no output.weight (token_embd doubles as it)
};

// The type the tensor is written as. 1-D tensors and tensors that are not "*.weight" matrices stay
// as they are (nullopt: copy unchanged). A row length that the chosen type's block does not divide
// falls back as llama.cpp does (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, Q2_K/Q3_K -> Q4_0),
// and to F16 when even 32 does not divide it.
std::optional<gguf::GgmlType> planned_type(const QuantizeRecipe& recipe, const TensorToQuantize& tensor,
                                           int64_t n_layers);

}  // namespace mynah::tensor
