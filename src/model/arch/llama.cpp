// Llama forward pass over a multi-sequence batch. Every matmul processes all batch rows at once (weights
// are streamed once per step), attention runs per (entry, head) against that entry's own sequence.
#include "model/arch/llama.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/rope.h"
#include "model/weights.h"

namespace mynah::model {
namespace {

struct LayerWeights {
  std::vector<float> attn_norm, ffn_norm;
  tensor::TensorView wq, wk, wv, wo, w_gate, w_up, w_down;
};

class LlamaModel final : public Model {
 public:
  LlamaModel(std::shared_ptr<const gguf::GgufFile> file, ModelConfig config)
      : file_(std::move(file)), config_(std::move(config)) {}

  util::Status bind();
  const ModelConfig& config() const override { return config_; }
  util::Status forward(const ForwardBatch& batch, KvCache& cache, util::ThreadPool& pool, float* logits) override;

 private:
  util::Status validate(const ForwardBatch& batch, const KvCache& cache) const;
  void attention(const ForwardBatch& batch, const KvCache& cache, int32_t layer, util::ThreadPool& pool);
  void write_kv(const ForwardBatch& batch, KvCache& cache, int32_t layer);

  std::shared_ptr<const gguf::GgufFile> file_;
  ModelConfig config_;
  tensor::TensorView token_embd_, output_;
  std::vector<float> output_norm_;
  std::vector<LayerWeights> layers_;
  std::unique_ptr<RopeAngles> rope_;

  // Scratch, resized per call (the engine thread is the only caller). Shapes are [n_entries][...].
  std::vector<float> x_, xb_, q_, k_, v_, att_, gate_, up_, rope_cos_, rope_sin_, scores_;
};

util::Status LlamaModel::bind() {
  const auto& c = config_;
  WeightBinder b(*file_);
  token_embd_ = b.matrix("token_embd.weight", c.n_embd, c.n_vocab);
  output_norm_ = b.vector("output_norm.weight", c.n_embd);
  // No output.weight means the output head is tied to the token embedding.
  output_ = b.optional_matrix("output.weight", c.n_embd, c.n_vocab).value_or(token_embd_);
  layers_.resize(c.n_layers);
  for (int32_t l = 0; l < c.n_layers; ++l) {
    const std::string p = fmt::format("blk.{}.", l);
    LayerWeights& w = layers_[l];
    w.attn_norm = b.vector(p + "attn_norm.weight", c.n_embd);
    w.ffn_norm = b.vector(p + "ffn_norm.weight", c.n_embd);
    w.wq = b.matrix(p + "attn_q.weight", c.n_embd, c.q_dim());
    w.wk = b.matrix(p + "attn_k.weight", c.n_embd, c.kv_dim());
    w.wv = b.matrix(p + "attn_v.weight", c.n_embd, c.kv_dim());
    w.wo = b.matrix(p + "attn_output.weight", c.q_dim(), c.n_embd);
    w.w_gate = b.matrix(p + "ffn_gate.weight", c.n_embd, c.n_ff);
    w.w_up = b.matrix(p + "ffn_up.weight", c.n_embd, c.n_ff);
    w.w_down = b.matrix(p + "ffn_down.weight", c.n_ff, c.n_embd);
  }
  auto freq_factors = b.optional_vector("rope_freqs.weight", c.rope_dim / 2);
  MYNAH_TRY(b.finish());
  rope_ = std::make_unique<RopeAngles>(c, std::move(freq_factors));
  return {};
}

util::Status LlamaModel::validate(const ForwardBatch& batch, const KvCache& cache) const {
  if (cache.kv_dim() != config_.kv_dim()) return util::make_error("KV cache does not belong to this model");
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const BatchEntry& e = batch.entries[i];
    if (e.seq_slot < 0 || static_cast<size_t>(e.seq_slot) >= batch.block_tables.size()) {
      return util::make_error("batch entry {}: sequence slot {} has no block table", i, e.seq_slot);
    }
    if (e.token < 0 || e.token >= config_.n_vocab) {
      return util::make_error("batch entry {}: token id {} is outside the vocabulary [0, {})", i, e.token, config_.n_vocab);
    }
    const auto& table = batch.block_tables[e.seq_slot];
    if (e.pos < 0 || e.pos / cache.block_size() >= static_cast<int32_t>(table.size())) {
      return util::make_error("batch entry {}: position {} is beyond the sequence's KV blocks", i, e.pos);
    }
    for (int32_t b = 0; b <= e.pos / cache.block_size(); ++b) {
      if (table[b] < 0 || table[b] >= cache.n_blocks()) return util::make_error("batch entry {}: bad KV block id {}", i, table[b]);
    }
  }
  return {};
}

void LlamaModel::write_kv(const ForwardBatch& batch, KvCache& cache, int32_t layer) {
  const int32_t kv_dim = config_.kv_dim();
  const int32_t bs = cache.block_size();
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const BatchEntry& e = batch.entries[i];
    const int32_t block = batch.block_tables[e.seq_slot][e.pos / bs];
    std::copy_n(&k_[i * kv_dim], kv_dim, cache.k(layer, block, e.pos % bs));
    std::copy_n(&v_[i * kv_dim], kv_dim, cache.v(layer, block, e.pos % bs));
  }
}

