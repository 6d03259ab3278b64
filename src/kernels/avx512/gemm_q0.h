// The packed Q8_0 activation layout of the AVX-512 Q4_0/Q8_0 kernels (pack_q8_0.cpp writes it,
// gemm_q0.cpp reads it). Internal to this directory.
#pragma once

#include <cstdint>

#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx512 {

// Blocks are taken sixteen at a time, one block per 32-bit lane, so that a (row, token) pair's
// sixteen blocks need eight vpdpbusd and then a single convert, multiply and FMA: the float work
// that dominated when a vector held four blocks is amortised over sixteen.
inline constexpr int kGroupBlocks = 16;

// Lane i of a group holds block lane_block(i) = 4 * (i % 4) + i / 4. That is the order a 4x4
// in-lane dword transpose of four vectors of four consecutive blocks produces, so the weight
// kernels can gather a row's group with plain 128-bit loads and eight unpacks.
constexpr int lane_block(int lane) { return 4 * (lane & 3) + (lane >> 2); }

// Blocks 16g .. 16g + 15 of one activation row. lo[j] lane i = elements 4j .. 4j + 3 of block
// lane_block(i) and hi[j] lane i = elements 16 + 4j .. 16 + 4j + 3: Q4_0 keeps element e and
// e + 16 in one byte, so lo pairs with the low nibbles and hi with the high ones. `bias` is the
// integer correction the weight type's unsigned quants need (-8 or -128 times the block's sum of
// activation quants) and `d` the block's scale. Blocks past the row's end are all zero.
struct alignas(64) PackedQ8Group {
  int8_t lo[4][64];
  int8_t hi[4][64];
  int32_t bias[16];
  float d[16];
};
static_assert(sizeof(PackedQ8Group) == 640);

// The unsigned offset the weight type's kernel adds to its quants: 8 for Q4_0 nibbles, 128 for
// Q8_0 (w + 128 as unsigned bytes).
enum class QuantOffset : uint8_t { kQ4_0 = 8, kQ8_0 = 128 };

// Rearranges n_blocks Q8_0 blocks into (n_blocks + 15) / 16 packed groups.
void repack_q8_0(const tensor::BlockQ8_0* x, int64_t n_blocks, QuantOffset offset, PackedQ8Group* out);

}  // namespace mynah::kernels::avx512
