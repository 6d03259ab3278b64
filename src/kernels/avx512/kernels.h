// AVX-512 F/BW/VL/DQ + VNNI kernels. Declarations only (no intrinsics), so kernel_table.cpp can
// take their addresses without being compiled for AVX-512 itself. dot4_* take kDotRows weight rows.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernel_table.h"  // kDotRows; declarations only

namespace mynah::kernels::avx512 {

float dot_f32_f32(const void* w, const void* x, int64_t n);
float dot_f16_f32(const void* w, const void* x, int64_t n);
float dot_bf16_f32(const void* w, const void* x, int64_t n);
float dot_q8_0_q8_0(const void* w, const void* x, int64_t n);
float dot_q4_0_q8_0(const void* w, const void* x, int64_t n);
void dot4_f32_f32(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);
void dot4_f16_f32(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);
void dot4_bf16_f32(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);
void dot4_q8_0_q8_0(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);
void dot4_q4_0_q8_0(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);
void quantize_row_q8_0(const float* x, void* y, int64_t n);

}  // namespace mynah::kernels::avx512
