// AVX-512 VNNI GEMM tiles for Q4_K and Q6_K weights over Q8_K activations (prompt batches). A
// super-block of one weight row is unpacked once (quants into four zmm of two 32-element groups
// each, the group scales broadcast to match) and then used by every token of the tile, so what
// remains per (row, token, super-block) is four vpmaddubsw and four vpdpwssd; the integer totals of
// a tile's four rows are then reduced together and their float step runs in four lanes.
//
// Bit-identical to dot_q4_k_q8_k / dot_q6_k_q8_k of this ISA (dot_k_quants.cpp): both form the
// same exact int32 sums per super-block (every product and partial sum fits its integer lane, so
// the grouping of the additions cannot change them) and then run the same float operations in
// super-block order, so a token's outputs do not depend on the batch around it.
#include "kernels/avx512/simd.h"

#include <algorithm>
#include <array>
#include <utility>

#include "kernels/avx512/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx512 {
namespace {

using tensor::BlockQ8_K;
using tensor::kQkK;

// Int16 lanes 16k .. 16k + 15 of the result = lane pick[k] of v (k = 0, 1): one group scale per
// 32-byte half of a quants vector.
inline __m512i scale_pairs(__m512i v, int lo, int hi) {
  const __m512i idx = _mm512_inserti64x4(_mm512_set1_epi16(static_cast<short>(lo)), _mm256_set1_epi16(static_cast<short>(hi)), 1);
  return _mm512_permutexvar_epi16(idx, v);
}

inline __m512i load64(const int8_t* p) { return _mm512_loadu_si512(p); }

// The super-block's integer dot, unreduced: four groups-pair products, each weighted by its scales.
inline __m512i dot_groups(const __m512i q[4], const __m512i sc[4], const BlockQ8_K& x) {
  __m512i acc = _mm512_setzero_si512();
  for (int k = 0; k < 4; ++k) acc = _mm512_dpwssd_epi32(acc, _mm512_maddubs_epi16(q[k], load64(x.qs + 64 * k)), sc[k]);
  return acc;
}

// Exact int32 totals of four vectors in one: lane r = the sum of v[r]'s lanes. Reducing four rows
// at once costs a third of four separate horizontal sums.
inline __m128i sum4(const __m256i v[4]) {
  const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

inline __m256i fold(__m512i v) { return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)); }

// One Q4_K super-block of one row, unpacked: q[k] holds groups 2k and 2k + 1 (elements 64k ..
// 64k + 63, the order of the activations), sc[k] their scales as int16 lanes.
struct Q4KUnpacked {
  __m512i q[4], sc[4];
  __m256i mins;  // int16: the min of group g in lanes 2g, 2g + 1 (pairs with bsums)
  float d, dmin;

  explicit Q4KUnpacked(const tensor::BlockQ4_K& b) {
    alignas(16) uint8_t sm[16];  // 8 scales, 8 mins
    tensor::unpack_scales_k4(b.scales, sm);
    const __m128i sm8 = _mm_load_si128(reinterpret_cast<const __m128i*>(sm));
    const __m512i scales = _mm512_cvtepu8_epi16(_mm256_castsi128_si256(sm8));
    const __m128i pair_dup = _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    mins = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(_mm_srli_si128(sm8, 8), pair_dup));
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    for (int c2 = 0; c2 < 2; ++c2) {  // qs bytes 64 c2 .. 64 c2 + 63 are chunks 2 c2 and 2 c2 + 1
      const __m512i raw = _mm512_loadu_si512(b.qs + 64 * c2);
      const __m512i lo = _mm512_and_si512(raw, nibble);                       // groups 4c2, 4c2 + 2
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), nibble);  // groups 4c2 + 1, 4c2 + 3
      q[2 * c2] = _mm512_shuffle_i64x2(lo, hi, 0x44);      // groups 4c2, 4c2 + 1
      q[2 * c2 + 1] = _mm512_shuffle_i64x2(lo, hi, 0xee);  // groups 4c2 + 2, 4c2 + 3
    }
    for (int k = 0; k < 4; ++k) sc[k] = scale_pairs(scales, 2 * k, 2 * k + 1);
    d = _cvtsh_ss(b.d);
    dmin = _cvtsh_ss(b.dmin);
  }

  __m512i dot(const BlockQ8_K& x) const { return dot_groups(q, sc, x); }
  __m256i correction(const BlockQ8_K& x) const {
    return _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums)), mins);
  }
  float scale() const { return d; }
  float min_scale() const { return dmin; }
  // Lanes = rows: the dot's float step sum + (d x.d isum - dmin x.d msum), the same operations.
  static __m128 combine(__m128 sum, __m128 d_x, __m128i isum, __m128 dmin_x, __m128i msum) {
    return _mm_add_ps(sum, _mm_sub_ps(_mm_mul_ps(d_x, _mm_cvtepi32_ps(isum)), _mm_mul_ps(dmin_x, _mm_cvtepi32_ps(msum))));
  }
};

