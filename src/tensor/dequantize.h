// Scalar reference dequantization: one row of a ggml type to fp32. This is the spec the SIMD
// kernels are tested against, and the embedding lookup path (a row at a time, so speed is secondary).
#pragma once

#include <cstdint>

#include "gguf/gguf_types.h"

namespace mynah::tensor {

// True for F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_K and Q2_K .. Q6_K.
bool dequantize_supports(gguf::GgmlType type);

// Writes n floats to dst from a row of `type` at src. Returns false (dst untouched) when the type is
// unsupported or n is not a multiple of the type's block size.
[[nodiscard]] bool dequantize_row(gguf::GgmlType type, const void* src, float* dst, int64_t n);

}  // namespace mynah::tensor
