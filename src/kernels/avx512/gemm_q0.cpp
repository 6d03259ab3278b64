// AVX-512 VNNI tiles of up to 4 weight rows x 4 tokens for Q4_0 and Q8_0 weights over packed
// activations (gemm_q0.h), four blocks per step. Each (row, token) output has one 16-lane float
// accumulator: lane 4k + i gathers, for every block b = k (mod 4), the exact integer sum over its
// elements 4i..4i+3 and 16+4i..16+4i+3 times that block's scale product (one FMA per block, in
// block order), and the 16 lanes are summed once at the end. The weight unpacking is shared by
// the tile's tokens and the activations' bias by its rows, so what remains per (row, token) and
// four blocks is two vpdpbusd, a convert, a scale multiply and an FMA.
//
// This is the only Q4_0/Q8_0 kernel of the ISA: decode runs the one-token tile, so a token's
// outputs are the same bits whatever the batch, and the table's dots are one-token tiles too.
#include "kernels/avx512/simd.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "kernels/avx512/gemm_q0.h"
#include "kernels/avx512/kernels.h"

namespace mynah::kernels::avx512 {
namespace {

using tensor::BlockQ4_0;
using tensor::BlockQ8_0;

// Mask of the bytes of m < 4 blocks of `Block` (tail loads must not leave the row).
template <class Block>
inline __mmask64 block_bytes(int m) {
  const int n = m * static_cast<int>(sizeof(Block));
  return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
}

// Lanes of the fp16 scales of blocks k < m: word k * sizeof(Block) / 2 of the first 64 bytes,
// 4 copies each. (Q8_0's fourth scale is past 64 bytes; that layout loads two vectors.)
template <class Block>
inline __m512 quad_scales(const Block* w, int m) {
  constexpr int kWords = sizeof(Block) / 2;
  const __m512i idx = _mm512_setr_epi32(0, 0, kWords * 0x10001, kWords * 0x10001, 2 * kWords * 0x10001,
                                        2 * kWords * 0x10001, 3 * kWords * 0x10001, 3 * kWords * 0x10001,  //
                                        0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i raw = m == kQuadBlocks ? _mm512_loadu_si512(w) : _mm512_maskz_loadu_epi8(block_bytes<Block>(m), w);
  const __m512 d = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(idx, raw)));
  return m == kQuadBlocks ? d : _mm512_maskz_mov_ps(static_cast<__mmask16>((1u << (4 * m)) - 1), d);
}

// 16 bytes at `byte_offset` of blocks k < m into 128-bit lane k (other lanes zero).
template <class Block>
inline __m512i gather_halves(const Block* w, int m, int byte_offset) {
  const auto at = [&](int k) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint8_t*>(&w[k]) + byte_offset));
  };
  __m512i v = m == kQuadBlocks ? _mm512_broadcast_i32x4(at(0)) : _mm512_maskz_broadcast_i32x4(0x000f, at(0));
  if (m > 1) v = _mm512_mask_broadcast_i32x4(v, 0x00f0, at(1));
  if (m > 2) v = _mm512_mask_broadcast_i32x4(v, 0x0f00, at(2));
  if (m > 3) v = _mm512_mask_broadcast_i32x4(v, 0xf000, at(3));
  return v;
}

// Q4_0 rows: element j's nibble in lo, element j + 16's in hi, as unsigned bytes 0..15.
struct Q4_0Rows {
  using Block = BlockQ4_0;
  static void quants(const Block* w, int m, __m512i& lo, __m512i& hi) {
    const __m512i raw = gather_halves(w, m, offsetof(Block, qs));
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    lo = _mm512_and_si512(raw, nibble);
    hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), nibble);
  }
  static __m512 scales(const Block* w, int m) { return quad_scales(w, m); }
};

// Q8_0 rows: w + 128 as unsigned bytes; the activations' bias removes 128 * x.
struct Q8_0Rows {
  using Block = BlockQ8_0;
  static void quants(const Block* w, int m, __m512i& lo, __m512i& hi) {
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    lo = _mm512_xor_si512(gather_halves(w, m, offsetof(Block, qs)), flip);
    hi = _mm512_xor_si512(gather_halves(w, m, offsetof(Block, qs) + 16), flip);
    if (m < kQuadBlocks) {  // missing blocks: back to zero
      const __mmask64 live = m >= 4 ? ~__mmask64{0} : (__mmask64{1} << (16 * m)) - 1;
      lo = _mm512_maskz_mov_epi8(live, lo);
      hi = _mm512_maskz_mov_epi8(live, hi);
    }
  }
  // Blocks are 34 bytes: scales 0 and 1 come from the first 64 bytes, 2 and 3 from the next.
  static __m512 scales(const Block* w, int m) {
    const __m512 d01 = quad_scales(w, std::min(m, 2));
    if (m <= 2) return d01;
    const __m512 d23 = quad_scales(w + 2, m - 2);
    return _mm512_shuffle_f32x4(d01, d23, 0x44);  // lanes 0-7 of d01, then lanes 0-7 of d23
  }
};

