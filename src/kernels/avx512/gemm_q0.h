// The packed Q8_0 activation layout of the AVX-512 Q4_0/Q8_0 kernels (pack_q8_0.cpp writes it,
// gemm_q0.cpp reads it). Internal to this directory.
#pragma once

#include <cstdint>

#include "tensor/quant_blocks.h"

namespace mynah::kernels::avx512 {

// Blocks 4g .. 4g + 3 of one activation row, laid out so that one zmm lane pairs 4 quants of a
// block's first half with the 4 at the same place in its second half: lane 4k + i covers elements
// 4i .. 4i + 3 (in `lo`) and 16 + 4i .. 16 + 4i + 3 (in `hi`) of block 4g + k. That matches Q4_0's
// nibble order (element j and j + 16 share a byte), so two vpdpbusd per quad of blocks do a
// (row, token) pair's integer work and one cvt, multiply and FMA its float work, for 16 lanes.
// A row's missing blocks past its end are zero. `bias` is the integer correction the weight
// type's quants need (-8 or -128 times each lane's sum of activation quants).
struct alignas(64) PackedQ8Quad {
  int8_t lo[64];
  int8_t hi[64];
  int32_t bias[16];
  float d[16];  // block 4g + k's scale in lanes 4k .. 4k + 3
};
static_assert(sizeof(PackedQ8Quad) == 256);

inline constexpr int kQuadBlocks = 4;

// The unsigned offset the weight type's kernel adds to its quants: 8 for Q4_0 nibbles, 128 for
// Q8_0 (w + 128 as unsigned bytes).
enum class QuantOffset : uint8_t { kQ4_0 = 8, kQ8_0 = 128 };

// Rearranges n_blocks Q8_0 blocks into (n_blocks + 3) / 4 packed quads.
void repack_q8_0(const tensor::BlockQ8_0* x, int64_t n_blocks, QuantOffset offset, PackedQ8Quad* out);

}  // namespace mynah::kernels::avx512
