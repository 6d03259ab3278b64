// Scalar dequantization of the K-quant super-blocks (256 elements); n is a multiple of 256. Used
// by dequantize_row (tensor/dequantize.h), which is the public entry point.
#pragma once

#include <cstdint>

#include "tensor/quant_blocks.h"

namespace mynah::tensor {

void dequantize_q2_k(const BlockQ2_K* src, float* dst, int64_t n);
void dequantize_q3_k(const BlockQ3_K* src, float* dst, int64_t n);
void dequantize_q4_k(const BlockQ4_K* src, float* dst, int64_t n);
void dequantize_q5_k(const BlockQ5_K* src, float* dst, int64_t n);
void dequantize_q6_k(const BlockQ6_K* src, float* dst, int64_t n);

}  // namespace mynah::tensor
