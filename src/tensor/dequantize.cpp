// Scalar dequantization of F32/F16/BF16/Q8_0/Q4_0 rows, written to mirror ggml's reference loops.
#include "tensor/dequantize.h"

#include <cstring>

#include "tensor/quant_blocks.h"
#include "util/half.h"

namespace mynah::tensor {
namespace {

void dequantize_q8_0(const BlockQ8_0* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQk8_0; ++b) {
    const float d = util::fp16_to_fp32(src[b].d);
    for (int j = 0; j < kQk8_0; ++j) dst[b * kQk8_0 + j] = static_cast<float>(src[b].qs[j]) * d;
  }
}

void dequantize_q4_0(const BlockQ4_0* src, float* dst, int64_t n) {
  constexpr int kHalf = kQk4_0 / 2;
  for (int64_t b = 0; b < n / kQk4_0; ++b) {
    const float d = util::fp16_to_fp32(src[b].d);
    float* out = dst + b * kQk4_0;
    for (int j = 0; j < kHalf; ++j) {
      out[j] = static_cast<float>((src[b].qs[j] & 0x0f) - 8) * d;
      out[j + kHalf] = static_cast<float>((src[b].qs[j] >> 4) - 8) * d;
    }
  }
}

}  // namespace

bool dequantize_supports(gguf::GgmlType type) {
  using gguf::GgmlType;
  return type == GgmlType::kF32 || type == GgmlType::kF16 || type == GgmlType::kBF16 ||
         type == GgmlType::kQ8_0 || type == GgmlType::kQ4_0;
}

bool dequantize_row(gguf::GgmlType type, const void* src, float* dst, int64_t n) {
  if (!dequantize_supports(type) || n < 0) return false;
  if (n % gguf::ggml_type_traits(type).block_size != 0) return false;
  switch (type) {
    case gguf::GgmlType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return true;
    case gguf::GgmlType::kF16: {
      const auto* h = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = util::fp16_to_fp32(h[i]);
      return true;
    }
    case gguf::GgmlType::kBF16: {
      const auto* h = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = util::bf16_to_fp32(h[i]);
      return true;
    }
    case gguf::GgmlType::kQ8_0:
      dequantize_q8_0(static_cast<const BlockQ8_0*>(src), dst, n);
      return true;
    case gguf::GgmlType::kQ4_0:
      dequantize_q4_0(static_cast<const BlockQ4_0*>(src), dst, n);
      return true;
    default:
      return false;
  }
}

}  // namespace mynah::tensor
