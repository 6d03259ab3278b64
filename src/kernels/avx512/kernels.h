// AVX-512 F/BW/VL/DQ + VNNI kernels. Declarations only (no intrinsics), so kernel_table.cpp can
// take their addresses without being compiled for AVX-512 itself. dot4_* take kDotRows weight rows.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/attention.h"
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
float dot_q4_k_q8_k(const void* w, const void* x, int64_t n);
float dot_q6_k_q8_k(const void* w, const void* x, int64_t n);
void dot4_q4_k_q8_k(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);
void dot4_q6_k_q8_k(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);

size_t packed_q8_0_bytes(int64_t n);
void pack_q8_0_for_q4_0(const float* x, void* packed, int64_t n);
void pack_q8_0_for_q8_0(const float* x, void* packed, int64_t n);
void gemm_q4_0_q8_0(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride);
void gemm_q8_0_q8_0(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride);

size_t packed_q8_k_bytes(int64_t n);
void gemm_q4_k_q8_k(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride);
void gemm_q6_k_q8_k(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride, int n_tokens,
                    int64_t n, float* y, size_t y_stride);

void rmsnorm(const float* x, const float* weight, float* out, int64_t n, float eps);
void rope_rotate_pairs(float* x, int n_heads, int head_dim, int rope_dim, const float* cos, const float* sin);
void softmax(float* x, int64_t n);
void silu_mul(float* gate, const float* up, int64_t n);
void add_inplace(float* y, const float* x, int64_t n);
void attend(const AttentionQueries& queries);

}  // namespace mynah::kernels::avx512
