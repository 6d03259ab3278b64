// Llama forward pass over a multi-sequence batch. Every matmul processes all batch rows at once (weights
// are streamed once per step), attention runs per (entry, head) against that entry's own sequence.
#include "model/arch/llama.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "kernels/attention.h"
#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/rope.h"
#include "model/weights.h"

namespace mynah::model {
namespace {

// Multiply-adds of q.k over a batch below which attention runs on the calling thread alone.
constexpr int64_t kMinParallelAttention = int64_t{1} << 17;

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
  void attention_tasks(const ForwardBatch& batch, const kernels::KvPages& kv, int32_t heads_per_task,
                       int32_t head_chunks, int64_t n_tasks, std::atomic<int64_t>& next);
  void write_kv(const ForwardBatch& batch, KvCache& cache, int32_t layer);

  std::shared_ptr<const gguf::GgufFile> file_;
  ModelConfig config_;
  tensor::TensorView token_embd_, output_;
  std::vector<float> output_norm_;
  std::vector<LayerWeights> layers_;
  std::unique_ptr<RopeAngles> rope_;

  // Scratch, resized per call (the engine thread is the only caller). Shapes are [n_entries][...].
  std::vector<float> x_, xb_, q_, k_, v_, att_, gate_, up_, rope_cos_, rope_sin_;
  std::vector<int32_t> attn_order_;                    // entry indices grouped by sequence
  std::vector<std::pair<int32_t, int32_t>> attn_runs_;  // attention tasks' ranges of attn_order_
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
// A task is a run of entries of one sequence times the query heads of one key/value head, so each
// chunk of cached keys and values is read once for up to kMaxAttentionQueries queries (a prompt's
// tokens and a GQA group). Threads take tasks from a shared counter: long and short sequences
// balance, and a descheduled thread delays the layer by at most one task.
void LlamaModel::attention(const ForwardBatch& batch, const KvCache& cache, int32_t layer, util::ThreadPool& pool) {
  const ModelConfig& c = config_;
  const int32_t group = c.n_heads / c.n_kv_heads;
  const int32_t heads_per_task = std::min(group, kernels::kMaxAttentionQueries);
  const int32_t entries_per_task = kernels::kMaxAttentionQueries / heads_per_task;
  attn_order_.resize(batch.entries.size());
  for (size_t i = 0; i < attn_order_.size(); ++i) attn_order_[i] = static_cast<int32_t>(i);
  std::stable_sort(attn_order_.begin(), attn_order_.end(),
                   [&](int32_t a, int32_t b) { return batch.entries[a].seq_slot < batch.entries[b].seq_slot; });
  attn_runs_.clear();  // [begin, end) in attn_order_
  for (size_t i = 0; i < attn_order_.size();) {
    size_t end = i + 1;
    const int32_t slot = batch.entries[attn_order_[i]].seq_slot;
    while (end < attn_order_.size() && end - i < static_cast<size_t>(entries_per_task) &&
           batch.entries[attn_order_[end]].seq_slot == slot) {
      ++end;
    }
    attn_runs_.push_back({static_cast<int32_t>(i), static_cast<int32_t>(end)});
    i = end;
  }
  struct Tasks {
    LlamaModel* self;
    const ForwardBatch* batch;
    kernels::KvPages kv;
    int32_t heads_per_task, head_chunks;
    int64_t n_tasks;
    std::atomic<int64_t> next{0};
  };
  const int32_t head_chunks = (group + heads_per_task - 1) / heads_per_task;
  Tasks tasks{this, &batch, {cache.k(layer, 0, 0), cache.v(layer, 0, 0), nullptr, cache.block_size(), cache.kv_dim()},
              heads_per_task, head_chunks,
              static_cast<int64_t>(attn_runs_.size()) * c.n_kv_heads * head_chunks};
  const auto work = [t = &tasks] {
    t->self->attention_tasks(*t->batch, t->kv, t->heads_per_task, t->head_chunks, t->n_tasks, t->next);
  };
  // Small attention (one token over a short context of a small model) is not worth waking a worker.
  int64_t n_pos_total = 0;
  for (const BatchEntry& e : batch.entries) n_pos_total += e.pos + 1;
  if (n_pos_total * c.n_heads * c.head_dim < kMinParallelAttention || tasks.n_tasks == 1) {
    work();
  } else {
    pool.run_shared(work);
  }
}

void LlamaModel::attention_tasks(const ForwardBatch& batch, const kernels::KvPages& kv, int32_t heads_per_task,
                                 int32_t head_chunks, int64_t n_tasks, std::atomic<int64_t>& next) {
  const ModelConfig& c = config_;
  const int32_t hd = c.head_dim, group = c.n_heads / c.n_kv_heads;
  const float* q[kernels::kMaxAttentionQueries];
  float* out[kernels::kMaxAttentionQueries];
  int32_t n_pos[kernels::kMaxAttentionQueries];
  kernels::AttentionQueries a;
  a.head_dim = hd;
  a.scale = 1.0f / std::sqrt(static_cast<float>(hd));
  a.q = q;
  a.out = out;
  a.n_pos = n_pos;
  for (int64_t task; (task = next.fetch_add(1, std::memory_order_relaxed)) < n_tasks;) {
    const auto [begin, end] = attn_runs_[task / (c.n_kv_heads * head_chunks)];
    const int32_t kv_head = static_cast<int32_t>(task / head_chunks % c.n_kv_heads);
    const int32_t h0 = kv_head * group + static_cast<int32_t>(task % head_chunks) * heads_per_task;
    const int32_t h1 = std::min(h0 + heads_per_task, (kv_head + 1) * group);
    const BatchEntry& first = batch.entries[attn_order_[begin]];
    a.kv = kv;
    a.kv.block_table = batch.block_tables[first.seq_slot].data();
    a.kv_offset = static_cast<int64_t>(kv_head) * hd;
    a.n_queries = 0;
    for (int32_t r = begin; r < end; ++r) {
      const size_t i = static_cast<size_t>(attn_order_[r]);
      for (int32_t h = h0; h < h1; ++h, ++a.n_queries) {
        q[a.n_queries] = &q_[i * c.q_dim() + h * hd];
        out[a.n_queries] = &att_[i * c.q_dim() + h * hd];
        n_pos[a.n_queries] = batch.entries[i].pos + 1;
      }
    }
    kernels::attend(a);
  }
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
  // Rotation angles depend only on the position: computed once per entry, shared by every layer.
  const int64_t n_pairs = rope_->n_pairs();
  rope_cos_.resize(n * n_pairs);
  rope_sin_.resize(n * n_pairs);
  for (int64_t i = 0; i < n; ++i) rope_->angles(batch.entries[i].pos, &rope_cos_[i * n_pairs], &rope_sin_[i * n_pairs]);
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
      const float* cos = &rope_cos_[i * n_pairs];
      const float* sin = &rope_sin_[i * n_pairs];
      kernels::rope_rotate_pairs(&q_[i * c.q_dim()], c.n_heads, c.head_dim, c.rope_dim, cos, sin);
      kernels::rope_rotate_pairs(&k_[i * c.kv_dim()], c.n_kv_heads, c.head_dim, c.rope_dim, cos, sin);
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
