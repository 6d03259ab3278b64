// ModelConfig::from_metadata: the llama.cpp key conventions ("{arch}.embedding_length", ...).
#include "model/model_config.h"

#include <fmt/format.h>

namespace mynah::model {

using util::make_error;
using util::Result;

namespace {

// Reads a positive integer key into *out; absent keys keep the default when `required` is false.
util::Status read_int(const gguf::Metadata& md, const std::string& key, bool required, int32_t* out) {
  if (!md.contains(key)) {
    if (required) return make_error("model metadata is missing '{}'", key);
    return {};
  }
  auto v = md.get_u32(key);
  if (!v) return v.take_error();
  if (*v == 0 || *v > (1u << 30)) return make_error("model metadata '{}' = {} is out of range", key, *v);
  *out = static_cast<int32_t>(*v);
  return {};
}

util::Status read_rope_scaling(const gguf::Metadata& md, const std::string& a, ModelConfig* c) {
  auto type = md.find_string(a + ".rope.scaling.type");
  if (!type) return type.take_error();
  const std::string kind = type->value_or("none");
  if (kind == "none") {
    c->rope_scaling = RopeScaling::kNone;
  } else if (kind == "linear") {
    c->rope_scaling = RopeScaling::kLinear;
  } else if (kind == "yarn") {
    c->rope_scaling = RopeScaling::kYarn;
  } else {
    return make_error("'{}.rope.scaling.type' = \"{}\" is not supported (none, linear, yarn)", a, kind);
  }
  auto factor = md.find_f32(a + ".rope.scaling.factor");
  if (!factor) return factor.take_error();
  c->rope_scaling_factor = factor->value_or(1.0f);
  if (!(c->rope_scaling_factor > 0.0f)) {
    return make_error("'{}.rope.scaling.factor' = {} must be positive", a, c->rope_scaling_factor);
  }
  if (c->rope_scaling_factor == 1.0f) c->rope_scaling = RopeScaling::kNone;
  c->rope_orig_ctx = c->n_ctx_train;
  return read_int(md, a + ".rope.scaling.original_context_length", false, &c->rope_orig_ctx);
}

}  // namespace

Result<ModelConfig> ModelConfig::from_metadata(const gguf::Metadata& md) {
  ModelConfig c;
  auto arch = md.get_string("general.architecture");
  if (!arch) return arch.take_error();
  c.arch = *arch;
  if (auto name = md.find_string("general.name"); name.ok() && name->has_value()) c.name = **name;
  const std::string& a = c.arch;

  MYNAH_TRY(read_int(md, a + ".embedding_length", true, &c.n_embd));
  MYNAH_TRY(read_int(md, a + ".block_count", true, &c.n_layers));
  MYNAH_TRY(read_int(md, a + ".feed_forward_length", true, &c.n_ff));
  MYNAH_TRY(read_int(md, a + ".attention.head_count", true, &c.n_heads));
  c.n_kv_heads = c.n_heads;
  MYNAH_TRY(read_int(md, a + ".attention.head_count_kv", false, &c.n_kv_heads));
  MYNAH_TRY(read_int(md, a + ".context_length", true, &c.n_ctx_train));
  if (c.n_embd % c.n_heads != 0) {
    return make_error("embedding length {} is not divisible by head count {}", c.n_embd, c.n_heads);
  }
  c.head_dim = c.n_embd / c.n_heads;
  MYNAH_TRY(read_int(md, a + ".attention.key_length", false, &c.head_dim));
  int32_t value_length = c.head_dim;
  MYNAH_TRY(read_int(md, a + ".attention.value_length", false, &value_length));
  if (value_length != c.head_dim) {
    return make_error("attention value_length {} differs from key_length {}: not supported", value_length, c.head_dim);
  }
  if (c.n_heads % c.n_kv_heads != 0) {
    return make_error("head count {} is not a multiple of the key/value head count {}", c.n_heads, c.n_kv_heads);
  }
  c.rope_dim = c.head_dim;
  MYNAH_TRY(read_int(md, a + ".rope.dimension_count", false, &c.rope_dim));
  if (c.rope_dim > c.head_dim || c.rope_dim % 2 != 0) {
    return make_error("rope dimension count {} must be even and at most the head size {}", c.rope_dim, c.head_dim);
  }
  auto eps = md.find_f32(a + ".attention.layer_norm_rms_epsilon");
  if (!eps) return eps.take_error();
  c.rms_eps = eps->value_or(1e-5f);
  if (!(c.rms_eps > 0.0f && c.rms_eps < 1.0f)) return make_error("rms epsilon {} is out of range", c.rms_eps);
  auto base = md.find_f32(a + ".rope.freq_base");
  if (!base) return base.take_error();
  c.rope_freq_base = base->value_or(10000.0f);
  if (!(c.rope_freq_base > 1.0f)) return make_error("'{}.rope.freq_base' = {} must exceed 1", a, c.rope_freq_base);
  MYNAH_TRY(read_rope_scaling(md, a, &c));

  if (md.contains(a + ".expert_count")) {
    auto experts = md.get_u32(a + ".expert_count");
    if (experts.ok() && *experts > 0) return make_error("mixture-of-experts models are not supported yet");
  }
  if (md.contains(a + ".vocab_size")) {
    MYNAH_TRY(read_int(md, a + ".vocab_size", true, &c.n_vocab));
  } else if (auto tokens = md.get_string_array("tokenizer.ggml.tokens"); tokens.ok()) {
    c.n_vocab = static_cast<int32_t>(tokens->size());
  }
  return c;
}

}  // namespace mynah::model
