// KernelTable: one set of function pointers per ISA, chosen once at start-up from CPUID (or the
// MYNAH_ISA environment variable). Kernel names are <op>_<weight>_<activation>, as in ggml.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "gguf/gguf_types.h"
#include "kernels/cpu_features.h"

namespace mynah::kernels {

// Dot product of one weight row with one activation row of n elements. `w` is the row in the
// weight's ggml layout; `x` is f32 floats for float weights, tensor::BlockQ8_0 blocks for the
// 32-element quant types and tensor::BlockQ8_K blocks for the K-quants (see weight_kernels). n is
// a multiple of the weight's block size. Each ISA's result is a pure
// function of (w, x, n): the reduction order is fixed, never dependent on alignment or threads.
using DotFn = float (*)(const void* w, const void* x, int64_t n);

// kDotRows dots of the weight rows w + r * w_stride_bytes (r < kDotRows) with one activation row,
// into out[r]. Each out[r] is bit-identical to the DotFn of the same table on that row (same
// per-row operation sequence), which is what keeps matmul batch invariant; sharing the activation
// loads, its scale and its bias correction across rows is what makes it faster than four dots.
inline constexpr int kDotRows = 4;
using DotRowsFn = void (*)(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out);

// fp32 -> tensor::BlockQ8_0, n a multiple of 32. Bit-exact with tensor::quantize_row_q8_0 for
// finite inputs on every ISA.
using QuantizeRowFn = void (*)(const float* x, void* y, int64_t n);

// Prompt-batch GEMM (matmul with n_tokens > 1). `pack` turns one fp32 activation row into the ISA's
// packed layout (packed_bytes(n) bytes, 64-byte aligned by the caller): the same Q8_0 quants and
// scales as QuantizeRowFn, rearranged for wide loads, plus per-block terms the kernel would
// otherwise recompute for every weight row. `gemm` fills y[t * y_stride + r] for r < n_rows <=
// kGemmRows, t < n_tokens <= kGemmTokens from weight rows w + r * w_stride and packed rows
// x + t * x_stride. Every output is bit-identical to the table's DotFn on that row and token (the
// same per-output operation sequence), so a token's result never depends on the batch around it.
// A call is one row tile of matmul by up to kGemmTokens tokens; each ISA blocks it internally.
inline constexpr int kGemmRows = 16;
inline constexpr int kGemmTokens = 8;
using PackRowFn = void (*)(const float* x, void* packed, int64_t n);
using PackedBytesFn = size_t (*)(int64_t n);
using GemmFn = void (*)(const void* w, size_t w_stride, int n_rows, const void* x, size_t x_stride,
                        int n_tokens, int64_t n, float* y, size_t y_stride);

// Row and element-wise ops; kernels/ops.h documents each. SIMD versions follow the scalar spec up
// to rounding (exp is a polynomial there), and each is a pure function of its inputs.
using RmsNormFn = void (*)(const float* x, const float* weight, float* out, int64_t n, float eps);
using RopeFn = void (*)(float* x, int n_heads, int head_dim, int rope_dim, const float* cos, const float* sin);
using SoftmaxFn = void (*)(float* x, int64_t n);
using SiluMulFn = void (*)(float* gate, const float* up, int64_t n);
using AddFn = void (*)(float* y, const float* x, int64_t n);

struct AttentionQueries;  // kernels/attention.h
// Attention of a group of query heads over their sequence's cached keys and values.
using AttendFn = void (*)(const AttentionQueries& queries);

// A dot and its kDotRows group for one weight type.
struct DotPair {
  DotFn one = nullptr;
  DotRowsFn rows = nullptr;
};

struct KernelTable {
  Isa isa = Isa::kScalar;
  DotFn dot_f32_f32 = nullptr;
  DotFn dot_f16_f32 = nullptr;
  DotFn dot_bf16_f32 = nullptr;
  DotFn dot_q8_0_q8_0 = nullptr;
  DotFn dot_q4_0_q8_0 = nullptr;
  DotRowsFn dot4_f32_f32 = nullptr;
  DotRowsFn dot4_f16_f32 = nullptr;
  DotRowsFn dot4_bf16_f32 = nullptr;
  DotRowsFn dot4_q8_0_q8_0 = nullptr;
  DotRowsFn dot4_q4_0_q8_0 = nullptr;
  // The other 32-element types (Q8_0 activations) and the K-quants (Q8_K activations).
  DotPair q4_1_q8_0, q5_0_q8_0, q5_1_q8_0;
  DotPair q2_k_q8_k, q3_k_q8_k, q4_k_q8_k, q5_k_q8_k, q6_k_q8_k;
  QuantizeRowFn quantize_row_q8_0 = nullptr;
  // fp32 -> tensor::BlockQ8_K, n a multiple of 256; bit-exact with tensor::quantize_row_q8_k.
  QuantizeRowFn quantize_row_q8_k = nullptr;
  // GEMM for Q8_0-activation weights; null where the ISA has none (matmul then uses dot4).
  PackRowFn pack_q8_0_for_q4_0 = nullptr;
  PackRowFn pack_q8_0_for_q8_0 = nullptr;
  PackedBytesFn packed_q8_0_bytes = nullptr;
  GemmFn gemm_q4_0_q8_0 = nullptr;
  GemmFn gemm_q8_0_q8_0 = nullptr;
  // GEMM for Q8_K-activation weights: its packed layout is plain BlockQ8_K rows (quantize_row_q8_k).
  PackedBytesFn packed_q8_k_bytes = nullptr;
  GemmFn gemm_q4_k_q8_k = nullptr;
  GemmFn gemm_q6_k_q8_k = nullptr;
  RmsNormFn rmsnorm = nullptr;
  RopeFn rope_rotate_pairs = nullptr;
  SoftmaxFn softmax = nullptr;
  SiluMulFn silu_mul = nullptr;
  AddFn add_inplace = nullptr;
  AttendFn attend = nullptr;
};

// The table for this process: MYNAH_ISA if set and runnable here, else best_isa().
const KernelTable& kernels();

// The table of one ISA, or nullptr when this CPU/OS cannot run it (tests compare every ISA).
const KernelTable* kernel_table_for(Isa isa);

// What kernels() picks for a given MYNAH_ISA value (nullptr or "" = unset). An unknown name or an
// ISA this machine cannot run falls back to best_isa() with a warning on stderr.
Isa resolve_isa(const char* env_value);

// How activations must be laid out for a weight type's dots.
enum class ActivationFormat { kF32, kQ8_0, kQ8_K };

struct WeightKernels {
  DotFn dot = nullptr;
  DotRowsFn dot4 = nullptr;
  ActivationFormat activation = ActivationFormat::kF32;
  int64_t block_size = 1;  // elements per activation block
  // Prompt-batch path; all three set or all null.
  PackRowFn pack = nullptr;
  PackedBytesFn packed_bytes = nullptr;
  GemmFn gemm = nullptr;
};

// The dots for a weight type, or nullopt when there are none (see matmul_supports).
std::optional<WeightKernels> weight_kernels(const KernelTable& table, gguf::GgmlType type);

}  // namespace mynah::kernels
