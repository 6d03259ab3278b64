// x86 helpers shared by the avx2/ and avx512/ kernel files (never by scalar code). Everything has
// internal linkage, so each ISA's files get their own copy compiled with their own flags: an
// AVX-512-compiled inline function must never be merged by the linker into an AVX2 caller.
#pragma once

// GCC 12.1/12.2 flag the intrinsics' deliberate `__Y = __Y` "undefined" vectors as uninitialized
// (GCC bug 105593, fixed in 12.3); silence that inside the intrinsics headers only. So the ISA
// simd.h headers, which include this one, come first in every kernel file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstdint>

namespace mynah::kernels {
namespace {

// Fixed-order horizontal sum: (hi128 + lo128), then pairs, then the last two.
inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline __m256i load32(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// The fp16 at p, as a float in lane 0 (other lanes: the bytes after it, to be ignored). GCC folds
// this 16-byte load into vcvtph2ps ymm, m128 (one ALU uop), where a scalar insert or the xmm form
// would add port-5 uops; every block is at least 18 bytes, so the load never leaves the block.
inline __m128 fp16_lane0(const void* p) {
  return _mm256_castps256_ps128(_mm256_cvtph_ps(_mm_loadu_si128(static_cast<const __m128i*>(p))));
}

// Lane r = the fp16 scale of block b of weight row r times the activation block's scale (lane 0 of
// x_scale): exactly the scalar spec's single float multiply per block, for any kRows.
template <int kRows, class Block>
inline __m128 row_scales(const Block* const* w, int64_t b, __m128 x_scale) {
  if constexpr (kRows == 1) {
    return _mm_mul_ss(fp16_lane0(&w[0][b].d), x_scale);
  } else {
    static_assert(kRows == 4, "row groups are 1 or 4 rows");
    const auto d = [&](int r) { return static_cast<short>(w[r][b].d); };
    const __m128i h = _mm_setr_epi16(d(0), d(1), d(2), d(3), 0, 0, 0, 0);
    return _mm_mul_ps(_mm_cvtph_ps(h), _mm_broadcastss_ps(x_scale));
  }
}

// row_scales in both 128-bit halves, ready for lane_broadcast. Kept in a register on purpose: a
// stack array read with broadcast loads makes GCC spill every accumulator each block (float
// loads may alias the __m256 accumulators).
template <int kRows, class Block>
inline __m256 row_scales_x2(const Block* const* w, int64_t b, const void* x_block) {
  const __m128 s = row_scales<kRows>(w, b, fp16_lane0(x_block));
  return _mm256_set_m128(s, s);
}

// Software prefetch (into L2) this far ahead in every weight row; rows are contiguous, so this
// reaches into the next row group. The quantized dots spend several uops per byte and the hardware
// prefetcher alone kept too few lines in flight: on the dev VM, 1-thread Q4_0 GEMV from DRAM went
// from ~5.0 to ~8.8 GB/s (about the core's DRAM bandwidth); 512 B gave 5.8, 4-16 KiB all ~8.8.
// L2, not L1: in prefill a row tile is re-read for every token and must not be evicted from L1.
inline constexpr int kPrefetchBytes = 8192;

template <int kRows, class Block>
inline void prefetch_rows(const Block* const* w, int64_t b) {
  for (int r = 0; r < kRows; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(w[r] + b) + kPrefetchBytes, _MM_HINT_T1);
  }
}

// All 8 lanes = lane r (0..3) of each 128-bit half of v. r is a constant once the row loop is
// unrolled, so this is one vshufps with an immediate and needs no index register.
inline __m256 lane_broadcast(__m256 v, int r) {
  switch (r) {
    case 0:
      return _mm256_shuffle_ps(v, v, 0x00);
    case 1:
      return _mm256_shuffle_ps(v, v, 0x55);
    case 2:
      return _mm256_shuffle_ps(v, v, 0xaa);
    default:
      return _mm256_shuffle_ps(v, v, 0xff);
  }
}

}  // namespace
}  // namespace mynah::kernels
