// Scalar K-quant x Q8_K dots: per super-block an exact int32 sum of scale * (q . x) over its groups
// and, for the offset types, an exact int32 sum of min * (group sum of x) from Q8_K's bsums; then
// sum += (d_w * d_x) * isum - (dmin_w * d_x) * msum in float. The SIMD twins compute the same
// integers and repeat these float operations, so they match this spec bit for bit.
#include <cstdint>

#include "kernels/scalar/kernels.h"
#include "tensor/quant_blocks.h"
#include "util/half.h"

namespace mynah::kernels::scalar {
namespace {

using tensor::BlockQ8_K;
using tensor::kQkK;
using util::fp16_to_fp32;

// Element e of Q2_K/Q3_K's 2-bit field: bits 2s..2s+1 of qs[32 h + l], e = 128 h + 32 s + l.
inline int two_bits(const uint8_t* qs, int e) { return (qs[32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3; }

inline float finish(float sum, float d, int32_t isum, float dmin, int32_t msum) {
  return sum + (d * static_cast<float>(isum) - dmin * static_cast<float>(msum));
}

}  // namespace

float dot_q2_k_q8_k(const void* w, const void* x, int64_t n) {
  const auto* wb = static_cast<const tensor::BlockQ2_K*>(w);
  const auto* xb = static_cast<const BlockQ8_K*>(x);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    int32_t isum = 0, msum = 0;
    for (int g = 0; g < 16; ++g) {
      int32_t gsum = 0;
      for (int i = 0; i < 16; ++i) gsum += two_bits(wb[b].qs, 16 * g + i) * xb[b].qs[16 * g + i];
      isum += (wb[b].scales[g] & 0xf) * gsum;
      msum += (wb[b].scales[g] >> 4) * xb[b].bsums[g];
    }
    sum = finish(sum, fp16_to_fp32(wb[b].d) * xb[b].d, isum, fp16_to_fp32(wb[b].dmin) * xb[b].d, msum);
  }
  return sum;
}

float dot_q3_k_q8_k(const void* w, const void* x, int64_t n) {
  const auto* wb = static_cast<const tensor::BlockQ3_K*>(w);
  const auto* xb = static_cast<const BlockQ8_K*>(x);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    int32_t isum = 0;
    for (int g = 0; g < 16; ++g) {
      int32_t gsum = 0;
      for (int i = 0; i < 16; ++i) {
        const int e = 16 * g + i;
        const int high = (wb[b].hmask[e % 32] >> (4 * (e / 128) + e % 128 / 32)) & 1;
        gsum += (two_bits(wb[b].qs, e) - (high ? 0 : 4)) * xb[b].qs[e];
      }
      isum += (tensor::scale_q3_k(g, wb[b].scales) - 32) * gsum;
    }
    sum = finish(sum, fp16_to_fp32(wb[b].d) * xb[b].d, isum, 0.0f, 0);
  }
  return sum;
}

namespace {

// Q4_K and Q5_K: 8 groups of 32 with 6-bit scales and mins; `high` adds Q5_K's fifth bit.
template <class Block, bool kFifthBit>
float dot_k4(const void* w, const void* x, int64_t n) {
  const auto* wb = static_cast<const Block*>(w);
  const auto* xb = static_cast<const BlockQ8_K*>(x);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    int32_t isum = 0, msum = 0;
    for (int g = 0; g < 8; ++g) {
      uint8_t sc, m;
      tensor::scale_min_k4(g, wb[b].scales, &sc, &m);
      const int c = g / 2, half = g % 2;
      int32_t gsum = 0;
      for (int l = 0; l < 32; ++l) {
        int q = half ? wb[b].qs[32 * c + l] >> 4 : wb[b].qs[32 * c + l] & 0xf;
        if constexpr (kFifthBit) q |= ((wb[b].qh[l] >> g) & 1) << 4;
        gsum += q * xb[b].qs[32 * g + l];
      }
      isum += sc * gsum;
      msum += m * (xb[b].bsums[2 * g] + xb[b].bsums[2 * g + 1]);
    }
    sum = finish(sum, fp16_to_fp32(wb[b].d) * xb[b].d, isum, fp16_to_fp32(wb[b].dmin) * xb[b].d, msum);
  }
  return sum;
}

}  // namespace

float dot_q4_k_q8_k(const void* w, const void* x, int64_t n) { return dot_k4<tensor::BlockQ4_K, false>(w, x, n); }
float dot_q5_k_q8_k(const void* w, const void* x, int64_t n) { return dot_k4<tensor::BlockQ5_K, true>(w, x, n); }

float dot_q6_k_q8_k(const void* w, const void* x, int64_t n) {
  const auto* wb = static_cast<const tensor::BlockQ6_K*>(w);
  const auto* xb = static_cast<const BlockQ8_K*>(x);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    int32_t isum = 0;
    for (int g = 0; g < 16; ++g) {
      int32_t gsum = 0;
      for (int i = 0; i < 16; ++i) {
        const int e = 16 * g + i, h = e / 128, s = e % 128 / 32, l = e % 32;
        const int low = (wb[b].ql[64 * h + l + 32 * (s & 1)] >> (s >= 2 ? 4 : 0)) & 0xf;
        const int high = (wb[b].qh[32 * h + l] >> (2 * s)) & 3;
        gsum += ((low | (high << 4)) - 32) * xb[b].qs[e];
      }
      isum += wb[b].scales[g] * gsum;
    }
    sum = finish(sum, fp16_to_fp32(wb[b].d) * xb[b].d, isum, 0.0f, 0);
  }
  return sum;
}

}  // namespace mynah::kernels::scalar
