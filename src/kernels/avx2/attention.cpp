// AVX2 attention for a group of queries sharing a key/value head: per chunk of positions and per
// query, one q.k dot per position over head_dim, the online-softmax update of kernels/attention.h
// on the chunk's scores as 8-lane vectors, then the weighted sum of the value rows into the
// query's output row. Key and value rows are shared by the group's queries.
#include "kernels/avx2/simd.h"

#include <algorithm>
#include <cmath>

#include "kernels/attention.h"
#include "kernels/avx2/kernels.h"
#include "kernels/scalar/kernels.h"

namespace mynah::kernels::avx2 {
namespace {

constexpr int kScoreVecs = kAttentionChunk / 8;

inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

struct QueryState {
  float m = -INFINITY;  // running max of the scores
  float l = 0.0f;       // running sum of exp(score - m); out holds sum exp(score - m) v
};

template <int kVecs>
struct Head {
  __m256i mask[kVecs];

  explicit Head(int head_dim) {
    for (int v = 0; v < kVecs; ++v) mask[v] = first_lanes(head_dim - 8 * v);
  }

  void update(const AttentionQueries& a, int i, int n, const float* const* k, const float* const* vr,
              QueryState& st) const {
    __m256 q[kVecs];
    for (int v = 0; v < kVecs; ++v) q[v] = load_lanes(a.q[i] + 8 * v, mask[v]);
    alignas(32) float s[kAttentionChunk] = {};
    for (int j = 0; j < n; ++j) {
      __m256 acc = _mm256_mul_ps(q[0], load_lanes(k[j], mask[0]));
      for (int v = 1; v < kVecs; ++v) acc = _mm256_fmadd_ps(q[v], load_lanes(k[j] + 8 * v, mask[v]), acc);
      s[j] = hsum(acc);
    }
    const __m256 ninf = _mm256_set1_ps(-INFINITY), scale = _mm256_set1_ps(a.scale);
    __m256 sv[kScoreVecs];
    __m256 smax = ninf;
    for (int c = 0; c < kScoreVecs; ++c) {
      const __m256 live = _mm256_castsi256_ps(first_lanes(n - 8 * c));
      sv[c] = _mm256_blendv_ps(ninf, _mm256_mul_ps(_mm256_load_ps(s + 8 * c), scale), live);
      smax = _mm256_max_ps(smax, sv[c]);
    }
    const float m_new = std::max(st.m, hmax(smax));
    const float correction = st.m == -INFINITY ? 0.0f : _mm256_cvtss_f32(exp_ps(_mm256_set1_ps(st.m - m_new)));
    const __m256 mn = _mm256_set1_ps(m_new);
    alignas(32) float pj[kAttentionChunk];
    __m256 psum = _mm256_setzero_ps();
    for (int c = 0; c < kScoreVecs; ++c) {
      const __m256 live = _mm256_castsi256_ps(first_lanes(n - 8 * c));
      const __m256 pc = _mm256_and_ps(exp_ps(_mm256_sub_ps(sv[c], mn)), live);
      psum = _mm256_add_ps(psum, pc);
      _mm256_store_ps(pj + 8 * c, pc);
    }
    st.l = st.l * correction + hsum(psum);
    st.m = m_new;
    float* out = a.out[i];
    __m256 o[kVecs];
    const __m256 corr = _mm256_set1_ps(correction);
    for (int v = 0; v < kVecs; ++v) o[v] = _mm256_mul_ps(load_lanes(out + 8 * v, mask[v]), corr);
    for (int j = 0; j < n; ++j) {
      const __m256 w = _mm256_set1_ps(pj[j]);
      for (int v = 0; v < kVecs; ++v) o[v] = _mm256_fmadd_ps(w, load_lanes(vr[j] + 8 * v, mask[v]), o[v]);
    }
    for (int v = 0; v < kVecs; ++v) store_lanes(out + 8 * v, mask[v], o[v]);
  }
};

template <int kVecs>
void attend_vecs(const AttentionQueries& a) {
  const Head<kVecs> head(a.head_dim);
  QueryState state[kMaxAttentionQueries];
  int32_t max_pos = 0;
  for (int i = 0; i < a.n_queries; ++i) {
    max_pos = std::max(max_pos, a.n_pos[i]);
    for (int v = 0; v < kVecs; ++v) store_lanes(a.out[i] + 8 * v, head.mask[v], _mm256_setzero_ps());
  }
  const float* k[kAttentionChunk];
  const float* vr[kAttentionChunk];
  for (int32_t p0 = 0; p0 < max_pos; p0 += kAttentionChunk) {
    kv_chunk_rows(a.kv, a.kv_offset, p0, std::min(kAttentionChunk, max_pos - p0), k, vr);
    for (int i = 0; i < a.n_queries; ++i) {
      if (a.n_pos[i] > p0) head.update(a, i, std::min(kAttentionChunk, a.n_pos[i] - p0), k, vr, state[i]);
    }
  }
  for (int i = 0; i < a.n_queries; ++i) {
    const __m256 inv = _mm256_set1_ps(1.0f / state[i].l);
    for (int v = 0; v < kVecs; ++v) {
      float* out = a.out[i] + 8 * v;
      store_lanes(out, head.mask[v], _mm256_mul_ps(load_lanes(out, head.mask[v]), inv));
    }
  }
}

}  // namespace

void attend(const AttentionQueries& a) {
  const int n_vecs = (a.head_dim + 7) / 8;
  switch (n_vecs) {
    case 1: return attend_vecs<1>(a);
    case 2: return attend_vecs<2>(a);
    case 3: return attend_vecs<3>(a);
    case 4: return attend_vecs<4>(a);
    case 5: return attend_vecs<5>(a);
    case 6: return attend_vecs<6>(a);
    case 7: return attend_vecs<7>(a);
    case 8: return attend_vecs<8>(a);
    default:
      if (n_vecs <= 16) return attend_vecs<16>(a);
      if (n_vecs <= 32) return attend_vecs<32>(a);
      return scalar::attend(a);
  }
}

}  // namespace mynah::kernels::avx2
