// Scalar dequantization of every supported type, written to mirror ggml's reference loops
// (dequantize_row_*) operation for operation, so rows we dequantize equal llama.cpp's.
#include "tensor/dequantize.h"

#include <cstring>

#include "tensor/dequantize_k_quants.h"
#include "tensor/quant_blocks.h"
#include "util/half.h"

namespace mynah::tensor {
namespace {

using util::fp16_to_fp32;

void dequantize_q8_0(const BlockQ8_0* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQk8_0; ++b) {
    const float d = fp16_to_fp32(src[b].d);
    for (int j = 0; j < kQk8_0; ++j) dst[b * kQk8_0 + j] = static_cast<float>(src[b].qs[j]) * d;
  }
}

void dequantize_q4_0(const BlockQ4_0* src, float* dst, int64_t n) {
  constexpr int kHalf = kQk4_0 / 2;
  for (int64_t b = 0; b < n / kQk4_0; ++b) {
    const float d = fp16_to_fp32(src[b].d);
    float* out = dst + b * kQk4_0;
    for (int j = 0; j < kHalf; ++j) {
      out[j] = static_cast<float>((src[b].qs[j] & 0x0f) - 8) * d;
      out[j + kHalf] = static_cast<float>((src[b].qs[j] >> 4) - 8) * d;
    }
  }
}

void dequantize_q4_1(const BlockQ4_1* src, float* dst, int64_t n) {
  constexpr int kHalf = kQk4_1 / 2;
  for (int64_t b = 0; b < n / kQk4_1; ++b) {
    const float d = fp16_to_fp32(src[b].d), m = fp16_to_fp32(src[b].m);
    float* out = dst + b * kQk4_1;
    for (int j = 0; j < kHalf; ++j) {
      out[j] = static_cast<float>(src[b].qs[j] & 0x0f) * d + m;
      out[j + kHalf] = static_cast<float>(src[b].qs[j] >> 4) * d + m;
    }
  }
}

// The 5-bit quants of a Q5_0/Q5_1 block (0..31), element order.
template <class Block>
void q5_quants(const Block& blk, int32_t* q) {
  uint32_t qh;
  std::memcpy(&qh, blk.qh, sizeof(qh));
  for (int j = 0; j < 16; ++j) {
    q[j] = (blk.qs[j] & 0x0f) | static_cast<int32_t>(((qh >> j) << 4) & 0x10);
    q[j + 16] = (blk.qs[j] >> 4) | static_cast<int32_t>((qh >> (j + 12)) & 0x10);
  }
}

void dequantize_q5_0(const BlockQ5_0* src, float* dst, int64_t n) {
  int32_t q[kQk5_0];
  for (int64_t b = 0; b < n / kQk5_0; ++b) {
    const float d = fp16_to_fp32(src[b].d);
    q5_quants(src[b], q);
    for (int j = 0; j < kQk5_0; ++j) dst[b * kQk5_0 + j] = static_cast<float>(q[j] - 16) * d;
  }
}

void dequantize_q5_1(const BlockQ5_1* src, float* dst, int64_t n) {
  int32_t q[kQk5_1];
  for (int64_t b = 0; b < n / kQk5_1; ++b) {
    const float d = fp16_to_fp32(src[b].d), m = fp16_to_fp32(src[b].m);
    q5_quants(src[b], q);
    for (int j = 0; j < kQk5_1; ++j) dst[b * kQk5_1 + j] = static_cast<float>(q[j]) * d + m;
  }
}

void dequantize_q8_k(const BlockQ8_K* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    for (int j = 0; j < kQkK; ++j) dst[b * kQkK + j] = src[b].d * static_cast<float>(src[b].qs[j]);
  }
}

template <class Block>
const Block* blocks(const void* p) {
  return static_cast<const Block*>(p);
}

}  // namespace

bool dequantize_supports(gguf::GgmlType type) {
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

bool dequantize_row(gguf::GgmlType type, const void* src, float* dst, int64_t n) {
  using gguf::GgmlType;
  if (!dequantize_supports(type) || n < 0) return false;
  if (n % gguf::ggml_type_traits(type).block_size != 0) return false;
  switch (type) {
    case GgmlType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return true;
    case GgmlType::kF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(static_cast<const uint16_t*>(src)[i]);
      return true;
    case GgmlType::kBF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = util::bf16_to_fp32(static_cast<const uint16_t*>(src)[i]);
      return true;
    case GgmlType::kQ8_0: dequantize_q8_0(blocks<BlockQ8_0>(src), dst, n); return true;
    case GgmlType::kQ4_0: dequantize_q4_0(blocks<BlockQ4_0>(src), dst, n); return true;
    case GgmlType::kQ4_1: dequantize_q4_1(blocks<BlockQ4_1>(src), dst, n); return true;
    case GgmlType::kQ5_0: dequantize_q5_0(blocks<BlockQ5_0>(src), dst, n); return true;
    case GgmlType::kQ5_1: dequantize_q5_1(blocks<BlockQ5_1>(src), dst, n); return true;
    case GgmlType::kQ8_K: dequantize_q8_k(blocks<BlockQ8_K>(src), dst, n); return true;
    case GgmlType::kQ2_K: dequantize_q2_k(blocks<BlockQ2_K>(src), dst, n); return true;
    case GgmlType::kQ3_K: dequantize_q3_k(blocks<BlockQ3_K>(src), dst, n); return true;
    case GgmlType::kQ4_K: dequantize_q4_k(blocks<BlockQ4_K>(src), dst, n); return true;
    case GgmlType::kQ5_K: dequantize_q5_k(blocks<BlockQ5_K>(src), dst, n); return true;
    case GgmlType::kQ6_K: dequantize_q6_k(blocks<BlockQ6_K>(src), dst, n); return true;
    default:
      return false;
  }
}

}  // namespace mynah::tensor
