// AVX-512 fp32 -> Q8_0, bit-exact with the ggml reference: the same scalar d and 1/d, x * id in
// float, and roundf's ties-away-from-zero rebuilt from truncation.
#include "kernels/avx512/simd.h"
#include "kernels/avx512/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx512 {
namespace {

// roundf(v) for |v| < 2^31: truncate, then step away from zero when the dropped part is >= 0.5
// (v - trunc(v) is exact in float, so the comparison sees the true fraction).
inline __m512i round_away(__m512 v) {
  const __m512 trunc = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512 frac = _mm512_abs_ps(_mm512_sub_ps(v, trunc));
  const __mmask16 up = _mm512_cmp_ps_mask(frac, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
  const __m512 step = _mm512_or_ps(_mm512_and_ps(v, _mm512_set1_ps(-0.0f)), _mm512_set1_ps(1.0f));
  return _mm512_cvttps_epi32(_mm512_mask_add_ps(trunc, up, trunc, step));
}

}  // namespace

void quantize_row_q8_0(const float* x, void* y_raw, int64_t n) {
  auto* y = static_cast<tensor::BlockQ8_0*>(y_raw);
  for (int64_t b = 0; b < n / tensor::kQk8_0; ++b) {
    const float* xb = x + b * tensor::kQk8_0;
    const __m512 v0 = _mm512_loadu_ps(xb);
    const __m512 v1 = _mm512_loadu_ps(xb + 16);
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = static_cast<uint16_t>(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));
    const __m512 mul = _mm512_set1_ps(id);
    const __m128i q0 = _mm512_cvtepi32_epi8(round_away(_mm512_mul_ps(v0, mul)));
    const __m128i q1 = _mm512_cvtepi32_epi8(round_away(_mm512_mul_ps(v1, mul)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs), q0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs + 16), q1);
  }
}

}  // namespace mynah::kernels::avx512
