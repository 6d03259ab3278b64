// Reference quantizers for the 32-element types and Q8_K, transcribed from ggml-quants.c
// (quantize_row_*_ref) so that files we write and activations we quantize match llama.cpp bit for
// bit. The K-quant weight quantizers are in quantize_k_quants.cpp.
#include "tensor/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

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

void quantize_row_q4_1(const float* x, BlockQ4_1* y, int64_t n) {
  constexpr int kHalf = kQk4_1 / 2;
  for (int64_t b = 0; b < n / kQk4_1; ++b) {
    const float* xb = x + b * kQk4_1;
    float min = std::numeric_limits<float>::max(), max = -std::numeric_limits<float>::max();
    for (int j = 0; j < kQk4_1; ++j) {
      min = std::min(min, xb[j]);
      max = std::max(max, xb[j]);
    }
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = util::fp32_to_fp16(d);
    y[b].m = util::fp32_to_fp16(min);
    for (int j = 0; j < kHalf; ++j) {
      const auto q0 = static_cast<uint8_t>(std::min<int8_t>(15, static_cast<int8_t>((xb[j] - min) * id + 0.5f)));
      const auto q1 = static_cast<uint8_t>(std::min<int8_t>(15, static_cast<int8_t>((xb[j + kHalf] - min) * id + 0.5f)));
      y[b].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

namespace {

// Packs 32 five-bit quants (element order) into a Q5_0/Q5_1 block's qs and qh.
template <class Block>
void pack_q5(const uint8_t* q, Block& blk) {
  uint32_t qh = 0;
  for (int j = 0; j < 16; ++j) {
    blk.qs[j] = static_cast<uint8_t>((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4));
    qh |= static_cast<uint32_t>((q[j] & 0x10) >> 4) << j;
    qh |= static_cast<uint32_t>((q[j + 16] & 0x10) >> 4) << (j + 16);
  }
  std::memcpy(blk.qh, &qh, sizeof(qh));
}

}  // namespace

void quantize_row_q5_0(const float* x, BlockQ5_0* y, int64_t n) {
  for (int64_t b = 0; b < n / kQk5_0; ++b) {
    const float* xb = x + b * kQk5_0;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQk5_0; ++j) {
      if (amax < std::fabs(xb[j])) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -16.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = util::fp32_to_fp16(d);
    uint8_t q[kQk5_0];
    for (int j = 0; j < kQk5_0; ++j) {
      q[j] = static_cast<uint8_t>(std::min<int8_t>(31, static_cast<int8_t>(xb[j] * id + 16.5f)));
    }
    pack_q5(q, y[b]);
  }
}

void quantize_row_q5_1(const float* x, BlockQ5_1* y, int64_t n) {
  for (int64_t b = 0; b < n / kQk5_1; ++b) {
    const float* xb = x + b * kQk5_1;
    float min = std::numeric_limits<float>::max(), max = -std::numeric_limits<float>::max();
    for (int j = 0; j < kQk5_1; ++j) {
      min = std::min(min, xb[j]);
      max = std::max(max, xb[j]);
    }
    const float d = (max - min) / 31.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = util::fp32_to_fp16(d);
    y[b].m = util::fp32_to_fp16(min);
    uint8_t q[kQk5_1];
    for (int j = 0; j < kQk5_1; ++j) q[j] = static_cast<uint8_t>((xb[j] - min) * id + 0.5f);
    pack_q5(q, y[b]);
  }
}

void quantize_row_q8_k(const float* x, BlockQ8_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float* xb = x + b * kQkK;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQkK; ++j) {
      if (std::fabs(xb[j]) > amax) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    if (amax == 0.0f) {
      std::memset(&y[b], 0, sizeof(BlockQ8_K));
      continue;
    }
    const float iscale = -127.0f / max;
    for (int j = 0; j < kQkK; ++j) y[b].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * xb[j])));
    for (int g = 0; g < kQkK / 16; ++g) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += y[b].qs[16 * g + i];
      y[b].bsums[g] = static_cast<int16_t>(sum);
    }
    y[b].d = 1.0f / iscale;
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
  switch (type) {
    case GgmlType::kF32: case GgmlType::kF16: case GgmlType::kBF16: case GgmlType::kQ8_0:
    case GgmlType::kQ4_0: case GgmlType::kQ4_1: case GgmlType::kQ5_0: case GgmlType::kQ5_1:
    case GgmlType::kQ8_K: case GgmlType::kQ2_K: case GgmlType::kQ3_K: case GgmlType::kQ4_K:
    case GgmlType::kQ5_K: case GgmlType::kQ6_K:
      return true;
    default:
      return false;
  }
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
    case gguf::GgmlType::kQ4_1: quantize_row_q4_1(x, static_cast<BlockQ4_1*>(dst), n); return true;
    case gguf::GgmlType::kQ5_0: quantize_row_q5_0(x, static_cast<BlockQ5_0*>(dst), n); return true;
    case gguf::GgmlType::kQ5_1: quantize_row_q5_1(x, static_cast<BlockQ5_1*>(dst), n); return true;
    case gguf::GgmlType::kQ8_K: quantize_row_q8_k(x, static_cast<BlockQ8_K*>(dst), n); return true;
    case gguf::GgmlType::kQ2_K: quantize_row_q2_k(x, static_cast<BlockQ2_K*>(dst), n); return true;
    case gguf::GgmlType::kQ3_K: quantize_row_q3_k(x, static_cast<BlockQ3_K*>(dst), n); return true;
    case gguf::GgmlType::kQ4_K: quantize_row_q4_k(x, static_cast<BlockQ4_K*>(dst), n); return true;
    case gguf::GgmlType::kQ5_K: quantize_row_q5_k(x, static_cast<BlockQ5_K*>(dst), n); return true;
    case gguf::GgmlType::kQ6_K: quantize_row_q6_k(x, static_cast<BlockQ6_K*>(dst), n); return true;
    default:
      return false;
  }
}

}  // namespace mynah::tensor
