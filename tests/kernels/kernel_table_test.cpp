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
    EXPECT_NE(t->quantize_row_q8_k, nullptr);
    for (const DotPair& d : {t->q4_1_q8_0, t->q5_0_q8_0, t->q5_1_q8_0, t->q2_k_q8_k, t->q3_k_q8_k, t->q4_k_q8_k,
                             t->q5_k_q8_k, t->q6_k_q8_k}) {
      EXPECT_NE(d.one, nullptr);
      EXPECT_NE(d.rows, nullptr);
    }
    EXPECT_NE(t->rmsnorm, nullptr);
    EXPECT_NE(t->rope_rotate_pairs, nullptr);
    EXPECT_NE(t->softmax, nullptr);
    EXPECT_NE(t->silu_mul, nullptr);
    EXPECT_NE(t->add_inplace, nullptr);
    EXPECT_NE(t->attend, nullptr);
    // A GEMM comes with its packing, or not at all.
    EXPECT_EQ(t->gemm_q4_0_q8_0 != nullptr, t->pack_q8_0_for_q4_0 != nullptr);
    EXPECT_EQ(t->gemm_q8_0_q8_0 != nullptr, t->pack_q8_0_for_q8_0 != nullptr);
    EXPECT_EQ(t->gemm_q4_0_q8_0 != nullptr, t->packed_q8_0_bytes != nullptr);
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
  EXPECT_EQ(weight_kernels(t, GgmlType::kQ4_K)->activation, ActivationFormat::kQ8_K);
  EXPECT_EQ(weight_kernels(t, GgmlType::kQ4_K)->block_size, 256);
  EXPECT_EQ(weight_kernels(t, GgmlType::kQ5_1)->activation, ActivationFormat::kQ8_0);
  for (GgmlType type :
       {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_1,
        GgmlType::kQ5_0, GgmlType::kQ5_1, GgmlType::kQ2_K, GgmlType::kQ3_K, GgmlType::kQ4_K, GgmlType::kQ5_K,
        GgmlType::kQ6_K}) {
    const auto k = weight_kernels(t, type);
    ASSERT_TRUE(k.has_value()) << gguf::ggml_type_name(type);
    EXPECT_NE(k->dot, nullptr);
    EXPECT_NE(k->dot4, nullptr);
  }
  for (GgmlType type : {GgmlType::kQ8_K, GgmlType::kQ8_1, GgmlType::kIQ4_NL, GgmlType::kI8, GgmlType::kF64}) {
    EXPECT_FALSE(weight_kernels(t, type).has_value());
  }
}

}  // namespace
}  // namespace mynah::kernels
