// Reference quantizers, transcribed from ggml-quants.c (quantize_row_q8_0_ref, quantize_row_q4_0_ref)
// so that files we write and activations we quantize match llama.cpp bit for bit.
#include "tensor/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/half.h"

namespace mynah::tensor {

void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n) {
  for (int64_t b = 0; b < n / kQk8_0; ++b) {
    const float* xb = x + b * kQk8_0;
    float amax = 0.0f;
    for (int j = 0; j < kQk8_0; ++j) amax = std::max(amax, std::fabs(xb[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = util::fp32_to_fp16(d);
    for (int j = 0; j < kQk8_0; ++j) y[b].qs[j] = static_cast<int8_t>(std::round(xb[j] * id));
  }
}

void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
  constexpr int kHalf = kQk4_0 / 2;
  for (int64_t b = 0; b < n / kQk4_0; ++b) {
    const float* xb = x + b * kQk4_0;
    float amax = 0.0f;
    float max = 0.0f;  // the signed value of largest magnitude, so that it maps exactly to -8
    for (int j = 0; j < kQk4_0; ++j) {
      if (amax < std::fabs(xb[j])) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = util::fp32_to_fp16(d);
    for (int j = 0; j < kHalf; ++j) {
      const auto q0 = static_cast<uint8_t>(std::min<int8_t>(15, static_cast<int8_t>(xb[j] * id + 8.5f)));
      const auto q1 =
          static_cast<uint8_t>(std::min<int8_t>(15, static_cast<int8_t>(xb[j + kHalf] * id + 8.5f)));
      y[b].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void convert_row_f16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = util::fp32_to_fp16(x[i]);
}

void convert_row_bf16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = util::fp32_to_bf16(x[i]);
}

bool quantize_supports(gguf::GgmlType type) {
  using gguf::GgmlType;
  return type == GgmlType::kF32 || type == GgmlType::kF16 || type == GgmlType::kBF16 ||
         type == GgmlType::kQ8_0 || type == GgmlType::kQ4_0;
}

bool quantize_row(gguf::GgmlType type, const float* x, void* dst, int64_t n) {
  if (!quantize_supports(type) || n < 0) return false;
  if (n % gguf::ggml_type_traits(type).block_size != 0) return false;
  switch (type) {
    case gguf::GgmlType::kF32:
      std::memcpy(dst, x, static_cast<size_t>(n) * sizeof(float));
      return true;
    case gguf::GgmlType::kF16:
      convert_row_f16(x, static_cast<uint16_t*>(dst), n);
      return true;
    case gguf::GgmlType::kBF16:
      convert_row_bf16(x, static_cast<uint16_t*>(dst), n);
      return true;
    case gguf::GgmlType::kQ8_0:
      quantize_row_q8_0(x, static_cast<BlockQ8_0*>(dst), n);
      return true;
    case gguf::GgmlType::kQ4_0:
      quantize_row_q4_0(x, static_cast<BlockQ4_0*>(dst), n);
      return true;
    default:
      return false;
  }
}

}  // namespace mynah::tensor
