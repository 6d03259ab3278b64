// AVX2 Q4_K and Q6_K x Q8_K dots. Per super-block the quants are widened to bytes 32 at a time,
// multiplied with the activations by maddubs (unsigned x signed; no pair can saturate: 15 or 63
// times 127, twice) and by their group scales in madd, giving the exact int32 sums of the scalar
// spec (scalar/dot_k_quants.cpp); the float operations after them are the spec's, so these dots
// equal the scalar ones bit for bit. kRows rows share the activation loads. The body is in
// kernels/x86_dot_k_quants.inc, shared with the AVX-512 file.
#include "kernels/avx2/simd.h"

#include "kernels/avx2/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx2 {
namespace {

// The int16 products times their group scales, summed in pairs into the int32 accumulator.
inline __m256i accumulate_scaled(__m256i acc, __m256i products, __m256i scales) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(products, scales));
}

}  // namespace

#include "kernels/x86_dot_k_quants.inc"

}  // namespace mynah::kernels::avx2
