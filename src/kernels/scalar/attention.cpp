// Scalar attention: the chunked online softmax of kernels/attention.h, one position at a time.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/attention.h"
#include "kernels/scalar/kernels.h"

namespace mynah::kernels::scalar {
namespace {

// Running state of one query: max score m, sum l of exp(score - m), and out = sum exp(score - m) v.
struct QueryState {
  float m = -std::numeric_limits<float>::infinity();
  float l = 0.0f;
};

// One chunk of positions for one query.
void update(const AttentionQueries& a, int i, int n, const float* const* k, const float* const* v, QueryState& st) {
  const int hd = a.head_dim;
  const float* q = a.q[i];
  float* out = a.out[i];
  float s[kAttentionChunk];
  float chunk_max = -std::numeric_limits<float>::infinity();
  for (int j = 0; j < n; ++j) {
    float dot = 0.0f;
    for (int d = 0; d < hd; ++d) dot += q[d] * k[j][d];
    s[j] = dot * a.scale;
    chunk_max = std::max(chunk_max, s[j]);
  }
  const float m_new = std::max(st.m, chunk_max);
  const float correction = std::exp(st.m - m_new);  // 0 on the first chunk (m = -inf)
  st.l *= correction;
  for (int d = 0; d < hd; ++d) out[d] *= correction;
  for (int j = 0; j < n; ++j) {
    const float p = std::exp(s[j] - m_new);
    st.l += p;
    for (int d = 0; d < hd; ++d) out[d] += p * v[j][d];
  }
  st.m = m_new;
}

}  // namespace

void attend(const AttentionQueries& a) {
  QueryState state[kMaxAttentionQueries];
  int32_t max_pos = 0;
  for (int i = 0; i < a.n_queries; ++i) {
    max_pos = std::max(max_pos, a.n_pos[i]);
    std::fill_n(a.out[i], a.head_dim, 0.0f);
  }
  const float* k[kAttentionChunk];
  const float* v[kAttentionChunk];
  for (int32_t p0 = 0; p0 < max_pos; p0 += kAttentionChunk) {
    kv_chunk_rows(a.kv, a.kv_offset, p0, std::min(kAttentionChunk, max_pos - p0), k, v);
    for (int i = 0; i < a.n_queries; ++i) {
      if (a.n_pos[i] > p0) update(a, i, std::min(kAttentionChunk, a.n_pos[i] - p0), k, v, state[i]);
    }
  }
  for (int i = 0; i < a.n_queries; ++i) {
    const float inv = 1.0f / state[i].l;
    for (int d = 0; d < a.head_dim; ++d) a.out[i][d] *= inv;
  }
}

}  // namespace mynah::kernels::scalar
