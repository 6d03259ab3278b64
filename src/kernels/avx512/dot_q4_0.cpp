// AVX-512 VNNI Q4_0 x Q8_0 dots on 256-bit vectors, one block per step: nibbles as unsigned bytes
// (the high ones left in place, i.e. times 16) times signed activations via vpdpbusd, minus the
// bias times x (one vpdpbusd shared by the rows); exact int32 per block, then one FMA with the
// block scale. 256-bit, not 512: on Skylake-SP-class cores 512-bit ops get two ALU ports instead
// of three, and this loop is uop-bound, not width-bound. Two accumulators per row alternate.
#include "kernels/avx512/simd.h"

#include "kernels/avx512/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx512 {
namespace {

using tensor::BlockQ4_0;
using tensor::BlockQ8_0;

// Block b of every row against activation block x.
template <int kRows>
inline void step(const BlockQ4_0* const* w, const BlockQ8_0& x, int64_t b, __m256* acc) {
  const __m256i qx = load32(x.qs);
  // -(bias * x), shared by the rows and used as every row's starting accumulator.
  const __m256i zero = _mm256_setzero_si256();
  const __m256i minus_bias = _mm256_sub_epi32(zero, _mm256_dpbusd_epi32(zero, nibble_bias_x16(), qx));
  const __m256 scales = row_scales_x2<kRows>(w, b, &x);
  for (int r = 0; r < kRows; ++r) {
    const __m256i sumi = _mm256_dpbusd_epi32(minus_bias, unpack_nibbles_x16(w[r][b].qs), qx);
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
  for (int r = 0; r < kRows; ++r) {
    out[r] = hsum(_mm256_mul_ps(_mm256_add_ps(acc0[r], acc1[r]), nibble_unscale()));
  }
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

}  // namespace mynah::kernels::avx512
