// The exp-and-sum loop behind exp_shifted, written once over GCC/Clang generic vectors. Included by
// row_ops.cpp (4 floats: the baseline ISA) and avx2/exp_sum.cpp (8 floats, built with -mavx2): both do
// the same IEEE operations in the same order (no FMA contraction), so weights, sums and therefore
// seeded draws are bit-identical whichever one the CPU runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mynah::sampling {
namespace {  // a private copy per including file, each compiled for that file's ISA

typedef float F32x4 __attribute__((vector_size(16)));
typedef int32_t I32x4 __attribute__((vector_size(16)));

// exp(x) for x <= 0 (callers shift by the row max): Cody-Waite reduction x = n ln2 + r with
// |r| <= ln2 / 2, then a degree-5 polynomial for e^r fitted for minimax relative error (1.6e-7 in float
// arithmetic; Cephes' degree-7 expf polynomial is more accurate than sampling needs). 2^n is built in
// the exponent bits, n read from the rounding constant's mantissa. Exactly 0 below -87, so
// exp(-inf) = 0 and no denormals are produced.
template <class F, class I>
inline F exp_vector(F x) {
  const F lo = F{} - 87.0f;
  const I underflow = x < lo;
  const F xc = underflow ? lo : x;
  const F shifted = xc * 1.44269504088896341f + 12582912.0f;  // 1.5 * 2^23: rounds to an integer
  const F n = shifted - 12582912.0f;
  F r = xc - n * 0.693359375f;  // ln2 split in two so n * ln2 stays exact
  r = r - n * -2.12194440e-4f;
  F p = r * 8.312472142e-3f + 4.189007357e-2f;
  p = p * r + 1.666711420e-1f;
  p = p * r + 4.999923110e-1f;
  p = p * (r * r) + r + 1.0f;
  const I exponent = (((I)shifted - 0x4B400000) + 127) << 23;
  const F y = p * (F)exponent;
  return underflow ? F{} : y;
}

inline float exp_scalar(float x) {
  F32x4 v = F32x4{} + x;
  v = exp_vector<F32x4, I32x4>(v);
  return v[0];
}

// Sums of this many floats stay in float lanes before joining a double total: rounding stays near
// 1e-7 relative however long the row (a plain float sum of 128k terms can drift by 1e-2).
constexpr size_t kExpBlock = 256;

// Sum of exp(row - shift), written to `out` too unless it is null. F holds 8 floats, or 4 when
// kPairs: then two vectors stand for the 8 lanes, reduced in the same order.
template <class F, class I, bool kPairs>
double exp_sum_impl(const float* row, float shift, float* out, size_t n) {
  constexpr size_t kWidth = sizeof(F) / sizeof(float);
  const size_t n_main = n - n % kExpBlock;
  double total = 0.0;
  for (size_t b = 0; b < n_main; b += kExpBlock) {
    F acc0 = F{}, acc1 = F{};
    for (size_t i = b; i < b + kExpBlock; i += 8) {
      F x0;
      std::memcpy(&x0, row + i, sizeof x0);
      const F e0 = exp_vector<F, I>(x0 - shift);
      if (out != nullptr) std::memcpy(out + i, &e0, sizeof e0);
      acc0 += e0;
      if constexpr (kPairs) {
        F x1;
        std::memcpy(&x1, row + i + kWidth, sizeof x1);
        const F e1 = exp_vector<F, I>(x1 - shift);
        if (out != nullptr) std::memcpy(out + i + kWidth, &e1, sizeof e1);
        acc1 += e1;
      }
    }
    float lanes[8];
    std::memcpy(lanes, &acc0, sizeof acc0);
    if constexpr (kPairs) std::memcpy(lanes + 4, &acc1, sizeof acc1);
    // lanes 0-3 + lanes 4-7, then pairwise: one fixed order for both widths
    const float s0 = lanes[0] + lanes[4], s1 = lanes[1] + lanes[5];
    const float s2 = lanes[2] + lanes[6], s3 = lanes[3] + lanes[7];
    total += static_cast<double>((s0 + s1) + (s2 + s3));
  }
  for (size_t i = n_main; i < n; ++i) {
    const float e = exp_scalar(row[i] - shift);
    if (out != nullptr) out[i] = e;
    total += static_cast<double>(e);
  }
  return total;
}

}  // namespace

namespace avx2 {
// exp_sum_impl at 8 floats per vector (avx2/exp_sum.cpp). Call only when the CPU has AVX2.
double exp_sum(const float* row, float shift, float* out, size_t n);
}  // namespace avx2

}  // namespace mynah::sampling
