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

// Every cache line of the `bytes` bytes that start kPrefetchBytes past p, for kernels whose unit of
// weight (a K-quant super-block, a group of 16 blocks) spans more than one line.
inline void prefetch_ahead(const void* p, size_t bytes) {
  const char* ahead = static_cast<const char*>(p) + kPrefetchBytes;
  for (size_t off = 0; off < bytes; off += 64) _mm_prefetch(ahead + off, _MM_HINT_T1);
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

// exp(x) for 8 floats (Cephes expf: 2^n * e^r with |r| <= ln2/2 and a degree-6 polynomial; about
// 1 ulp). 2^n is applied as two exact powers of two, so results round once, subnormals included,
// as the AVX-512 twin's scalef does (the two agree bit for bit); x is clamped to [-104, 88.72].
inline __m256 exp_ps(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-104.0f)), _mm256_set1_ps(88.72f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i ni = _mm256_cvtps_epi32(n);  // [-150, 128]
  const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);  // each in [-75, 64]
  const auto pow2 = [](__m256i k) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23)); };
  return _mm256_mul_ps(_mm256_mul_ps(p, pow2(n1)), pow2(n2));
}

}  // namespace
}  // namespace mynah::kernels
