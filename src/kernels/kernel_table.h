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
// weight's ggml layout; `x` is f32 floats for float weights and tensor::BlockQ8_0 blocks for
// Q8_0/Q4_0 weights. n is a multiple of the weight's block size. Each ISA's result is a pure
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
  QuantizeRowFn quantize_row_q8_0 = nullptr;
};

// The table for this process: MYNAH_ISA if set and runnable here, else best_isa().
const KernelTable& kernels();

// The table of one ISA, or nullptr when this CPU/OS cannot run it (tests compare every ISA).
const KernelTable* kernel_table_for(Isa isa);

// What kernels() picks for a given MYNAH_ISA value (nullptr or "" = unset). An unknown name or an
// ISA this machine cannot run falls back to best_isa() with a warning on stderr.
Isa resolve_isa(const char* env_value);

// How activations must be laid out for a weight type's dots. K-quants will add kQ8_K.
enum class ActivationFormat { kF32, kQ8_0 };

struct WeightKernels {
  DotFn dot = nullptr;
  DotRowsFn dot4 = nullptr;
  ActivationFormat activation = ActivationFormat::kF32;
  int64_t block_size = 1;  // elements per activation block
};

// The dots for a weight type, or nullopt when there are none (see matmul_supports).
std::optional<WeightKernels> weight_kernels(const KernelTable& table, gguf::GgmlType type);

}  // namespace mynah::kernels
