// AVX-512 VNNI GEMM for Q4_0 and Q8_0 weights over packed Q8_0 activations (gemm_q0.h), sixteen
// blocks per step. Each (row, token) output has one 16-lane float accumulator whose lane i
// gathers block lane_block(i) of every group: per group, the exact integer dot of each block
// (eight vpdpbusd from the activations' bias), then one convert, one scale multiply and one FMA,
// groups in order; the 16 lanes are summed once at the end.
//
// A call covers up to kGemmRows rows and kGemmTokens tokens. The row kernel unpacks one weight
// group and runs it past every token of the call; the call walks the columns in slabs sized so the
// tokens' packed activations stay in L1 while its rows pass over them. Slabs only store and reload
// the accumulators, so the operations on any output are the same for every token count, which is
// what keeps decode (the one-token call) and prefill bit-identical.
#include "kernels/avx512/simd.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <utility>

#include "kernels/avx512/gemm_q0.h"
#include "kernels/avx512/kernels.h"

namespace mynah::kernels::avx512 {
namespace {

using tensor::BlockQ4_0;
using tensor::BlockQ8_0;

// One weight row's group: lo/hi[j] pair with the activations' lo/hi[j] (unsigned bytes), d is
// the blocks' scales, all in lane_block order.
struct UnpackedGroup {
  __m512i lo[4];
  __m512i hi[4];
  __m512 d;
};

// 16 bytes at `offset` of blocks 4k .. 4k + 3 in the four 128-bit lanes.
template <class Block>
inline __m512i load_quad(const Block* w, int offset) {
  const auto at = [&](int k) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint8_t*>(&w[k]) + offset));
  };
  __m512i v = _mm512_castsi128_si512(at(0));
  v = _mm512_inserti32x4(v, at(1), 1);
  v = _mm512_inserti32x4(v, at(2), 2);
  return _mm512_inserti32x4(v, at(3), 3);
}

// Dword j of the 16 bytes at `offset` of every block of the group, in lane_block order: an in-lane
// 4x4 dword transpose of the four quads.
template <class Block>
inline void transpose_group(const Block* w, int offset, __m512i out[4]) {
  const __m512i z0 = load_quad(w, offset), z1 = load_quad(w + 4, offset);
  const __m512i z2 = load_quad(w + 8, offset), z3 = load_quad(w + 12, offset);
  const __m512i t0 = _mm512_unpacklo_epi32(z0, z1), t1 = _mm512_unpackhi_epi32(z0, z1);
  const __m512i t2 = _mm512_unpacklo_epi32(z2, z3), t3 = _mm512_unpackhi_epi32(z2, z3);
  out[0] = _mm512_unpacklo_epi64(t0, t2);
  out[1] = _mm512_unpackhi_epi64(t0, t2);
  out[2] = _mm512_unpacklo_epi64(t1, t3);
  out[3] = _mm512_unpackhi_epi64(t1, t3);
}

// Word-permute indices and lane masks that pull the group's 16 fp16 scales (the first word of
// every block, word k * sizeof(Block) / 2 for block k) out of 64-word chunks of the group's
// bytes, in lane_block order. A gather did the same at about twice the cost of the whole kernel's
// float work.
template <class Block>
struct ScaleWords {
  static constexpr int kWordsPerBlock = sizeof(Block) / 2;
  static constexpr int kChunks = (kGroupBlocks * kWordsPerBlock + 63) / 64;
  alignas(64) int16_t index[kChunks][32] = {};
  __mmask32 lanes[kChunks] = {};
  constexpr ScaleWords() {
    for (int i = 0; i < kGroupBlocks; ++i) {
      const int word = lane_block(i) * kWordsPerBlock;
      index[word / 64][i] = static_cast<int16_t>(word % 64);
      lanes[word / 64] |= __mmask32{1} << i;
    }
  }
};

