// Quantizers from fp32 to every supported type: bit-exact with ggml's *_ref functions for F16,
// BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 and Q8_K; simpler (documented below) for the K-quant weights.
// Used by the random-model writer and, through the kernel table, to quantize activations.
#pragma once

#include <bit>
#include <cstdint>

#include "gguf/gguf_types.h"
#include "tensor/quant_blocks.h"

namespace mynah::tensor {

// n must be a multiple of 32. Per block: d = amax / 127, q = roundf(x * (1 / d)) (ties away from 0).
// Inputs must be finite.
void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n);

// n must be a multiple of 32. Per block: d = max / -8 where max is the signed value of largest
// magnitude, q = min(15, (int8)(x * (1 / d) + 8.5)). Inputs must be finite.
void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n);

// n a multiple of 32. ggml's quantize_row_q4_1_ref: d = (max - min) / 15, m = min,
// q = min(15, (int8)((x - min) / d + 0.5)).
void quantize_row_q4_1(const float* x, BlockQ4_1* y, int64_t n);
// n a multiple of 32. ggml's quantize_row_q5_0_ref: d = max / -16, q = min(31, (int8)(x / d + 16.5)).
void quantize_row_q5_0(const float* x, BlockQ5_0* y, int64_t n);
// n a multiple of 32. ggml's quantize_row_q5_1_ref: d = (max - min) / 31, q = (uint8)((x - min) / d + 0.5).
void quantize_row_q5_1(const float* x, BlockQ5_1* y, int64_t n);
// n a multiple of 256. ggml's quantize_row_q8_K_ref: iscale = -127 / max (max = the signed value of
// largest magnitude), q = min(127, round-half-even(iscale * x)), d = 1 / iscale, and the 16-element
// sums. An all-zero block is all zero (d = 0).
void quantize_row_q8_k(const float* x, BlockQ8_K* y, int64_t n);

// K-quant weight quantizers (quantize_k_quants.cpp), n a multiple of 256. Not ggml's iterative
// searches: per group the range (or signed max) sets the float scale, the super-block scales are
// fp16 of the largest group scale over the quant range, and every quant is rounded to nearest.
// Their error stays within a format's step size; llama.cpp reads them like its own files.
void quantize_row_q2_k(const float* x, BlockQ2_K* y, int64_t n);
void quantize_row_q3_k(const float* x, BlockQ3_K* y, int64_t n);
void quantize_row_q4_k(const float* x, BlockQ4_K* y, int64_t n);
void quantize_row_q5_k(const float* x, BlockQ5_K* y, int64_t n);
void quantize_row_q6_k(const float* x, BlockQ6_K* y, int64_t n);

// ggml's nearest_int: round to nearest, ties to even, for |f| < 2^22.
inline int nearest_int(float f) {
  return (std::bit_cast<int32_t>(f + 12582912.0f) & 0x007fffff) - 0x00400000;
}

// Round to nearest even, as F16C and ggml do.
void convert_row_f16(const float* x, uint16_t* y, int64_t n);
void convert_row_bf16(const float* x, uint16_t* y, int64_t n);

// True for F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_K and Q2_K .. Q6_K.
bool quantize_supports(gguf::GgmlType type);

// Writes one row of `type` (n elements, row bytes as in the GGUF layout) to dst. Returns false when
// the type is unsupported or n is not a multiple of its block size.
[[nodiscard]] bool quantize_row(gguf::GgmlType type, const float* x, void* dst, int64_t n);

}  // namespace mynah::tensor