// One Q6_K super-block of one row: q[k] holds elements 64k .. 64k + 63 (groups 4k .. 4k + 3) as
// unsigned 6-bit values, sc[k] their group scales; the stored offset of 32 is removed through the
// activations' bsums, as in the dot.
struct Q6KUnpacked {
  __m512i q[4], sc[4];
  __m256i sc16;
  float d;

  explicit Q6KUnpacked(const tensor::BlockQ6_K& b) {
    sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    const __m512i scales = _mm512_castsi256_si512(sc16);
    const __m512i nibble = _mm512_set1_epi8(0x0f), two = _mm512_set1_epi8(0x03);
    for (int h = 0; h < 2; ++h) {
      // Elements 32 s + l of half h: low bits from ql[64 h + l + 32 (s & 1)] (>> 4 when s >= 2),
      // high bits = bits 2s, 2s + 1 of qh[32 h + l]. Vector k = 2h holds s = 0, 1; 2h + 1 holds 2, 3.
      const __m512i ql = _mm512_loadu_si512(b.ql + 64 * h);
      const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h)));
      const __m512i qh01 = _mm512_srlv_epi16(qh, _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1));
      const __m512i qh23 = _mm512_srli_epi16(qh01, 4);
      const __m512i low01 = _mm512_and_si512(ql, nibble), low23 = _mm512_and_si512(_mm512_srli_epi16(ql, 4), nibble);
      q[2 * h] = _mm512_or_si512(low01, _mm512_slli_epi16(_mm512_and_si512(qh01, two), 4));
      q[2 * h + 1] = _mm512_or_si512(low23, _mm512_slli_epi16(_mm512_and_si512(qh23, two), 4));
    }
    // int16 lane i of vector k belongs to group 4k + i / 8.
    for (int k = 0; k < 4; ++k) {
      alignas(64) int16_t idx[32];
      for (int i = 0; i < 32; ++i) idx[i] = static_cast<int16_t>(4 * k + i / 8);
      sc[k] = _mm512_permutexvar_epi16(_mm512_load_si512(idx), scales);
    }
    d = _cvtsh_ss(b.d);
  }

  __m512i dot(const BlockQ8_K& x) const { return dot_groups(q, sc, x); }
  __m256i correction(const BlockQ8_K& x) const {
    return _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums)), sc16);
  }
  float scale() const { return d; }
  float min_scale() const { return 0.0f; }
  // Lanes = rows: the dot's sum + (d x.d (isum - 32 offset) - 0 * 0); subtracting +0 changes no
  // value (not even -0), so it is left out.
  static __m128 combine(__m128 sum, __m128 d_x, __m128i isum, __m128 /*dmin_x*/, __m128i offset) {
    const __m128i value = _mm_sub_epi32(isum, _mm_slli_epi32(offset, 5));
    return _mm_add_ps(sum, _mm_mul_ps(d_x, _mm_cvtepi32_ps(value)));
  }
};

