// Scalar dots of f32/f16/bf16 weights with f32 activations. Accumulates in double, as ggml's scalar
// path does, so the reference is more accurate than any SIMD path it checks.
#include <cstdint>

#include "kernels/scalar/kernels.h"
#include "util/half.h"

namespace mynah::kernels::scalar {

float dot_f32_f32(const void* w, const void* x, int64_t n) {
  const auto* wf = static_cast<const float*>(w);
  const auto* xf = static_cast<const float*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(wf[i]) * static_cast<double>(xf[i]);
  return static_cast<float>(sum);
}

float dot_f16_f32(const void* w, const void* x, int64_t n) {
  const auto* wh = static_cast<const uint16_t*>(w);
  const auto* xf = static_cast<const float*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(util::fp16_to_fp32(wh[i])) * static_cast<double>(xf[i]);
  }
  return static_cast<float>(sum);
}

float dot_bf16_f32(const void* w, const void* x, int64_t n) {
  const auto* wh = static_cast<const uint16_t*>(w);
  const auto* xf = static_cast<const float*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(util::bf16_to_fp32(wh[i])) * static_cast<double>(xf[i]);
  }
  return static_cast<float>(sum);
}

}  // namespace mynah::kernels::scalar
