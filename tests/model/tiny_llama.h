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
};

// F32 weights drawn from N(0, 0.3^2) with a fixed seed; norm weights around 1.
std::vector<uint8_t> make_tiny_llama(const TinyLlamaShape& shape, uint32_t seed = 1);

}  // namespace mynah::model::testing
