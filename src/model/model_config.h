// Hyperparameters of a decoder-only transformer, read from GGUF metadata under the arch prefix.
#pragma once

#include <cstdint>
#include <string>

#include "gguf/metadata.h"
#include "util/status.h"

namespace mynah::model {

enum class RopeScaling { kNone, kLinear, kYarn };

struct ModelConfig {
  std::string arch;        // general.architecture
  std::string name;        // general.name, if any
  int32_t n_vocab = 0;
  int32_t n_embd = 0;
  int32_t n_layers = 0;
  int32_t n_heads = 0;
  int32_t n_kv_heads = 0;
  int32_t head_dim = 0;    // key/value length per head
  int32_t n_ff = 0;
  int32_t n_ctx_train = 0;
  float rms_eps = 1e-5f;

  // Rotary embeddings (arXiv:2104.09864); YaRN per arXiv:2309.00071 as ggml implements it.
  int32_t rope_dim = 0;    // rotated dimensions per head (<= head_dim)
  float rope_freq_base = 10000.0f;
  RopeScaling rope_scaling = RopeScaling::kNone;
  float rope_scaling_factor = 1.0f;
  int32_t rope_orig_ctx = 0;

  int32_t q_dim() const { return n_heads * head_dim; }
  int32_t kv_dim() const { return n_kv_heads * head_dim; }

  // Reads and validates every field; errors name the key and the offending value.
  static util::Result<ModelConfig> from_metadata(const gguf::Metadata& md);
};

}  // namespace mynah::model