template <class Block>
inline __m512 group_scales(const Block* w) {
  static constexpr ScaleWords<Block> kWords;
  constexpr int kGroupWords = kGroupBlocks * sizeof(Block) / 2;
  const auto* words = reinterpret_cast<const int16_t*>(w);
  __m512i out = _mm512_setzero_si512();
#pragma GCC unroll 8
  for (int c = 0; c < ScaleWords<Block>::kChunks; ++c) {
    // Never read past the group: the last chunk's loads are masked to its remaining words.
    const int left = kGroupWords - 64 * c;
    const __mmask32 lo_mask = left >= 32 ? ~__mmask32{0} : (__mmask32{1} << left) - 1;
    const __mmask32 hi_mask = left >= 64 ? ~__mmask32{0} : (__mmask32{1} << (left - 32)) - 1;
    const __m512i lo = _mm512_maskz_loadu_epi16(lo_mask, words + 64 * c);
    const __m512i hi = left > 32 ? _mm512_maskz_loadu_epi16(hi_mask, words + 64 * c + 32) : _mm512_setzero_si512();
    const __m512i picked = _mm512_permutex2var_epi16(lo, _mm512_load_si512(kWords.index[c]), hi);
    out = _mm512_mask_mov_epi16(out, kWords.lanes[c], picked);
  }
  return _mm512_cvtph_ps(_mm512_castsi512_si256(out));
}

// Q4_0 rows: element e's nibble in lo, element e + 16's in hi, as unsigned bytes 0..15.
struct Q4_0Rows {
  using Block = BlockQ4_0;
  static void unpack_full(const Block* w, UnpackedGroup& u) {
    __m512i raw[4];
    transpose_group(w, offsetof(Block, qs), raw);
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    for (int j = 0; j < 4; ++j) {
      u.lo[j] = _mm512_and_si512(raw[j], nibble);
      u.hi[j] = _mm512_and_si512(_mm512_srli_epi16(raw[j], 4), nibble);
    }
    u.d = group_scales(w);
  }
};

// Q8_0 rows: w + 128 as unsigned bytes; the activations' bias removes 128 * x.
struct Q8_0Rows {
  using Block = BlockQ8_0;
  static void unpack_full(const Block* w, UnpackedGroup& u) {
    transpose_group(w, offsetof(Block, qs), u.lo);
    transpose_group(w, offsetof(Block, qs) + 16, u.hi);
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    for (int j = 0; j < 4; ++j) {
      u.lo[j] = _mm512_xor_si512(u.lo[j], flip);
      u.hi[j] = _mm512_xor_si512(u.hi[j], flip);
    }
    u.d = group_scales(w);
  }
};

// A row's last group when it has m < 16 blocks: the blocks are copied into a zeroed group, so no
// load leaves the row, and the missing blocks (scale 0, activations 0) add exactly +0.
template <class Rows>
inline void unpack_group(const typename Rows::Block* w, int m, UnpackedGroup& u) {
  using Block = typename Rows::Block;
  if (m == kGroupBlocks) {
    Rows::unpack_full(w, u);
    return;
  }
  Block padded[kGroupBlocks];
  std::memset(static_cast<void*>(padded), 0, sizeof(padded));
  std::memcpy(static_cast<void*>(padded), static_cast<const void*>(w), sizeof(Block) * static_cast<size_t>(m));
  Rows::unpack_full(padded, u);
}

