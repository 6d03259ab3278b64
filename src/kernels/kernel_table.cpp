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
  switch (type) {
    case GgmlType::kF32:
      return WeightKernels{table.dot_f32_f32, table.dot4_f32_f32, ActivationFormat::kF32, 1};
    case GgmlType::kF16:
      return WeightKernels{table.dot_f16_f32, table.dot4_f16_f32, ActivationFormat::kF32, 1};
    case GgmlType::kBF16:
      return WeightKernels{table.dot_bf16_f32, table.dot4_bf16_f32, ActivationFormat::kF32, 1};
    case GgmlType::kQ8_0:
      return WeightKernels{table.dot_q8_0_q8_0, table.dot4_q8_0_q8_0, ActivationFormat::kQ8_0, kQ8Block};
    case GgmlType::kQ4_0:
      return WeightKernels{table.dot_q4_0_q8_0, table.dot4_q4_0_q8_0, ActivationFormat::kQ8_0, kQ8Block};
    default:
      return std::nullopt;
  }
}

}  // namespace mynah::kernels
