// AVX-512 VNNI Q4_K and Q6_K x Q8_K dots: the shared 256-bit body (kernels/x86_dot_k_quants.inc) with the group-
// scale madd and its accumulation fused into one vpdpwssd, on 256-bit vectors (the loop is
// uop-bound, see gemm_q0.cpp). Exact int32 sums, then the scalar spec's float operations, so they
// equal the scalar dots bit for bit.
#include "kernels/avx512/simd.h"

#include "kernels/avx512/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx512 {
namespace {

// The int16 products times their group scales, summed in pairs into the int32 accumulator.
inline __m256i accumulate_scaled(__m256i acc, __m256i products, __m256i scales) {
  return _mm256_dpwssd_epi32(acc, products, scales);
}

}  // namespace

#include "kernels/x86_dot_k_quants.inc"

}  // namespace mynah::kernels::avx512
