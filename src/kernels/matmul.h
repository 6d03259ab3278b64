// matmul: y = x * W^T for a weight matrix in any supported ggml type, split by output rows across a
// thread pool; get_row: one dequantized row (embedding lookup).
#pragma once

#include <cstdint>

#include "gguf/gguf_types.h"
#include "kernels/kernel_table.h"
#include "tensor/tensor_view.h"
#include "util/thread_pool.h"

namespace mynah::kernels {

// True for every type weight_kernels() has dots for (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
// Q2_K .. Q6_K). Callers check this (at load time) before matmul.
bool matmul_supports(gguf::GgmlType type);

// y[t][r] = dot(w.row(r), x[t]) for t < n_tokens, r < w.n_rows.
//   x: [n_tokens][w.n_cols] fp32, row-major.   y: [n_tokens][w.n_rows] fp32, row-major.
// Batch invariant: y[t][r] is bit-identical for any n_tokens and any pool size (each dot has a
// fixed reduction order and sees only its own row and token). Quantized weights quantize x (to
// Q8_0, Q8_K or a GEMM's packed layout) once per call into a grow-only scratch of the calling
// thread (no steady-state allocation).
// An unsupported weight type fills y with NaN (a caller bug made loud; see matmul_supports).
void matmul(const tensor::TensorView& w, const float* x, int64_t n_tokens, float* y,
            util::ThreadPool& pool);

// The same with an explicit kernel table (tests and benchmarks compare ISAs).
void matmul(const KernelTable& table, const tensor::TensorView& w, const float* x, int64_t n_tokens,
            float* y, util::ThreadPool& pool);

// out[0..w.n_cols) = row `row` of w as fp32. False (out untouched) for an unsupported type or a
// row out of range.
[[nodiscard]] bool get_row(const tensor::TensorView& w, int64_t row, float* out);

}  // namespace mynah::kernels