// Scaled dot-product attention of each entry's query heads over positions [0, pos] of its sequence.
void LlamaModel::attention(const ForwardBatch& batch, const KvCache& cache, int32_t layer, util::ThreadPool& pool) {
  const int32_t hd = config_.head_dim, n_heads = config_.n_heads;
  const int32_t group = n_heads / config_.n_kv_heads, bs = cache.block_size();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  int32_t max_pos = 0;
  for (const auto& e : batch.entries) max_pos = std::max(max_pos, e.pos);
  const int64_t n_tasks = static_cast<int64_t>(batch.entries.size()) * n_heads;
  scores_.resize(static_cast<size_t>(pool.n_threads()) * (max_pos + 1));
  pool.run([&](int thread_idx, int n_threads) {
    float* scores = &scores_[static_cast<size_t>(thread_idx) * (max_pos + 1)];
    for (int64_t task = n_tasks * thread_idx / n_threads; task < n_tasks * (thread_idx + 1) / n_threads; ++task) {
      const size_t i = static_cast<size_t>(task / n_heads);
      const int32_t h = static_cast<int32_t>(task % n_heads);
      const BatchEntry& e = batch.entries[i];
      const auto& table = batch.block_tables[e.seq_slot];
      const float* q = &q_[i * config_.q_dim() + h * hd];
      const int32_t kv_off = (h / group) * hd;
      for (int32_t p = 0; p <= e.pos; ++p) {
        const float* k = cache.k(layer, table[p / bs], p % bs) + kv_off;
        float dot = 0.0f;
        for (int32_t d = 0; d < hd; ++d) dot += q[d] * k[d];
        scores[p] = dot * scale;
      }
      kernels::softmax(scores, e.pos + 1);
      float* out = &att_[i * config_.q_dim() + h * hd];
      std::fill_n(out, hd, 0.0f);
      for (int32_t p = 0; p <= e.pos; ++p) {
        const float* v = cache.v(layer, table[p / bs], p % bs) + kv_off;
        const float w = scores[p];
        for (int32_t d = 0; d < hd; ++d) out[d] += w * v[d];
      }
    }
  });
}

