// AVX-512 VNNI Q4_K and Q6_K x Q8_K dots: the AVX2 kernels (avx2/dot_k_quants.cpp) with the group-
// scale madd and its accumulation fused into one vpdpwssd, on 256-bit vectors (the loop is
// uop-bound, see gemm_q0.cpp). Exact int32 sums, then the scalar spec's float operations, so they
// equal the scalar dots bit for bit.
#include "kernels/avx512/simd.h"

#include "kernels/avx512/kernels.h"
#include "tensor/quant_blocks.h"
#include "util/half.h"

namespace mynah::kernels::avx512 {
namespace {

using tensor::BlockQ8_K;
using tensor::kQkK;

inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

// Int16 lanes all equal to 16-bit element k of v (both 128-bit halves hold the same 8 elements).
inline __m256i broadcast16(__m256i v, int k) {
  const __m256i idx = _mm256_set1_epi16(static_cast<short>((2 * k + 1) << 8 | (2 * k)));
  return _mm256_shuffle_epi8(v, idx);
}

inline float finish(float sum, float d, int32_t isum, float dmin, int32_t msum) {
  return sum + (d * static_cast<float>(isum) - dmin * static_cast<float>(msum));
}

template <int kRows>
void q4_k_rows(const void* w_raw, size_t w_stride, const void* x_raw, int64_t n, float* out) {
  const tensor::BlockQ4_K* w[kRows];
  for (int r = 0; r < kRows; ++r) {
    w[r] = reinterpret_cast<const tensor::BlockQ4_K*>(static_cast<const uint8_t*>(w_raw) + w_stride * r);
  }
  const auto* x = static_cast<const BlockQ8_K*>(x_raw);
  float sum[kRows] = {};
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  const __m128i pair_dup = _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].bsums));
    for (int r = 0; r < kRows; ++r) {
      alignas(16) uint8_t sm[16];  // 8 scales, 8 mins
      tensor::unpack_scales_k4(w[r][b].scales, sm);
      const __m128i sm8 = _mm_load_si128(reinterpret_cast<const __m128i*>(sm));
      const __m256i scales = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(sm8));  // int16 scales, twice
      const __m256i mins = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(_mm_srli_si128(sm8, 8), pair_dup));
      __m256i acc = _mm256_setzero_si256();
      for (int c = 0; c < 4; ++c) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r][b].qs + 32 * c));
        const __m256i lo = _mm256_and_si256(q, nibble), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble);
        const __m256i p_lo = _mm256_maddubs_epi16(lo, load32(x[b].qs + 64 * c));
        const __m256i p_hi = _mm256_maddubs_epi16(hi, load32(x[b].qs + 64 * c + 32));
        acc = _mm256_dpwssd_epi32(acc, p_lo, broadcast16(scales, 2 * c));
        acc = _mm256_dpwssd_epi32(acc, p_hi, broadcast16(scales, 2 * c + 1));
      }
      const int32_t msum = hsum_epi32(_mm256_madd_epi16(bsums, mins));
      sum[r] = finish(sum[r], util::fp16_to_fp32(w[r][b].d) * x[b].d, hsum_epi32(acc),
                      util::fp16_to_fp32(w[r][b].dmin) * x[b].d, msum);
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = sum[r];
}

template <int kRows>
void q6_k_rows(const void* w_raw, size_t w_stride, const void* x_raw, int64_t n, float* out) {
  const tensor::BlockQ6_K* w[kRows];
  for (int r = 0; r < kRows; ++r) {
    w[r] = reinterpret_cast<const tensor::BlockQ6_K*>(static_cast<const uint8_t*>(w_raw) + w_stride * r);
  }
  const auto* x = static_cast<const BlockQ8_K*>(x_raw);
  float sum[kRows] = {};
  const __m256i nibble = _mm256_set1_epi8(0x0f), two = _mm256_set1_epi8(0x03);
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].bsums));
    for (int r = 0; r < kRows; ++r) {
      const tensor::BlockQ6_K& blk = w[r][b];
      const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.scales)));
      // -32 * sum_g sc_g * (sum of x in g): the quants are stored offset by 32.
      const int32_t offset = 32 * hsum_epi32(_mm256_madd_epi16(bsums, sc16));
      __m256i acc = _mm256_setzero_si256();
      for (int h = 0; h < 2; ++h) {
        const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk.qh + 32 * h));
        const __m256i scales = _mm256_permute4x64_epi64(sc16, h ? 0xee : 0x44);  // groups 8h..8h+7, twice
        for (int s = 0; s < 4; ++s) {
          const __m256i ql = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk.ql + 64 * h + 32 * (s & 1)));
          const __m256i low = _mm256_and_si256(s >= 2 ? _mm256_srli_epi16(ql, 4) : ql, nibble);
          const __m256i high = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * s), two), 4);
          const __m256i p = _mm256_maddubs_epi16(_mm256_or_si256(low, high), load32(x[b].qs + 128 * h + 32 * s));
          // Lanes 0-7 of p are group 8h + 2s, lanes 8-15 group 8h + 2s + 1.
          const __m256i sc = _mm256_blend_epi32(broadcast16(scales, 2 * s), broadcast16(scales, 2 * s + 1), 0xf0);
          acc = _mm256_dpwssd_epi32(acc, p, sc);
        }
      }
      sum[r] = finish(sum[r], util::fp16_to_fp32(blk.d) * x[b].d, hsum_epi32(acc) - offset, 0.0f, 0);
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = sum[r];
}

}  // namespace

float dot_q4_k_q8_k(const void* w, const void* x, int64_t n) {
  float out;
  q4_k_rows<1>(w, 0, x, n, &out);
  return out;
}

float dot_q6_k_q8_k(const void* w, const void* x, int64_t n) {
  float out;
  q6_k_rows<1>(w, 0, x, n, &out);
  return out;
}

void dot4_q4_k_q8_k(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  q4_k_rows<kDotRows>(w, w_stride_bytes, x, n, out);
}

void dot4_q6_k_q8_k(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  q6_k_rows<kDotRows>(w, w_stride_bytes, x, n, out);
}

}  // namespace mynah::kernels::avx512
