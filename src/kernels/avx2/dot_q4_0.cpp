// AVX2 Q4_0 x Q8_0 dots, one block per step: nibbles as unsigned bytes times signed activations
// (maddubs), minus 8 * x from a second maddubs shared by the rows; exact int32 per block, then one
// FMA with the block scale. Two accumulators per row alternate by block.
#include "kernels/avx2/simd.h"

#include "kernels/avx2/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx2 {
namespace {

using tensor::BlockQ4_0;
using tensor::BlockQ8_0;

// Block b of every row against activation block x.
template <int kRows>
inline void step(const BlockQ4_0* const* w, const BlockQ8_0& x, int64_t b, __m256* acc) {
  const __m256i qx = load32(x.qs);
  // int16 pairs: |15 * 128 * 2| + |8 * 128 * 2| < 2^15, so neither maddubs nor the sub saturates.
  const __m256i bias = _mm256_maddubs_epi16(_mm256_set1_epi8(8), qx);
  const __m256 scales = row_scales_x2<kRows>(w, b, &x);
  for (int r = 0; r < kRows; ++r) {
    const __m256i pairs = _mm256_sub_epi16(_mm256_maddubs_epi16(unpack_nibbles(w[r][b].qs), qx), bias);
    const __m256i sumi = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
    acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), lane_broadcast(scales, r), acc[r]);
  }
}

template <int kRows>
void dot_rows(const void* w_raw, size_t w_stride_bytes, const void* x_raw, int64_t n, float* out) {
  const BlockQ4_0* w[kRows];
  for (int r = 0; r < kRows; ++r) {
    w[r] = reinterpret_cast<const BlockQ4_0*>(static_cast<const uint8_t*>(w_raw) + w_stride_bytes * r);
  }
  const auto* x = static_cast<const BlockQ8_0*>(x_raw);
  // Even blocks go to acc0, odd to acc1 (named arrays, so they stay in registers).
  __m256 acc0[kRows], acc1[kRows];
  for (int r = 0; r < kRows; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
  const int64_t n_blocks = n / tensor::kQk4_0;
  int64_t b = 0;
  for (; b + 2 <= n_blocks; b += 2) {
    prefetch_rows<kRows>(w, b);
    step<kRows>(w, x[b], b, acc0);
    step<kRows>(w, x[b + 1], b + 1, acc1);
  }
  if (b < n_blocks) step<kRows>(w, x[b], b, acc0);
  for (int r = 0; r < kRows; ++r) out[r] = hsum(_mm256_add_ps(acc0[r], acc1[r]));
}

}  // namespace

float dot_q4_0_q8_0(const void* w, const void* x, int64_t n) {
  float out = 0.0f;
  dot_rows<1>(w, 0, x, n, &out);
  return out;
}

void dot4_q4_0_q8_0(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  dot_rows<kDotRows>(w, w_stride_bytes, x, n, out);
}

}  // namespace mynah::kernels::avx2
