// Element-wise and row-wise transformer ops (the non-matmul hot spots), dispatched through the
// kernel table; scalar/ops.cpp is the spec and every ISA directory has a SIMD twin.
#pragma once

#include <cstdint>

namespace mynah::kernels {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i]   (RMSNorm, arXiv:1910.07467). out may alias x.
void rmsnorm(const float* x, const float* weight, float* out, int64_t n, float eps);

// Rotates adjacent pairs (x[2i], x[2i+1]) of the first rope_dim values of every head by the angle
// whose cos/sin are given per pair ("normal" RoPE layout used by GGUF llama models).
// x: [n_heads][head_dim]; cos, sin: [rope_dim / 2].
void rope_rotate_pairs(float* x, int n_heads, int head_dim, int rope_dim, const float* cos, const float* sin);

// In-place numerically stable softmax over x[0..n).
void softmax(float* x, int64_t n);

// gate[i] = silu(gate[i]) * up[i]   (SwiGLU, arXiv:2002.05202).
void silu_mul(float* gate, const float* up, int64_t n);

// y[i] += x[i]
void add_inplace(float* y, const float* x, int64_t n);

}  // namespace mynah::kernels
