// Scaled dot-product attention over a paged key/value cache (the model layer owns the cache; this
// sees only pointers into it), for a group of queries that share one key/value head.
#pragma once

#include <cstdint>

namespace mynah::kernels {

// Keys and values of one sequence in one layer. Position p lives in cache block
// block_table[p / block_size] at offset p % block_size; the row of (block, offset) starts at
// k + (block * block_size + offset) * row_stride (likewise v).
struct KvPages {
  const float* k = nullptr;
  const float* v = nullptr;
  const int32_t* block_table = nullptr;
  int32_t block_size = 0;
  int64_t row_stride = 0;  // floats between consecutive rows (the cache's kv_dim)
};

inline constexpr int kMaxAttentionQueries = 64;

// Query heads of one sequence that read the same key/value head: a GQA group, for one or several
// positions of a prompt. The key/value head occupies columns [kv_offset, kv_offset + head_dim)
// of every cached row. Query i attends to positions [0, n_pos[i]).
struct AttentionQueries {
  KvPages kv;
  int64_t kv_offset = 0;
  int32_t head_dim = 0;
  float scale = 1.0f;                // applied to q.k (1 / sqrt(head_dim) for llama)
  int32_t n_queries = 0;             // <= kMaxAttentionQueries
  const float* const* q = nullptr;   // [n_queries] -> [head_dim]
  float* const* out = nullptr;       // [n_queries] -> [head_dim]
  const int32_t* n_pos = nullptr;    // [n_queries], each >= 1
};

// Positions are consumed in chunks of kAttentionChunk starting at 0 with an online softmax
// (running max and sum rescaled per chunk; Milakov & Gimelshein, arXiv:1805.02867). Each chunk of
// keys and values (16 KiB each for a 64-wide head) is loaded once for all the group's queries,
// which is what makes prompt attention cheap; chunks of 64 rather than 16 positions amortize the
// per-chunk softmax update (a long dependency chain) over 4x the work. Every query still runs its
// own fixed operation sequence, so its result does not depend on which other queries share the
// call, on the batch, or on threads.
inline constexpr int kAttentionChunk = 64;

// out[i][head_dim] = sum_p softmax_p(scale * q[i].k_p) v_p for every query, through the
// process-wide kernel table.
void attend(const AttentionQueries& queries);

// For the kernels: k[j], v[j] = the head's key and value columns at position p0 + j, j < n.
void kv_chunk_rows(const KvPages& kv, int64_t kv_offset, int32_t p0, int n, const float** k, const float** v);

}  // namespace mynah::kernels
