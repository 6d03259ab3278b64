// A small random llama-architecture GGUF built in memory, for model tests.
#pragma once

#include <cstdint>
#include <vector>

#include "gguf/gguf_types.h"

namespace mynah::model::testing {

struct TinyLlamaShape {
  int32_t n_vocab = 37, n_embd = 32, n_layers = 2, n_heads = 4, n_kv_heads = 2, n_ff = 48, n_ctx = 64;
  float rope_base = 10000.0f;
  bool tied_output = false;
  // Type of the 2-D weights (the quantized ones need n_embd and n_ff multiples of the block size).
  gguf::GgmlType matrix_type = gguf::GgmlType::kF32;
};

// Weights drawn from N(0, 0.3^2) with a fixed seed (matrices then quantized to matrix_type); norm
// weights around 1, always F32.
std::vector<uint8_t> make_tiny_llama(const TinyLlamaShape& shape, uint32_t seed = 1);

}  // namespace mynah::model::testing
