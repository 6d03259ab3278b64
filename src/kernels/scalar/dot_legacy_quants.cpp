// Scalar Q4_1 / Q5_0 / Q5_1 x Q8_0 dots. Exact int32 sums per block, then float: for the offset
// types the activation-sum term uses the exact integer sum of the Q8_0 quants (ggml's Q8_1 stores
// it as fp16, which is why we pair these types with Q8_0 instead).
#include <cstdint>
#include <cstring>

#include "kernels/scalar/kernels.h"
#include "tensor/quant_blocks.h"
#include "util/half.h"

namespace mynah::kernels::scalar {
namespace {

using util::fp16_to_fp32;

// The 5-bit quants (0..31) of a Q5_0/Q5_1 block in element order.
template <class Block>
void q5_quants(const Block& blk, int32_t* q) {
  uint32_t qh;
  std::memcpy(&qh, blk.qh, sizeof(qh));
  for (int j = 0; j < 16; ++j) {
    q[j] = (blk.qs[j] & 0x0f) | static_cast<int32_t>(((qh >> j) & 1) << 4);
    q[j + 16] = (blk.qs[j] >> 4) | static_cast<int32_t>(((qh >> (j + 16)) & 1) << 4);
  }
}

// sum over blocks of d_w d_x sum(q x) + m_w d_x sum(x), q unsigned (the offset types).
template <class Block, class Quants>
float dot_offset(const void* w, const void* x, int64_t n, Quants quants) {
  const auto* wb = static_cast<const Block*>(w);
  const auto* xb = static_cast<const tensor::BlockQ8_0*>(x);
  float sum = 0.0f;
  int32_t q[32];
  for (int64_t b = 0; b < n / 32; ++b) {
    quants(wb[b], q);
    int32_t sumi = 0, sumx = 0;
    for (int j = 0; j < 32; ++j) {
      sumi += q[j] * xb[b].qs[j];
      sumx += xb[b].qs[j];
    }
    const float dx = fp16_to_fp32(xb[b].d);
    sum += static_cast<float>(sumi) * (fp16_to_fp32(wb[b].d) * dx) + static_cast<float>(sumx) * (fp16_to_fp32(wb[b].m) * dx);
  }
  return sum;
}

}  // namespace

float dot_q4_1_q8_0(const void* w, const void* x, int64_t n) {
  return dot_offset<tensor::BlockQ4_1>(w, x, n, [](const tensor::BlockQ4_1& blk, int32_t* q) {
    for (int j = 0; j < 16; ++j) {
      q[j] = blk.qs[j] & 0x0f;
      q[j + 16] = blk.qs[j] >> 4;
    }
  });
}

float dot_q5_1_q8_0(const void* w, const void* x, int64_t n) {
  return dot_offset<tensor::BlockQ5_1>(w, x, n, q5_quants<tensor::BlockQ5_1>);
}

float dot_q5_0_q8_0(const void* w, const void* x, int64_t n) {
  const auto* wb = static_cast<const tensor::BlockQ5_0*>(w);
  const auto* xb = static_cast<const tensor::BlockQ8_0*>(x);
  float sum = 0.0f;
  int32_t q[32];
  for (int64_t b = 0; b < n / 32; ++b) {
    q5_quants(wb[b], q);
    int32_t sumi = 0;
    for (int j = 0; j < 32; ++j) sumi += (q[j] - 16) * xb[b].qs[j];
    sum += static_cast<float>(sumi) * (fp16_to_fp32(wb[b].d) * fp16_to_fp32(xb[b].d));
  }
  return sum;
}

}  // namespace mynah::kernels::scalar
