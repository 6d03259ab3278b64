// Byte-exact ggml block layouts for the quantized types we read and write (see ggml-common.h).
// Scales are IEEE fp16 bit patterns; convert with util::fp16_to_fp32 (or F16C in SIMD code).
// Each struct's comment gives the value of element j; tensor/dequantize.cpp is the executable spec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mynah::tensor {

inline constexpr int kQk4_0 = 32;  // elements per Q4_0 block
inline constexpr int kQk8_0 = 32;  // elements per Q8_0 block
inline constexpr int kQk4_1 = 32;
inline constexpr int kQk5_0 = 32;
inline constexpr int kQk5_1 = 32;
inline constexpr int kQkK = 256;   // elements per K-quant super-block
inline constexpr int kKScaleBytes = 12;  // packed 6-bit scales and mins of Q4_K / Q5_K

// Q4_0: value[j] = (nibble[j] - 8) * d. qs[j] holds element j in its low nibble and element j + 16
// in its high nibble.
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQk4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block must match ggml's 18 bytes");
static_assert(offsetof(BlockQ4_0, qs) == 2);

// Q8_0: value[j] = qs[j] * d. Quantizers produce qs in [-127, 127]; the AVX2 Q8_0 dot relies on
// activations never being -128 (its sign trick), the other kernels are exact for any int8.
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQk8_0];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block must match ggml's 34 bytes");
static_assert(offsetof(BlockQ8_0, qs) == 2);

// Q4_1: value[j] = nibble[j] * d + m, nibbles as in Q4_0.
struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQk4_1 / 2];
};
static_assert(sizeof(BlockQ4_1) == 20);

// Q5_0: value[j] = (q[j] - 16) * d with q[j] = nibble[j] | bit j of qh << 4 (qh little-endian
// uint32; nibbles as in Q4_0, so bits 0-15 go with low nibbles, 16-31 with high nibbles).
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQk5_0 / 2];
};
static_assert(sizeof(BlockQ5_0) == 22);

// Q5_1: value[j] = q[j] * d + m, q[j] as in Q5_0 (0..31).
struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQk5_1 / 2];
};
static_assert(sizeof(BlockQ5_1) == 24);

// Q8_K (activations of the K-quant dots): value[j] = qs[j] * d with a float scale; bsums[g] is the
// sum of qs over elements 16g .. 16g + 15.
struct BlockQ8_K {
  float d;
  int8_t qs[kQkK];
  int16_t bsums[kQkK / 16];
};
static_assert(sizeof(BlockQ8_K) == 292);

// Q2_K: 16 groups of 16. Group g: value = d * (scales[g] & 15) * q - dmin * (scales[g] >> 4), q in
// 0..3. Element e of 128-element half h (e = 32 * s + l, s = 0..3 shift, l = 0..31) is bits
// 2s..2s+1 of qs[32 h + l]; its group is 8h + 2s + l / 16.
struct BlockQ2_K {
  uint8_t scales[kQkK / 16];
  uint8_t qs[kQkK / 4];
  uint16_t d;
  uint16_t dmin;
};
static_assert(sizeof(BlockQ2_K) == 84);

// Q3_K: 16 groups of 16, value = d * (scale[g] - 32) * q with q = low - (high bit ? 0 : 4) in -4..3.
// The low 2 bits are laid out as Q2_K's; the high bit of element 32 * s + l of half h is bit
// 4h + s of hmask[l]. scale[g] (6 bits) = low nibble from scales[g % 8] (>> 4 for g >= 8), high
// 2 bits from scales[8 + g % 4] >> (2 * (g / 4)).
struct BlockQ3_K {
  uint8_t hmask[kQkK / 8];
  uint8_t qs[kQkK / 4];
  uint8_t scales[12];
  uint16_t d;
};
static_assert(sizeof(BlockQ3_K) == 110);

// Q4_K: 8 groups of 32. Group g: value = d * sc[g] * q - dmin * m[g], q a nibble. Element e of
// 64-element chunk c (e = 32 * half + l) is the low (half 0) or high (half 1) nibble of
// qs[32 c + l]; its group is 2c + half. sc and m are 6-bit (see scale_min_k4).
struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQkK / 2];
};
static_assert(sizeof(BlockQ4_K) == 144);

// Q5_K: Q4_K plus a fifth bit: element 32 * half + l of chunk c has bit 2c + half of qh[l].
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQkK / 8];
  uint8_t qs[kQkK / 2];
};
static_assert(sizeof(BlockQ5_K) == 176);

// Q6_K: 16 groups of 16, value = d * scales[g] * (q - 32), q 6 bits. Element 32 * s + l of
// 128-element half h: low 4 bits from ql[64 h + l + 32 * (s & 1)] (>> 4 when s >= 2), high 2 bits
// are bits 2s..2s+1 of qh[32 h + l]; its group is 8h + 2s + l / 16.
struct BlockQ6_K {
  uint8_t ql[kQkK / 2];
  uint8_t qh[kQkK / 4];
  int8_t scales[kQkK / 16];
  uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210);

// Helpers with internal linkage on purpose: this header is included by kernel files compiled for
// different ISAs, and an inline function with external linkage could be merged by the linker into
// one copy built with AVX-512 flags (see kernels/x86_simd.h).
namespace {

// The 6-bit scale and min of group g (0..7) of a Q4_K/Q5_K block (ggml's get_scale_min_k4).
inline void scale_min_k4(int g, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (g < 4) {
    *sc = q[g] & 63;
    *m = q[g + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[g + 4] & 0xf) | ((q[g - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((q[g + 4] >> 4) | ((q[g] >> 6) << 4));
  }
}

// The 6-bit scale (0..63, stored offset by 32) of group g (0..15) of a Q3_K block.
inline int scale_q3_k(int g, const uint8_t* scales) {
  const int low = g < 8 ? scales[g] & 0xf : scales[g - 8] >> 4;
  const int high = (scales[8 + g % 4] >> (2 * (g / 4))) & 3;
  return low | (high << 4);
}

// All 8 scales (bytes 0-7) and 8 mins (bytes 8-15) of a Q4_K/Q5_K block at once, as
// scale_min_k4 gives them (ggml's utmp shuffle on 32-bit words).
inline void unpack_scales_k4(const uint8_t* packed, uint8_t* out) {
  constexpr uint32_t kLow6 = 0x3f3f3f3f, kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
  uint32_t u[4];
  std::memcpy(u, packed, kKScaleBytes);
  u[3] = ((u[2] >> 4) & kLow4) | (((u[1] >> 6) & kLow2) << 4);
  const uint32_t mins_low = u[1] & kLow6;
  u[1] = (u[2] & kLow4) | (((u[0] >> 6) & kLow2) << 4);
  u[2] = mins_low;
  u[0] &= kLow6;
  std::memcpy(out, u, sizeof(u));
}

}  // namespace

}  // namespace mynah::tensor
