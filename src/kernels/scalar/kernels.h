// Scalar reference kernels: the spec every SIMD kernel is tested against, and the fallback table.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/attention.h"
#include "kernels/kernel_table.h"

namespace mynah::kernels::scalar {

float dot_f32_f32(const void* w, const void* x, int64_t n);
float dot_f16_f32(const void* w, const void* x, int64_t n);
float dot_bf16_f32(const void* w, const void* x, int64_t n);
float dot_q8_0_q8_0(const void* w, const void* x, int64_t n);
float dot_q4_0_q8_0(const void* w, const void* x, int64_t n);
float dot_q4_1_q8_0(const void* w, const void* x, int64_t n);
float dot_q5_0_q8_0(const void* w, const void* x, int64_t n);
float dot_q5_1_q8_0(const void* w, const void* x, int64_t n);
float dot_q2_k_q8_k(const void* w, const void* x, int64_t n);
float dot_q3_k_q8_k(const void* w, const void* x, int64_t n);
float dot_q4_k_q8_k(const void* w, const void* x, int64_t n);
float dot_q5_k_q8_k(const void* w, const void* x, int64_t n);
float dot_q6_k_q8_k(const void* w, const void* x, int64_t n);
void quantize_row_q8_0(const float* x, void* y, int64_t n);
void quantize_row_q8_k(const float* x, void* y, int64_t n);

void rmsnorm(const float* x, const float* weight, float* out, int64_t n, float eps);
void rope_rotate_pairs(float* x, int n_heads, int head_dim, int rope_dim, const float* cos, const float* sin);
void softmax(float* x, int64_t n);
void silu_mul(float* gate, const float* up, int64_t n);
void add_inplace(float* y, const float* x, int64_t n);
void attend(const AttentionQueries& queries);

// The scalar row group is kDotRows independent dots, so it is trivially bit-identical to kDot.
template <DotFn kDot>
void dot_rows(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  for (int r = 0; r < kDotRows; ++r) {
    out[r] = kDot(static_cast<const uint8_t*>(w) + w_stride_bytes * r, x, n);
  }
}

}  // namespace mynah::kernels::scalar
