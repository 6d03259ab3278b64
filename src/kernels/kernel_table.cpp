// Builds one KernelTable per ISA and picks the process-wide one on first use. This file is compiled
// without ISA flags: it only takes the addresses of the per-ISA functions, never runs them.
#include "kernels/kernel_table.h"

#include <cstdio>
#include <cstdlib>

#include "kernels/avx2/kernels.h"
#include "kernels/avx512/kernels.h"
#include "kernels/scalar/kernels.h"
#include "tensor/quant_blocks.h"

namespace mynah::kernels {
namespace {

// The scalar dots of the types an ISA has no SIMD kernel for (each ISA overrides what it has).
void fill_scalar_quant_dots(KernelTable& t) {
  t.q4_1_q8_0 = {scalar::dot_q4_1_q8_0, scalar::dot_rows<scalar::dot_q4_1_q8_0>};
  t.q5_0_q8_0 = {scalar::dot_q5_0_q8_0, scalar::dot_rows<scalar::dot_q5_0_q8_0>};
  t.q5_1_q8_0 = {scalar::dot_q5_1_q8_0, scalar::dot_rows<scalar::dot_q5_1_q8_0>};
  t.q2_k_q8_k = {scalar::dot_q2_k_q8_k, scalar::dot_rows<scalar::dot_q2_k_q8_k>};
  t.q3_k_q8_k = {scalar::dot_q3_k_q8_k, scalar::dot_rows<scalar::dot_q3_k_q8_k>};
  t.q4_k_q8_k = {scalar::dot_q4_k_q8_k, scalar::dot_rows<scalar::dot_q4_k_q8_k>};
  t.q5_k_q8_k = {scalar::dot_q5_k_q8_k, scalar::dot_rows<scalar::dot_q5_k_q8_k>};
  t.q6_k_q8_k = {scalar::dot_q6_k_q8_k, scalar::dot_rows<scalar::dot_q6_k_q8_k>};
}

KernelTable scalar_table() {
  KernelTable t;
  t.isa = Isa::kScalar;
  t.dot_f32_f32 = scalar::dot_f32_f32;
  t.dot_f16_f32 = scalar::dot_f16_f32;
  t.dot_bf16_f32 = scalar::dot_bf16_f32;
  t.dot_q8_0_q8_0 = scalar::dot_q8_0_q8_0;
  t.dot_q4_0_q8_0 = scalar::dot_q4_0_q8_0;
  t.dot4_f32_f32 = scalar::dot_rows<scalar::dot_f32_f32>;
  t.dot4_f16_f32 = scalar::dot_rows<scalar::dot_f16_f32>;
  t.dot4_bf16_f32 = scalar::dot_rows<scalar::dot_bf16_f32>;
  t.dot4_q8_0_q8_0 = scalar::dot_rows<scalar::dot_q8_0_q8_0>;
  t.dot4_q4_0_q8_0 = scalar::dot_rows<scalar::dot_q4_0_q8_0>;
  t.quantize_row_q8_0 = scalar::quantize_row_q8_0;
  t.quantize_row_q8_k = scalar::quantize_row_q8_k;
  fill_scalar_quant_dots(t);
  t.rmsnorm = scalar::rmsnorm;
  t.rope_rotate_pairs = scalar::rope_rotate_pairs;
  t.softmax = scalar::softmax;
  t.silu_mul = scalar::silu_mul;
  t.add_inplace = scalar::add_inplace;
  t.attend = scalar::attend;
  return t;
}

KernelTable avx2_table() {
  KernelTable t;
  t.isa = Isa::kAvx2;
  t.dot_f32_f32 = avx2::dot_f32_f32;
  t.dot_f16_f32 = avx2::dot_f16_f32;
  t.dot_bf16_f32 = avx2::dot_bf16_f32;
  t.dot_q8_0_q8_0 = avx2::dot_q8_0_q8_0;
  t.dot_q4_0_q8_0 = avx2::dot_q4_0_q8_0;
  t.dot4_f32_f32 = avx2::dot4_f32_f32;
  t.dot4_f16_f32 = avx2::dot4_f16_f32;
  t.dot4_bf16_f32 = avx2::dot4_bf16_f32;
  t.dot4_q8_0_q8_0 = avx2::dot4_q8_0_q8_0;
  t.dot4_q4_0_q8_0 = avx2::dot4_q4_0_q8_0;
  t.quantize_row_q8_0 = avx2::quantize_row_q8_0;
  t.quantize_row_q8_k = scalar::quantize_row_q8_k;
  fill_scalar_quant_dots(t);
  t.q4_k_q8_k = {avx2::dot_q4_k_q8_k, avx2::dot4_q4_k_q8_k};
  t.q6_k_q8_k = {avx2::dot_q6_k_q8_k, avx2::dot4_q6_k_q8_k};
  t.rmsnorm = avx2::rmsnorm;
  t.rope_rotate_pairs = avx2::rope_rotate_pairs;
  t.softmax = avx2::softmax;
  t.silu_mul = avx2::silu_mul;
  t.add_inplace = avx2::add_inplace;
  t.attend = avx2::attend;
  return t;
}

KernelTable avx512_table() {
  KernelTable t;
  t.isa = Isa::kAvx512;
  t.dot_f32_f32 = avx512::dot_f32_f32;
  t.dot_f16_f32 = avx512::dot_f16_f32;
  t.dot_bf16_f32 = avx512::dot_bf16_f32;
  t.dot_q8_0_q8_0 = avx512::dot_q8_0_q8_0;
  t.dot_q4_0_q8_0 = avx512::dot_q4_0_q8_0;
  t.dot4_f32_f32 = avx512::dot4_f32_f32;
  t.dot4_f16_f32 = avx512::dot4_f16_f32;
  t.dot4_bf16_f32 = avx512::dot4_bf16_f32;
  t.dot4_q8_0_q8_0 = avx512::dot4_q8_0_q8_0;
  t.dot4_q4_0_q8_0 = avx512::dot4_q4_0_q8_0;
  t.quantize_row_q8_0 = avx512::quantize_row_q8_0;
  t.quantize_row_q8_k = scalar::quantize_row_q8_k;
  fill_scalar_quant_dots(t);
  t.q4_k_q8_k = {avx512::dot_q4_k_q8_k, avx512::dot4_q4_k_q8_k};
  t.q6_k_q8_k = {avx512::dot_q6_k_q8_k, avx512::dot4_q6_k_q8_k};
  t.pack_q8_0_for_q4_0 = avx512::pack_q8_0_for_q4_0;
  t.pack_q8_0_for_q8_0 = avx512::pack_q8_0_for_q8_0;
  t.packed_q8_0_bytes = avx512::packed_q8_0_bytes;
  t.gemm_q4_0_q8_0 = avx512::gemm_q4_0_q8_0;
  t.gemm_q8_0_q8_0 = avx512::gemm_q8_0_q8_0;
  t.packed_q8_k_bytes = avx512::packed_q8_k_bytes;
  t.gemm_q4_k_q8_k = avx512::gemm_q4_k_q8_k;
  t.gemm_q6_k_q8_k = avx512::gemm_q6_k_q8_k;
  t.rmsnorm = avx512::rmsnorm;
  t.rope_rotate_pairs = avx512::rope_rotate_pairs;
  t.softmax = avx512::softmax;
  t.silu_mul = avx512::silu_mul;
  t.add_inplace = avx512::add_inplace;
  t.attend = avx512::attend;
  return t;
}

}  // namespace

const KernelTable* kernel_table_for(Isa isa) {
  static const KernelTable kScalar = scalar_table();
  static const KernelTable kAvx2 = avx2_table();
  static const KernelTable kAvx512 = avx512_table();
  if (!cpu_supports(isa)) return nullptr;
  switch (isa) {
    case Isa::kScalar:
      return &kScalar;
    case Isa::kAvx2:
      return &kAvx2;
    case Isa::kAvx512:
      return &kAvx512;
  }
  return nullptr;
}

Isa resolve_isa(const char* env_value) {
  if (env_value == nullptr || *env_value == '\0') return best_isa();
  const std::optional<Isa> isa = parse_isa(env_value);
  if (!isa) {
    std::fprintf(stderr, "mynah: MYNAH_ISA=%s is not scalar|avx2|avx512; using %s\n", env_value,
                 isa_name(best_isa()).data());
    return best_isa();
  }
  if (!cpu_supports(*isa)) {
    std::fprintf(stderr, "mynah: MYNAH_ISA=%s cannot run on this CPU; using %s\n", env_value,
                 isa_name(best_isa()).data());
    return best_isa();
  }
  return *isa;
}

const KernelTable& kernels() {
  static const KernelTable* const table = kernel_table_for(resolve_isa(std::getenv("MYNAH_ISA")));
  return *table;
}

std::optional<WeightKernels> weight_kernels(const KernelTable& table, gguf::GgmlType type) {
  using gguf::GgmlType;
  constexpr int64_t kQ8Block = tensor::kQk8_0;
  const auto quant = [](DotPair dots, ActivationFormat format, int64_t block) {
    return std::optional<WeightKernels>(WeightKernels{dots.one, dots.rows, format, block});
  };
  // A K-quant with a GEMM packs its activations as Q8_K rows, so pack is the Q8_K quantizer.
  const auto k_quant = [&table](DotPair dots, GemmFn gemm) {
    if (gemm == nullptr || table.packed_q8_k_bytes == nullptr) {
      return std::optional<WeightKernels>(WeightKernels{dots.one, dots.rows, ActivationFormat::kQ8_K, tensor::kQkK});
    }
    return std::optional<WeightKernels>(WeightKernels{dots.one, dots.rows, ActivationFormat::kQ8_K, tensor::kQkK,
                                                      table.quantize_row_q8_k, table.packed_q8_k_bytes, gemm});
  };
  switch (type) {
    case GgmlType::kF32:
      return WeightKernels{table.dot_f32_f32, table.dot4_f32_f32, ActivationFormat::kF32, 1};
    case GgmlType::kF16:
      return WeightKernels{table.dot_f16_f32, table.dot4_f16_f32, ActivationFormat::kF32, 1};
    case GgmlType::kBF16:
      return WeightKernels{table.dot_bf16_f32, table.dot4_bf16_f32, ActivationFormat::kF32, 1};
    case GgmlType::kQ8_0:
      return WeightKernels{table.dot_q8_0_q8_0, table.dot4_q8_0_q8_0, ActivationFormat::kQ8_0, kQ8Block,
                           table.pack_q8_0_for_q8_0, table.packed_q8_0_bytes, table.gemm_q8_0_q8_0};
    case GgmlType::kQ4_0:
      return WeightKernels{table.dot_q4_0_q8_0, table.dot4_q4_0_q8_0, ActivationFormat::kQ8_0, kQ8Block,
                           table.pack_q8_0_for_q4_0, table.packed_q8_0_bytes, table.gemm_q4_0_q8_0};
    case GgmlType::kQ4_1: return quant(table.q4_1_q8_0, ActivationFormat::kQ8_0, kQ8Block);
    case GgmlType::kQ5_0: return quant(table.q5_0_q8_0, ActivationFormat::kQ8_0, kQ8Block);
    case GgmlType::kQ5_1: return quant(table.q5_1_q8_0, ActivationFormat::kQ8_0, kQ8Block);
    case GgmlType::kQ2_K: return quant(table.q2_k_q8_k, ActivationFormat::kQ8_K, tensor::kQkK);
    case GgmlType::kQ3_K: return quant(table.q3_k_q8_k, ActivationFormat::kQ8_K, tensor::kQkK);
    case GgmlType::kQ4_K: return k_quant(table.q4_k_q8_k, table.gemm_q4_k_q8_k);
    case GgmlType::kQ5_K: return quant(table.q5_k_q8_k, ActivationFormat::kQ8_K, tensor::kQkK);
    case GgmlType::kQ6_K: return k_quant(table.q6_k_q8_k, table.gemm_q6_k_q8_k);
    default:
      return std::nullopt;
  }
}

}  // namespace mynah::kernels
