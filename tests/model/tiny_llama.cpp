#include "tiny_llama.h"

#include <cstring>
#include <random>
#include <string>

#include "gguf/gguf_writer.h"
#include "tensor/quantize.h"

namespace mynah::model::testing {

std::vector<uint8_t> make_tiny_llama(const TinyLlamaShape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  auto tensor = [&](gguf::GgufWriter& w, const std::string& name, std::vector<uint64_t> dims, float offset) {
    uint64_t n = 1;
    for (auto d : dims) n *= d;
    std::vector<float> values(n);
    for (float& x : values) x = offset + normal(rng);
    const gguf::GgmlType type = dims.size() == 2 ? s.matrix_type : gguf::GgmlType::kF32;
    const auto traits = gguf::ggml_type_traits(type);
    const uint64_t row_bytes = dims[0] / traits.block_size * traits.block_bytes, n_rows = n / dims[0];
    std::vector<uint8_t> bytes(row_bytes * n_rows);
    for (uint64_t r = 0; r < n_rows; ++r) {
      if (!tensor::quantize_row(type, &values[r * dims[0]], &bytes[r * row_bytes], static_cast<int64_t>(dims[0]))) {
        bytes.clear();  // an unsupported shape: the model loader reports the tensor
        break;
      }
    }
    w.add_tensor(name, type, std::move(dims), std::move(bytes));
  };
  gguf::GgufWriter w;
  w.add("general.architecture", gguf::Value{std::string("llama")});
  w.add("llama.embedding_length", gguf::Value{uint32_t(s.n_embd)});
  w.add("llama.block_count", gguf::Value{uint32_t(s.n_layers)});
  w.add("llama.feed_forward_length", gguf::Value{uint32_t(s.n_ff)});
  w.add("llama.attention.head_count", gguf::Value{uint32_t(s.n_heads)});
  w.add("llama.attention.head_count_kv", gguf::Value{uint32_t(s.n_kv_heads)});
  w.add("llama.context_length", gguf::Value{uint32_t(s.n_ctx)});
  w.add("llama.rope.freq_base", gguf::Value{s.rope_base});
  w.add("llama.attention.layer_norm_rms_epsilon", gguf::Value{1e-5f});
  w.add("llama.vocab_size", gguf::Value{uint32_t(s.n_vocab)});
  const uint64_t E = s.n_embd, V = s.n_vocab, F = s.n_ff, KV = s.n_embd / s.n_heads * s.n_kv_heads;
  tensor(w, "token_embd.weight", {E, V}, 0.0f);
  tensor(w, "output_norm.weight", {E}, 1.0f);
  if (!s.tied_output) tensor(w, "output.weight", {E, V}, 0.0f);
  for (int l = 0; l < s.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    tensor(w, p + "attn_norm.weight", {E}, 1.0f);
    tensor(w, p + "attn_q.weight", {E, E}, 0.0f);
    tensor(w, p + "attn_k.weight", {E, KV}, 0.0f);
    tensor(w, p + "attn_v.weight", {E, KV}, 0.0f);
    tensor(w, p + "attn_output.weight", {E, E}, 0.0f);
    tensor(w, p + "ffn_norm.weight", {E}, 1.0f);
    tensor(w, p + "ffn_gate.weight", {E, F}, 0.0f);
    tensor(w, p + "ffn_up.weight", {E, F}, 0.0f);
    tensor(w, p + "ffn_down.weight", {F, E}, 0.0f);
  }
  return w.to_bytes();
}

}  // namespace mynah::model::testing
