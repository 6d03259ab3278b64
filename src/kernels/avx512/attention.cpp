// AVX-512 attention for a group of queries sharing a key/value head. Per chunk of 64 positions and
// per query: q.k dots over head_dim as 16 independent FMA chains at a time, transposing reductions
// that leave 16 scores per zmm, the online-softmax update on the chunk's scores, then the weighted
// sum of the value rows into the query's output row. The chunk's key and value rows are shared by
// every query of the group, so they are read from memory once, not once per query.
#include "kernels/avx512/simd.h"

#include <algorithm>
#include <cmath>

#include "kernels/attention.h"
#include "kernels/avx512/kernels.h"
#include "kernels/scalar/kernels.h"

namespace mynah::kernels::avx512 {
namespace {

static_assert(kAttentionChunk % 16 == 0);

// Lane j of the result = the sum of the 16 lanes of a[j] (a fixed tree: pairs within 128-bit
// lanes, then across them).
inline __m512 transpose_sum16(const __m512* a) {
  __m512 t[8];
  for (int i = 0; i < 8; ++i) {  // per 128-bit lane: [x0+x2, y0+y2, x1+x3, y1+y3]
    t[i] = _mm512_add_ps(_mm512_unpacklo_ps(a[2 * i], a[2 * i + 1]), _mm512_unpackhi_ps(a[2 * i], a[2 * i + 1]));
  }
  __m512 u[4];
  for (int i = 0; i < 4; ++i) {  // per 128-bit lane: the lane sums of 4 consecutive rows
    const __m512d x = _mm512_castps_pd(t[2 * i]), y = _mm512_castps_pd(t[2 * i + 1]);
    u[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
  }
  __m512 w[2];
  for (int i = 0; i < 2; ++i) {  // lanes (0+1), (2+3) of two row groups
    w[i] = _mm512_add_ps(_mm512_shuffle_f32x4(u[2 * i], u[2 * i + 1], 0x88),
                         _mm512_shuffle_f32x4(u[2 * i], u[2 * i + 1], 0xdd));
  }
  return _mm512_add_ps(_mm512_shuffle_f32x4(w[0], w[1], 0x88), _mm512_shuffle_f32x4(w[0], w[1], 0xdd));
}

struct QueryState {
  float m = -INFINITY;  // running max of the scores
  float l = 0.0f;       // running sum of exp(score - m); out holds sum exp(score - m) v
};

// A chunk is processed in three passes over all queries, 16 positions (4 KiB of a 64-wide head's
// keys or values) at a time, so the rows a pass reads stay in L1 while every query uses them:
// scores, then each query's softmax update on its 64 scores, then the weighted value sums.
template <int kVecs>
struct Head {
  __mmask16 mask[kVecs];

  explicit Head(int head_dim) {
    for (int v = 0; v < kVecs; ++v) mask[v] = first_lanes(head_dim - 16 * v);
  }

  // Scores of the 16 rows k[0..16) (all valid pointers); lanes j >= n are -inf.
  __m512 scores16(const float* q_row, const float* const* k, int n, float scale) const {
    __m512 q[kVecs];
    for (int v = 0; v < kVecs; ++v) q[v] = _mm512_maskz_loadu_ps(mask[v], q_row + 16 * v);
    __m512 acc[16];  // unrolled so the 16 accumulators live in registers, not on the stack
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) {
      acc[j] = _mm512_mul_ps(q[0], _mm512_maskz_loadu_ps(mask[0], k[j]));
      for (int v = 1; v < kVecs; ++v) acc[j] = _mm512_fmadd_ps(q[v], _mm512_maskz_loadu_ps(mask[v], k[j] + 16 * v), acc[j]);
    }
    return _mm512_mask_mul_ps(_mm512_set1_ps(-INFINITY), first_lanes(n), transpose_sum16(acc), _mm512_set1_ps(scale));
  }

  // Turns the n scores in s into exp(s - m_new), updates the state; returns the factor the
  // query's previous output must be scaled by.
  static float softmax_update(float* s, int n, QueryState& st) {
    __m512 smax = _mm512_set1_ps(-INFINITY);
    for (int c = 0; 16 * c < n; ++c) smax = _mm512_max_ps(smax, _mm512_load_ps(s + 16 * c));
    const float m_new = std::max(st.m, _mm512_reduce_max_ps(smax));
    const float correction = st.m == -INFINITY ? 0.0f : _mm512_cvtss_f32(exp_ps(_mm512_set1_ps(st.m - m_new)));
    __m512 psum = _mm512_setzero_ps();
    for (int c = 0; 16 * c < n; ++c) {
      const __m512 p = _mm512_maskz_mov_ps(first_lanes(n - 16 * c),
                                           exp_ps(_mm512_sub_ps(_mm512_load_ps(s + 16 * c), _mm512_set1_ps(m_new))));
      psum = _mm512_add_ps(psum, p);
      _mm512_store_ps(s + 16 * c, p);
    }
    st.l = st.l * correction + _mm512_reduce_add_ps(psum);
    st.m = m_new;
    return correction;
  }

  // out = out * scale_old + sum_{j < n} p[j] v[j], n <= 16 (even and odd rows in two accumulator
  // sets, which halves the FMA dependency chain).
  void accumulate16(float* out, const float* p, const float* const* vr, int n, bool rescale, float scale_old) const {
    __m512 even[kVecs], odd[kVecs];
    for (int v = 0; v < kVecs; ++v) even[v] = odd[v] = _mm512_setzero_ps();
    int j = 0;
    for (; j + 2 <= n; j += 2) {
      const __m512 p0 = _mm512_set1_ps(p[j]), p1 = _mm512_set1_ps(p[j + 1]);
      for (int v = 0; v < kVecs; ++v) {
        even[v] = _mm512_fmadd_ps(p0, _mm512_maskz_loadu_ps(mask[v], vr[j] + 16 * v), even[v]);
        odd[v] = _mm512_fmadd_ps(p1, _mm512_maskz_loadu_ps(mask[v], vr[j + 1] + 16 * v), odd[v]);
      }
    }
    if (j < n) {
      const __m512 p0 = _mm512_set1_ps(p[j]);
      for (int v = 0; v < kVecs; ++v) even[v] = _mm512_fmadd_ps(p0, _mm512_maskz_loadu_ps(mask[v], vr[j] + 16 * v), even[v]);
    }
    for (int v = 0; v < kVecs; ++v) {
      __m512 old = _mm512_maskz_loadu_ps(mask[v], out + 16 * v);
      if (rescale) old = _mm512_mul_ps(old, _mm512_set1_ps(scale_old));
      _mm512_mask_storeu_ps(out + 16 * v, mask[v], _mm512_add_ps(old, _mm512_add_ps(even[v], odd[v])));
    }
  }
};

template <int kVecs>
void attend_vecs(const AttentionQueries& a) {
  const Head<kVecs> head(a.head_dim);
  QueryState state[kMaxAttentionQueries];
  float correction[kMaxAttentionQueries];
  alignas(64) float p[kMaxAttentionQueries][kAttentionChunk];  // scores, then probabilities
  int32_t max_pos = 0;
  for (int i = 0; i < a.n_queries; ++i) {
    max_pos = std::max(max_pos, a.n_pos[i]);
    for (int v = 0; v < kVecs; ++v) _mm512_mask_storeu_ps(a.out[i] + 16 * v, head.mask[v], _mm512_setzero_ps());
  }
  const float* k[kAttentionChunk];
  const float* vr[kAttentionChunk];
  for (int32_t p0 = 0; p0 < max_pos; p0 += kAttentionChunk) {
    const int n_chunk = std::min(kAttentionChunk, max_pos - p0);
    kv_chunk_rows(a.kv, a.kv_offset, p0, n_chunk, k, vr);
    // Rows past the chunk's end point at row 0: their scores are computed and masked to -inf, so
    // the dot loop has no data-dependent trip count.
    std::fill(k + n_chunk, k + kAttentionChunk, k[0]);
    const auto n_of = [&](int i) { return std::min(kAttentionChunk, a.n_pos[i] - p0); };  // <= 0: done
    for (int c = 0; 16 * c < n_chunk; ++c) {
      for (int i = 0; i < a.n_queries; ++i) {
        if (n_of(i) > 16 * c) _mm512_store_ps(&p[i][16 * c], head.scores16(a.q[i], k + 16 * c, n_of(i) - 16 * c, a.scale));
      }
    }
    for (int i = 0; i < a.n_queries; ++i) {
      if (n_of(i) > 0) correction[i] = Head<kVecs>::softmax_update(p[i], n_of(i), state[i]);
    }
    for (int c = 0; 16 * c < n_chunk; ++c) {
      for (int i = 0; i < a.n_queries; ++i) {
        const int n = std::min(16, n_of(i) - 16 * c);
        if (n > 0) head.accumulate16(a.out[i], &p[i][16 * c], vr + 16 * c, n, c == 0, correction[i]);
      }
    }
  }
  for (int i = 0; i < a.n_queries; ++i) {
    const __m512 inv = _mm512_set1_ps(1.0f / state[i].l);
    for (int v = 0; v < kVecs; ++v) {
      float* out = a.out[i] + 16 * v;
      _mm512_mask_storeu_ps(out, head.mask[v], _mm512_mul_ps(_mm512_maskz_loadu_ps(head.mask[v], out), inv));
    }
  }
}

}  // namespace

void attend(const AttentionQueries& a) {
  switch ((a.head_dim + 15) / 16) {
    case 1: return attend_vecs<1>(a);
    case 2: return attend_vecs<2>(a);
    case 3: return attend_vecs<3>(a);
    case 4: return attend_vecs<4>(a);
    case 5: return attend_vecs<5>(a);
    case 6: return attend_vecs<6>(a);
    case 7: return attend_vecs<7>(a);
    case 8: return attend_vecs<8>(a);
    case 9: case 10: case 11: case 12: return attend_vecs<12>(a);
    case 13: case 14: case 15: case 16: return attend_vecs<16>(a);
    default: return scalar::attend(a);
  }
}

}  // namespace mynah::kernels::avx512