// Groups [g0, g1) of one weight row for kTokens tokens, accumulating into acc[0 .. kTokens).
template <class Rows, int kTokens>
void row_groups(const typename Rows::Block* w, int64_t n_blocks, const PackedQ8Group* const* x, int64_t g0,
                int64_t g1, __m512* acc_io) {
  __m512 acc[kTokens];
#pragma GCC unroll 8
  for (int t = 0; t < kTokens; ++t) acc[t] = acc_io[t];
  for (int64_t g = g0; g < g1; ++g) {
    const auto* wg = w + g * kGroupBlocks;
    prefetch_ahead(wg, sizeof(*wg) * kGroupBlocks);  // decode streams the rows from DRAM (x86_simd.h)
    UnpackedGroup u;
    unpack_group<Rows>(wg, static_cast<int>(std::min<int64_t>(kGroupBlocks, n_blocks - g * kGroupBlocks)), u);
    // Tokens are the inner loop of every step so each dependent vpdpbusd chain has kTokens - 1
    // independent ones between its links.
    __m512i sum[kTokens];
#pragma GCC unroll 8
    for (int t = 0; t < kTokens; ++t) sum[t] = _mm512_load_si512(x[t][g].bias);
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
#pragma GCC unroll 8
      for (int t = 0; t < kTokens; ++t) sum[t] = _mm512_dpbusd_epi32(sum[t], u.lo[j], _mm512_load_si512(x[t][g].lo[j]));
#pragma GCC unroll 8
      for (int t = 0; t < kTokens; ++t) sum[t] = _mm512_dpbusd_epi32(sum[t], u.hi[j], _mm512_load_si512(x[t][g].hi[j]));
    }
#pragma GCC unroll 8
    for (int t = 0; t < kTokens; ++t) {
      const __m512 scale = _mm512_mul_ps(u.d, _mm512_load_ps(x[t][g].d));
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[t]), scale, acc[t]);
    }
  }
#pragma GCC unroll 8
  for (int t = 0; t < kTokens; ++t) acc_io[t] = acc[t];
}

// Packed activations of all tokens of a slab should fit in about 20 KiB of the 32-48 KiB L1.
constexpr size_t kSlabBytes = 20 << 10;

template <class Rows, int kTokens>
void gemm_tokens(const void* w_raw, size_t w_stride, int n_rows, const void* x_raw, size_t x_stride, int64_t n,
                 float* y, size_t y_stride) {
  using Block = typename Rows::Block;
  const int64_t n_blocks = n / tensor::kQk8_0;
  const int64_t n_groups = (n_blocks + kGroupBlocks - 1) / kGroupBlocks;
  constexpr int64_t kSlabGroups = std::max<int64_t>(1, kSlabBytes / (kTokens * sizeof(PackedQ8Group)));
  const PackedQ8Group* x[kTokens];
  for (int t = 0; t < kTokens; ++t) {
    x[t] = reinterpret_cast<const PackedQ8Group*>(static_cast<const uint8_t*>(x_raw) + x_stride * t);
  }
  __m512 acc[kGemmRows][kTokens];
  for (int r = 0; r < n_rows; ++r) {
    for (int t = 0; t < kTokens; ++t) acc[r][t] = _mm512_setzero_ps();
  }
  for (int64_t g0 = 0; g0 < n_groups; g0 += kSlabGroups) {
    const int64_t g1 = std::min(n_groups, g0 + kSlabGroups);
    for (int r = 0; r < n_rows; ++r) {
      const auto* w = reinterpret_cast<const Block*>(static_cast<const uint8_t*>(w_raw) + w_stride * r);
      row_groups<Rows, kTokens>(w, n_blocks, x, g0, g1, acc[r]);
    }
  }
  for (int r = 0; r < n_rows; ++r) {
    for (int t = 0; t < kTokens; ++t) y[y_stride * t + r] = _mm512_reduce_add_ps(acc[r][t]);
  }
}

using GemmTokensFn = void (*)(const void*, size_t, int, const void*, size_t, int64_t, float*, size_t);

template <class Rows, int... kTokens>
constexpr auto token_table(std::integer_sequence<int, kTokens...>) {
  return std::array<GemmTokensFn, sizeof...(kTokens)>{&gemm_tokens<Rows, kTokens + 1>...};
}

template <class Rows>
void gemm(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens, int64_t n,
          float* y, size_t y_stride) {
  static constexpr auto kByTokens = token_table<Rows>(std::make_integer_sequence<int, kGemmTokens>{});
  kByTokens[n_tokens - 1](w, w_stride, n_rows, x, x_stride, n, y, y_stride);
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
