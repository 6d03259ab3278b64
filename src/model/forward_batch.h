// The model's unit of work: tokens from any number of sequences, computed in one forward call.
// Continuous batching builds every step out of this shape (prefill chunks + one decode token each).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mynah::model {

struct BatchEntry {
  int32_t seq_slot = 0;     // index into ForwardBatch::block_tables
  int32_t pos = 0;          // position of this token in its sequence
  int32_t token = 0;
  bool want_logits = false; // emit a logits row for this entry
  const float* embedding = nullptr;  // [n_embd] input embedding to use instead of the token's, if set
};

struct ForwardBatch {
  // Within one sequence, positions must be ascending and contiguous with what the cache already holds
  // for that sequence: attention at `pos` reads cached positions [0, pos] of the same sequence.
  std::vector<BatchEntry> entries;
  // block_tables[slot][i] is the KV cache block holding positions [i*block_size, (i+1)*block_size).
  std::vector<std::span<const int32_t>> block_tables;

  int64_t n_logit_rows() const {
    int64_t n = 0;
    for (const auto& e : entries) n += e.want_logits ? 1 : 0;
    return n;
  }
};

}  // namespace mynah::model
