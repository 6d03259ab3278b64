// make_random_gguf: writes a llama-architecture GGUF of any shape with random weights and the
// vocabulary of another GGUF, so tests and benchmarks can use realistically sized models offline.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tensor/quantize.h"
#include "tensor/quantize_plan.h"

namespace {

using mynah::gguf::GgmlType;

struct Shape {
  uint32_t dim = 2048, layers = 22, heads = 32, kv_heads = 4, ffn = 5632, ctx = 2048;
};

// Cheap deterministic uniform noise; the weights only need realistic magnitudes, not any particular law.
class Noise {
 public:
  explicit Noise(uint64_t seed) : s_(seed * 0x9e3779b97f4a7c15ull + 1) {}
  float next(float scale) {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return (static_cast<float>(s_ >> 40) * 0x1p-24f * 2.0f - 1.0f) * scale;
  }

 private:
  uint64_t s_;
};

std::vector<uint8_t> random_matrix(GgmlType type, uint64_t cols, uint64_t rows, float scale, Noise& noise) {
  const auto traits = mynah::gguf::ggml_type_traits(type);
  const uint64_t row_bytes = cols / traits.block_size * traits.block_bytes;
  std::vector<uint8_t> out(row_bytes * rows);
  std::vector<float> row(cols);
  for (uint64_t r = 0; r < rows; ++r) {
    for (auto& x : row) x = noise.next(scale);
    if (!mynah::tensor::quantize_row(type, row.data(), out.data() + r * row_bytes, static_cast<int64_t>(cols))) {
      throw std::runtime_error("cannot quantize to this type");
    }
  }
  return out;
}

std::vector<uint8_t> ones(uint64_t n) {
  std::vector<uint8_t> out(n * 4);
  const float one = 1.0f;
  for (uint64_t i = 0; i < n; ++i) std::memcpy(&out[i * 4], &one, 4);
  return out;
}

// Which type each matrix gets: the same plan `mynah quantize` follows (tensor/quantize_plan.h), so a
// random q4_k_m file mixes Q4_K and Q6_K exactly as a quantized real model does.
mynah::tensor::QuantizeRecipe parse_type(const std::string& name) {
  auto recipe = mynah::tensor::find_quantize_recipe(name);
  if (!recipe) throw CLI::ValidationError("--type", "must be one of " + mynah::tensor::quantize_recipe_names());
  return *recipe;
}

int write_model(const Shape& s, const std::string& type_name, const std::string& vocab_path, const std::string& out,
                uint64_t seed) {
  const mynah::tensor::QuantizeRecipe recipe = parse_type(type_name);
  auto vocab = mynah::gguf::GgufFile::open(vocab_path);
  if (!vocab) {
    std::fprintf(stderr, "error: %s\n", vocab.error().message.c_str());
    return 1;
  }
  auto tokens = vocab->metadata().get_string_array("tokenizer.ggml.tokens");
  if (!tokens) {
    std::fprintf(stderr, "error: %s: %s\n", vocab_path.c_str(), tokens.error().message.c_str());
    return 1;
  }
  const uint32_t block = std::max(32u, mynah::gguf::ggml_type_traits(recipe.base).block_size);
  if (s.dim % s.heads != 0 || s.heads % s.kv_heads != 0 || s.dim % block != 0 || s.ffn % block != 0) {
    std::fprintf(stderr, "error: dim must be a multiple of heads and of %u; heads a multiple of kv-heads; ffn of %u\n",
                 block, block);
    return 1;
  }
  const uint64_t n_vocab = tokens->size(), kv = uint64_t{s.dim} / s.heads * s.kv_heads;
  mynah::gguf::GgufWriter w;
  w.add("general.architecture", {std::string("llama")});
  w.add("general.name", {std::string("random-llama")});
  w.add("llama.embedding_length", {s.dim});
  w.add("llama.block_count", {s.layers});
  w.add("llama.feed_forward_length", {s.ffn});
  w.add("llama.attention.head_count", {s.heads});
  w.add("llama.attention.head_count_kv", {s.kv_heads});
  w.add("llama.context_length", {s.ctx});
  w.add("llama.rope.freq_base", {10000.0f});
  w.add("llama.attention.layer_norm_rms_epsilon", {1e-5f});
  w.add("llama.vocab_size", {static_cast<uint32_t>(n_vocab)});
  for (const auto& key : vocab->metadata().keys()) {
    if (key.rfind("tokenizer.", 0) == 0) w.add(key, *vocab->metadata().find(key));
  }
  Noise noise(seed);
  const float scale = 0.05f;
  // matrix(name, layer, cols, rows): a random matrix in the recipe's type for that tensor.
  const auto matrix = [&](const std::string& prefix, const std::string& name, uint32_t layer, uint64_t cols,
                          uint64_t rows) {
    const std::string full = prefix + name;
    const GgmlType type =
        mynah::tensor::planned_type(recipe, {full, {cols, rows}, false}, s.layers).value_or(GgmlType::kF32);
    w.add_tensor(prefix + name, type, {cols, rows}, random_matrix(type, cols, rows, scale, noise));
  };
  matrix("", "token_embd.weight", 0, s.dim, n_vocab);
  w.add_tensor("output_norm.weight", GgmlType::kF32, {s.dim}, ones(s.dim));
  matrix("", "output.weight", 0, s.dim, n_vocab);
  for (uint32_t l = 0; l < s.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    w.add_tensor(p + "attn_norm.weight", GgmlType::kF32, {s.dim}, ones(s.dim));
    matrix(p, "attn_q.weight", l, s.dim, s.dim);
    matrix(p, "attn_k.weight", l, s.dim, kv);
    matrix(p, "attn_v.weight", l, s.dim, kv);
    matrix(p, "attn_output.weight", l, s.dim, s.dim);
    w.add_tensor(p + "ffn_norm.weight", GgmlType::kF32, {s.dim}, ones(s.dim));
    matrix(p, "ffn_gate.weight", l, s.dim, s.ffn);
    matrix(p, "ffn_up.weight", l, s.dim, s.ffn);
    matrix(p, "ffn_down.weight", l, s.ffn, s.dim);
  }
  auto status = w.write_file(out);
  if (!status) {
    std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %s\n", out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write a llama-architecture GGUF with random weights (default shape: TinyLlama 1.1B)"};
  Shape s;
  std::string type = "q4_0", vocab, out;
  uint64_t seed = 1;
  app.add_option("-o,--out", out, "Output GGUF path")->required();
  app.add_option("--vocab-from", vocab, "GGUF whose tokenizer.* metadata is copied")->required()->check(CLI::ExistingFile);
  app.add_option("--type", type, "Weight type: f32, f16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k .. q6_k, q4_k_m, q5_k_m")
      ->capture_default_str();
  app.add_option("--dim", s.dim, "Embedding size")->capture_default_str()->check(CLI::Range(32u, 65536u));
  app.add_option("--layers", s.layers, "Blocks")->capture_default_str()->check(CLI::Range(1u, 512u));
  app.add_option("--heads", s.heads, "Attention heads")->capture_default_str()->check(CLI::Range(1u, 1024u));
  app.add_option("--kv-heads", s.kv_heads, "Key/value heads")->capture_default_str()->check(CLI::Range(1u, 1024u));
  app.add_option("--ffn", s.ffn, "Feed-forward size")->capture_default_str()->check(CLI::Range(32u, 1u << 20));
  app.add_option("--ctx", s.ctx, "Context length")->capture_default_str()->check(CLI::Range(1u, 1u << 24));
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return write_model(s, type, vocab, out, seed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
