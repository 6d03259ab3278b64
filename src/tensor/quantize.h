// Reference quantizers (fp32 -> Q8_0 / Q4_0 / F16 / BF16), bit-exact with ggml's *_ref functions.
// Used by the random-model writer and, through the kernel table, to quantize activations.
#pragma once

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

// Round to nearest even, as F16C and ggml do.
void convert_row_f16(const float* x, uint16_t* y, int64_t n);
void convert_row_bf16(const float* x, uint16_t* y, int64_t n);

// True for F32, F16, BF16, Q8_0, Q4_0.
bool quantize_supports(gguf::GgmlType type);

// Writes one row of `type` (n elements, row bytes as in the GGUF layout) to dst. Returns false when
// the type is unsupported or n is not a multiple of its block size.
[[nodiscard]] bool quantize_row(gguf::GgmlType type, const float* x, void* dst, int64_t n);

}  // namespace mynah::tensor
