// AVX2 helpers for the files of this directory only (internal linkage; see x86_simd.h). This header
// comes first in every file here, so the intrinsics headers are seen under its warning pragmas.
#pragma once

#include "kernels/x86_simd.h"

namespace mynah::kernels::avx2 {
namespace {

// 16 packed Q4_0 bytes -> 32 bytes 0..15 in element order (low nibbles, then high nibbles). The
// broadcast load is a pure load; a per-lane variable shift replaces the cross-lane insert.
inline __m256i unpack_nibbles(const uint8_t* qs) {
  const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
  const __m256i shifted = _mm256_srlv_epi32(both, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4));
  return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0f));
}

// Lanes [0, n) set (all-ones int32), for vmaskmov tails; n is clamped to [0, 8].
inline __m256i first_lanes(int64_t n) {
  static constexpr int32_t kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const int64_t k = n < 0 ? 0 : (n > 8 ? 8 : n);
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - k));
}

inline __m256 load_lanes(const float* p, __m256i m) { return _mm256_maskload_ps(p, m); }
inline void store_lanes(float* p, __m256i m, __m256 v) { _mm256_maskstore_ps(p, m, v); }

}  // namespace
}  // namespace mynah::kernels::avx2