util::Status LlamaModel::forward(const ForwardBatch& batch, KvCache& cache, util::ThreadPool& pool, float* logits) {
  MYNAH_TRY(validate(batch, cache));
  const auto& c = config_;
  const int64_t n = static_cast<int64_t>(batch.entries.size());
  if (n == 0) return {};
  x_.resize(n * c.n_embd);
  xb_.resize(n * std::max(c.n_embd, c.q_dim()));
  q_.resize(n * c.q_dim());
  k_.resize(n * c.kv_dim());
  v_.resize(n * c.kv_dim());
  att_.resize(n * c.q_dim());
  gate_.resize(n * c.n_ff);
  up_.resize(n * c.n_ff);
  rope_cos_.resize(rope_->n_pairs());
  rope_sin_.resize(rope_->n_pairs());
  for (int64_t i = 0; i < n; ++i) {
    if (batch.entries[i].embedding) {
      std::copy_n(batch.entries[i].embedding, c.n_embd, &x_[i * c.n_embd]);
    } else if (!kernels::get_row(token_embd_, batch.entries[i].token, &x_[i * c.n_embd])) {
      return util::make_error("cannot read embedding row {}", batch.entries[i].token);
    }
  }

  for (int32_t l = 0; l < c.n_layers; ++l) {
    const LayerWeights& w = layers_[l];
    for (int64_t i = 0; i < n; ++i) kernels::rmsnorm(&x_[i * c.n_embd], w.attn_norm.data(), &xb_[i * c.n_embd], c.n_embd, c.rms_eps);
    kernels::matmul(w.wq, xb_.data(), n, q_.data(), pool);
    kernels::matmul(w.wk, xb_.data(), n, k_.data(), pool);
    kernels::matmul(w.wv, xb_.data(), n, v_.data(), pool);
    for (int64_t i = 0; i < n; ++i) {
      rope_->angles(batch.entries[i].pos, rope_cos_.data(), rope_sin_.data());
      kernels::rope_rotate_pairs(&q_[i * c.q_dim()], c.n_heads, c.head_dim, c.rope_dim, rope_cos_.data(), rope_sin_.data());
      kernels::rope_rotate_pairs(&k_[i * c.kv_dim()], c.n_kv_heads, c.head_dim, c.rope_dim, rope_cos_.data(), rope_sin_.data());
    }
    write_kv(batch, cache, l);
    attention(batch, cache, l, pool);
    kernels::matmul(w.wo, att_.data(), n, xb_.data(), pool);
    kernels::add_inplace(x_.data(), xb_.data(), n * c.n_embd);

    for (int64_t i = 0; i < n; ++i) kernels::rmsnorm(&x_[i * c.n_embd], w.ffn_norm.data(), &xb_[i * c.n_embd], c.n_embd, c.rms_eps);
    kernels::matmul(w.w_gate, xb_.data(), n, gate_.data(), pool);
    kernels::matmul(w.w_up, xb_.data(), n, up_.data(), pool);
    kernels::silu_mul(gate_.data(), up_.data(), n * c.n_ff);
    kernels::matmul(w.w_down, gate_.data(), n, xb_.data(), pool);
    kernels::add_inplace(x_.data(), xb_.data(), n * c.n_embd);
  }

  // Final norm and output head only for the rows that want logits.
  int64_t n_out = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!batch.entries[i].want_logits) continue;
    kernels::rmsnorm(&x_[i * c.n_embd], output_norm_.data(), &xb_[n_out * c.n_embd], c.n_embd, c.rms_eps);
    ++n_out;
  }
  if (n_out > 0) kernels::matmul(output_, xb_.data(), n_out, logits, pool);
  return {};
}

}  // namespace

util::Result<std::unique_ptr<Model>> load_llama(std::shared_ptr<const gguf::GgufFile> file, ModelConfig config) {
  if (config.n_vocab == 0) {
    const auto* embd = file->find_tensor("token_embd.weight");
    if (!embd || embd->dims.size() != 2) return util::make_error("{}: token_embd.weight is missing", file->source_name());
    config.n_vocab = static_cast<int32_t>(embd->dims[1]);
  }
  auto model = std::make_unique<LlamaModel>(std::move(file), std::move(config));
  MYNAH_TRY(model->bind());
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace mynah::model
