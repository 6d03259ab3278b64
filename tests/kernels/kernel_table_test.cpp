// CPU feature detection, table selection (including MYNAH_ISA overrides) and table completeness.
#include "kernels/kernel_table.h"

#include <gtest/gtest.h>

namespace mynah::kernels {
namespace {

TEST(KernelTable, EveryRunnableIsaHasACompleteTable) {
  EXPECT_TRUE(cpu_supports(Isa::kScalar));
  EXPECT_TRUE(cpu_supports(best_isa()));
  for (Isa isa : kAllIsas) {
    const KernelTable* t = kernel_table_for(isa);
    ASSERT_EQ(t != nullptr, cpu_supports(isa)) << isa_name(isa);
    if (t == nullptr) continue;
    EXPECT_EQ(t->isa, isa);
    for (auto fn : {t->dot_f32_f32, t->dot_f16_f32, t->dot_bf16_f32, t->dot_q8_0_q8_0, t->dot_q4_0_q8_0}) {
      EXPECT_NE(fn, nullptr);
    }
    for (auto fn :
         {t->dot4_f32_f32, t->dot4_f16_f32, t->dot4_bf16_f32, t->dot4_q8_0_q8_0, t->dot4_q4_0_q8_0}) {
      EXPECT_NE(fn, nullptr);
    }
    EXPECT_NE(t->quantize_row_q8_0, nullptr);
  }
  EXPECT_EQ(kernels().isa, resolve_isa(std::getenv("MYNAH_ISA")));
}

TEST(KernelTable, IsaNamesRoundTrip) {
  for (Isa isa : kAllIsas) EXPECT_EQ(parse_isa(isa_name(isa)), isa);
  EXPECT_FALSE(parse_isa("avx").has_value());
  EXPECT_FALSE(parse_isa("").has_value());
}

TEST(KernelTable, ResolveIsaHonoursOverridesItCanRun) {
  EXPECT_EQ(resolve_isa(nullptr), best_isa());
  EXPECT_EQ(resolve_isa(""), best_isa());
  EXPECT_EQ(resolve_isa("scalar"), Isa::kScalar);
  EXPECT_EQ(resolve_isa("neon"), best_isa());  // unknown: warn and fall back
  EXPECT_EQ(resolve_isa("avx512"), cpu_supports(Isa::kAvx512) ? Isa::kAvx512 : best_isa());
  EXPECT_EQ(resolve_isa("avx2"), cpu_supports(Isa::kAvx2) ? Isa::kAvx2 : best_isa());
}

TEST(KernelTable, WeightKernelsCoverTheSupportedTypes) {
  using gguf::GgmlType;
  const KernelTable& t = kernels();
  EXPECT_EQ(weight_kernels(t, GgmlType::kQ4_0)->dot, t.dot_q4_0_q8_0);
  EXPECT_EQ(weight_kernels(t, GgmlType::kQ4_0)->activation, ActivationFormat::kQ8_0);
  EXPECT_EQ(weight_kernels(t, GgmlType::kF16)->activation, ActivationFormat::kF32);
  for (GgmlType type :
       {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    EXPECT_TRUE(weight_kernels(t, type).has_value());
  }
  for (GgmlType type : {GgmlType::kQ4_K, GgmlType::kQ6_K, GgmlType::kQ4_1, GgmlType::kI8, GgmlType::kF64}) {
    EXPECT_FALSE(weight_kernels(t, type).has_value());
  }
}

}  // namespace
}  // namespace mynah::kernels