template <class Block, class Unpacked, int kRows, int kTokens>
void tile(const void* w_raw, size_t w_stride, const void* x_raw, size_t x_stride, int64_t n, float* y,
          size_t y_stride) {
  const Block* w[kRows];
  for (int r = 0; r < kRows; ++r) w[r] = reinterpret_cast<const Block*>(static_cast<const uint8_t*>(w_raw) + w_stride * r);
  const BlockQ8_K* x[kTokens];
  for (int t = 0; t < kTokens; ++t) {
    x[t] = reinterpret_cast<const BlockQ8_K*>(static_cast<const uint8_t*>(x_raw) + x_stride * t);
  }
  static_assert(kRows <= 4);
  __m128 sum[kTokens];
  for (int t = 0; t < kTokens; ++t) sum[t] = _mm_setzero_ps();
  for (int64_t b = 0; b < n / kQkK; ++b) {
    // Per token, the rows' unreduced dots and corrections; lanes past kRows stay zero.
    __m256i dots[kTokens][4], corrections[kTokens][4];
    alignas(16) float d[4] = {}, dmin[4] = {};
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) {
      prefetch_ahead(&w[r][b], sizeof(Block));  // decode streams the rows from DRAM (x86_simd.h)
      const Unpacked u(w[r][b]);
      d[r] = u.scale();
      dmin[r] = u.min_scale();
#pragma GCC unroll 4
      for (int t = 0; t < kTokens; ++t) {
        dots[t][r] = fold(u.dot(x[t][b]));
        corrections[t][r] = u.correction(x[t][b]);
      }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
      for (int r = kRows; r < 4; ++r) dots[t][r] = corrections[t][r] = _mm256_setzero_si256();
      const __m128 xd = _mm_set1_ps(x[t][b].d);
      sum[t] = Unpacked::combine(sum[t], _mm_mul_ps(_mm_load_ps(d), xd), sum4(dots[t]), _mm_mul_ps(_mm_load_ps(dmin), xd),
                                 sum4(corrections[t]));
    }
  }
  for (int t = 0; t < kTokens; ++t) {
    alignas(16) float out[4];
    _mm_store_ps(out, sum[t]);
    for (int r = 0; r < kRows; ++r) y[y_stride * t + r] = out[r];
  }
}

using TileFn = void (*)(const void*, size_t, const void*, size_t, int64_t, float*, size_t);

// A call's rows and tokens go through tiles of at most this many.
constexpr int kTileRows = 4;
constexpr int kTileTokens = 4;

template <class Block, class Unpacked, int kRows, int... kTokens>
constexpr auto token_row(std::integer_sequence<int, kTokens...>) {
  return std::array<TileFn, sizeof...(kTokens)>{&tile<Block, Unpacked, kRows, kTokens + 1>...};
}

// kTiles[rows - 1][tokens - 1]
template <class Block, class Unpacked, int... kRows>
constexpr auto tile_table(std::integer_sequence<int, kRows...>) {
  return std::array<std::array<TileFn, kTileTokens>, sizeof...(kRows)>{
      token_row<Block, Unpacked, kRows + 1>(std::make_integer_sequence<int, kTileTokens>{})...};
}

template <class Block, class Unpacked>
void gemm(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens, int64_t n,
          float* y, size_t y_stride) {
  static constexpr auto kTiles = tile_table<Block, Unpacked>(std::make_integer_sequence<int, kTileRows>{});
  for (int r = 0; r < n_rows; r += kTileRows) {
    const int rows = std::min(kTileRows, n_rows - r);
    for (int t = 0; t < n_tokens; t += kTileTokens) {
      const int tokens = std::min(kTileTokens, n_tokens - t);
      kTiles[rows - 1][tokens - 1](static_cast<const uint8_t*>(w) + w_stride * r, w_stride,
                                   static_cast<const uint8_t*>(x) + x_stride * t, x_stride, n, y + y_stride * t + r,
                                   y_stride);
    }
  }
}

}  // namespace

size_t packed_q8_k_bytes(int64_t n) { return static_cast<size_t>(n / kQkK) * sizeof(BlockQ8_K); }

void gemm_q4_k_q8_k(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride) {
  gemm<tensor::BlockQ4_K, Q4KUnpacked>(w, w_stride, n_rows, x, x_stride, n_tokens, n, y, y_stride);
}

void gemm_q6_k_q8_k(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride) {
  gemm<tensor::BlockQ6_K, Q6KUnpacked>(w, w_stride, n_rows, x, x_stride, n_tokens, n, y, y_stride);
}

}  // namespace mynah::kernels::avx512
