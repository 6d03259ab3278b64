// AVX-512 helpers for the files of this directory only (internal linkage; see x86_simd.h). This
// header comes first in every file here, so the intrinsics headers are seen under its pragmas.
#pragma once

#include "kernels/x86_simd.h"

namespace mynah::kernels::avx512 {
namespace {

using kernels::hsum;  // the __m256 overload

inline float hsum(__m512 v) {
  return kernels::hsum(_mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)));
}

// 16 packed Q4_0 bytes -> [16 low nibbles | 16 high nibbles * 16] as unsigned bytes, in element
// order: no shift at all (a pure broadcast load and one AND). Lanes 4..7 of every dot made with
// these bytes carry a factor 16; the caller removes it once per row with nibble_unscale(), which
// is exact because it is a power of two.
inline __m256i unpack_nibbles_x16(const uint8_t* qs) {
  const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
  const int64_t lo = 0x0f0f0f0f0f0f0f0f, hi = static_cast<int64_t>(0xf0f0f0f0f0f0f0f0ull);
  return _mm256_and_si256(both, _mm256_setr_epi64x(lo, lo, hi, hi));
}

// The bias unpack_nibbles_x16's bytes carry: 8, and 8 * 16 on the high half.
inline __m256i nibble_bias_x16() {
  const int64_t lo = 0x0808080808080808, hi = static_cast<int64_t>(0x8080808080808080ull);
  return _mm256_setr_epi64x(lo, lo, hi, hi);
}

inline __m256 nibble_unscale() { return _mm256_setr_ps(1, 1, 1, 1, 0.0625f, 0.0625f, 0.0625f, 0.0625f); }

}  // namespace
}  // namespace mynah::kernels::avx512
