// AVX2 twins of scalar/ops.cpp, 8 lanes with vmaskmov tails. rmsnorm sums squares in double and
// rope does the scalar spec's float operations lane by lane, so both match the reference bit for
// bit in practice; softmax and silu differ from it by the polynomial exp (about 1 ulp).
#include "kernels/avx2/simd.h"

#include <cmath>

#include "kernels/avx2/kernels.h"

namespace mynah::kernels::avx2 {
namespace {

double sum_squares(const float* x, int64_t n) {
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  for (int64_t i = 0; i < n; i += 8) {
    const __m256 v = load_lanes(x + i, first_lanes(n - i));
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    const __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    acc0 = _mm256_fmadd_pd(lo, lo, acc0);
    acc1 = _mm256_fmadd_pd(hi, hi, acc1);
  }
  const __m256d acc = _mm256_add_pd(acc0, acc1);
  const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(acc), _mm256_extractf128_pd(acc, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace

void rmsnorm(const float* x, const float* weight, float* out, int64_t n, float eps) {
  const double sum = sum_squares(x, n);
  const __m256 scale = _mm256_set1_ps(static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(n) + eps)));
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i m = first_lanes(n - i);
    const __m256 v = _mm256_mul_ps(load_lanes(x + i, m), scale);
    store_lanes(out + i, m, _mm256_mul_ps(v, load_lanes(weight + i, m)));
  }
}

void rope_rotate_pairs(float* x, int n_heads, int head_dim, int rope_dim, const float* cos, const float* sin) {
  const __m256i dup = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim;
    for (int i = 0; i < rope_dim; i += 8) {  // 4 pairs a step
      const __m256i m = first_lanes(rope_dim - i);
      const __m256i mp = first_lanes((rope_dim - i) / 2);
      const __m256 c = _mm256_permutevar8x32_ps(load_lanes(cos + i / 2, mp), dup);
      const __m256 s = _mm256_permutevar8x32_ps(load_lanes(sin + i / 2, mp), dup);
      const __m256 a = load_lanes(v + i, m);
      const __m256 t1 = _mm256_mul_ps(a, c);                              // a cos | b cos
      const __m256 t2 = _mm256_mul_ps(_mm256_permute_ps(a, 0xb1), s);     // b sin | a sin
      store_lanes(v + i, m, _mm256_addsub_ps(t1, t2));                    // even: a cos - b sin
    }
  }
}

void softmax(float* x, int64_t n) {
  if (n <= 0) return;
  __m256 vmax = _mm256_set1_ps(-INFINITY);
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i m = first_lanes(n - i);
    vmax = _mm256_max_ps(vmax, _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), load_lanes(x + i, m), _mm256_castsi256_ps(m)));
  }
  const __m256 max = _mm256_set1_ps(hmax(vmax));
  __m256d sum0 = _mm256_setzero_pd(), sum1 = _mm256_setzero_pd();
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i m = first_lanes(n - i);
    const __m256 e = _mm256_and_ps(exp_ps(_mm256_sub_ps(load_lanes(x + i, m), max)), _mm256_castsi256_ps(m));
    store_lanes(x + i, m, e);
    sum0 = _mm256_add_pd(sum0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    sum1 = _mm256_add_pd(sum1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
  }
  const __m256d sum = _mm256_add_pd(sum0, sum1);
  const __m128d s2 = _mm_add_pd(_mm256_castpd256_pd128(sum), _mm256_extractf128_pd(sum, 1));
  const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / _mm_cvtsd_f64(_mm_add_sd(s2, _mm_unpackhi_pd(s2, s2)))));
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i m = first_lanes(n - i);
    store_lanes(x + i, m, _mm256_mul_ps(load_lanes(x + i, m), inv));
  }
}

void silu_mul(float* gate, const float* up, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i m = first_lanes(n - i);
    const __m256 g = load_lanes(gate + i, m);
    const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), g))));
    store_lanes(gate + i, m, _mm256_mul_ps(silu, load_lanes(up + i, m)));
  }
}

void add_inplace(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i m = first_lanes(n - i);
    store_lanes(y + i, m, _mm256_add_ps(load_lanes(y + i, m), load_lanes(x + i, m)));
  }
}

}  // namespace mynah::kernels::avx2