// Software prefetch this far ahead in every weight row: in decode the tile streams rows from
// DRAM and the hardware prefetcher alone keeps too few lines in flight (see x86_simd.h).
constexpr int kPrefetchBytes = 8192;

template <class Rows, int kRows, int kTokens>
void tile(const void* w_raw, size_t w_stride, const void* x_raw, size_t x_stride, int64_t n, float* y,
          size_t y_stride) {
  using Block = typename Rows::Block;
  const Block* w[kRows];
  for (int r = 0; r < kRows; ++r) {
    w[r] = reinterpret_cast<const Block*>(static_cast<const uint8_t*>(w_raw) + w_stride * r);
  }
  const PackedQ8Quad* x[kTokens];
  for (int t = 0; t < kTokens; ++t) {
    x[t] = reinterpret_cast<const PackedQ8Quad*>(static_cast<const uint8_t*>(x_raw) + x_stride * t);
  }
  __m512 acc[kRows][kTokens];
  for (int r = 0; r < kRows; ++r) {
    for (int t = 0; t < kTokens; ++t) acc[r][t] = _mm512_setzero_ps();
  }
  // Blocks [b, b + m) of every row and token; m is kQuadBlocks (a constant once inlined) except in
  // a row's last, partial quad. All rows are unpacked first and tokens are the outer loop (10%
  // faster here than one row at a time, though the compiler spills two accumulators).
  const auto step = [&](int64_t g, int m) __attribute__((always_inline)) {
    const int64_t b = g * kQuadBlocks;
    __m512i lo[kRows], hi[kRows];
    __m512 dw[kRows];
    for (int r = 0; r < kRows; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(w[r] + b) + kPrefetchBytes, _MM_HINT_T1);
      Rows::quants(w[r] + b, m, lo[r], hi[r]);
      dw[r] = Rows::scales(w[r] + b, m);
    }
    for (int t = 0; t < kTokens; ++t) {
      const PackedQ8Quad& xq = x[t][g];
      for (int r = 0; r < kRows; ++r) {
        __m512i sumi = _mm512_dpbusd_epi32(_mm512_load_si512(xq.bias), lo[r], _mm512_load_si512(xq.lo));
        sumi = _mm512_dpbusd_epi32(sumi, hi[r], _mm512_load_si512(xq.hi));
        const __m512 scale = _mm512_mul_ps(dw[r], _mm512_load_ps(xq.d));
        acc[r][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi), scale, acc[r][t]);
      }
    }
  };
  const int64_t n_blocks = n / tensor::kQk8_0;
  int64_t g = 0;
  for (; (g + 1) * kQuadBlocks <= n_blocks; ++g) step(g, kQuadBlocks);
  if (g * kQuadBlocks < n_blocks) step(g, static_cast<int>(n_blocks - g * kQuadBlocks));
  for (int r = 0; r < kRows; ++r) {
    for (int t = 0; t < kTokens; ++t) y[y_stride * t + r] = _mm512_reduce_add_ps(acc[r][t]);
  }
}

using TileFn = void (*)(const void*, size_t, const void*, size_t, int64_t, float*, size_t);

template <class Rows, int kRows, int... kTokens>
constexpr auto token_row(std::integer_sequence<int, kTokens...>) {
  return std::array<TileFn, sizeof...(kTokens)>{&tile<Rows, kRows, kTokens + 1>...};
}

// kTiles[rows - 1][tokens - 1]
template <class Rows, int... kRows>
constexpr auto tile_table(std::integer_sequence<int, kRows...>) {
  return std::array<std::array<TileFn, kGemmTokens>, sizeof...(kRows)>{
      token_row<Rows, kRows + 1>(std::make_integer_sequence<int, kGemmTokens>{})...};
}

template <class Rows>
void gemm(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens, int64_t n,
          float* y, size_t y_stride) {
  static constexpr auto kTiles = tile_table<Rows>(std::make_integer_sequence<int, kGemmRows>{});
  kTiles[n_rows - 1][n_tokens - 1](w, w_stride, x, x_stride, n, y, y_stride);
}

}  // namespace

void gemm_q4_0_q8_0(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride) {
  gemm<Q4_0Rows>(w, w_stride, n_rows, x, x_stride, n_tokens, n, y, y_stride);
}

void gemm_q8_0_q8_0(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride) {
  gemm<Q8_0Rows>(w, w_stride, n_rows, x, x_stride, n_tokens, n, y, y_stride);
}

}  // namespace mynah::kernels::avx512
