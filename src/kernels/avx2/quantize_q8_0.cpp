// AVX2 fp32 -> Q8_0, bit-exact with the ggml reference: the same scalar d and 1/d, x * id in
// float, and roundf's ties-away-from-zero rebuilt from truncation (ggml's own AVX2 path rounds to
// even and uses 127/amax, so it is not exact; we are).
#include "kernels/avx2/simd.h"
#include "kernels/avx2/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx2 {
namespace {

// roundf(v) for |v| < 2^31: truncate, then step away from zero when the dropped part is >= 0.5.
inline __m256i round_away(__m256 v) {
  const __m256 trunc = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 frac = _mm256_andnot_ps(sign_mask, _mm256_sub_ps(v, trunc));
  const __m256 step = _mm256_or_ps(_mm256_and_ps(v, sign_mask), _mm256_set1_ps(1.0f));
  const __m256 up = _mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  return _mm256_cvttps_epi32(_mm256_add_ps(trunc, _mm256_and_ps(up, step)));
}

inline float max_abs(const float* x) {
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  __m256 m = _mm256_andnot_ps(sign_mask, _mm256_loadu_ps(x));
  for (int j = 8; j < tensor::kQk8_0; j += 8) {
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign_mask, _mm256_loadu_ps(x + j)));
  }
  __m128 s = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace

void quantize_row_q8_0(const float* x, void* y_raw, int64_t n) {
  auto* y = static_cast<tensor::BlockQ8_0*>(y_raw);
  for (int64_t b = 0; b < n / tensor::kQk8_0; ++b) {
    const float* xb = x + b * tensor::kQk8_0;
    const float d = max_abs(xb) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = static_cast<uint16_t>(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));
    const __m256 mul = _mm256_set1_ps(id);
    const __m256i q0 = round_away(_mm256_mul_ps(_mm256_loadu_ps(xb), mul));
    const __m256i q1 = round_away(_mm256_mul_ps(_mm256_loadu_ps(xb + 8), mul));
    const __m256i q2 = round_away(_mm256_mul_ps(_mm256_loadu_ps(xb + 16), mul));
    const __m256i q3 = round_away(_mm256_mul_ps(_mm256_loadu_ps(xb + 24), mul));
    // packs works within 128-bit lanes; the final permute restores element order (as ggml does).
    const __m256i q01 = _mm256_packs_epi32(q0, q1);
    const __m256i q23 = _mm256_packs_epi32(q2, q3);
    const __m256i q = _mm256_packs_epi16(q01, q23);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[b].qs), _mm256_permutevar8x32_epi32(q, order));
  }
}

}  // namespace mynah::kernels::avx2
