// K-quant weight quantizers (see tensor/quantize.h for what they are and are not). Each computes
// integer quants and group scales, then packs them into the block layout that
// dequantize_k_quants.cpp reads, so the two files are each other's inverse.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/quantize.h"
#include "util/half.h"

namespace mynah::tensor {
namespace {

using util::fp16_to_fp32;
using util::fp32_to_fp16;

int clamp(int v, int lo, int hi) { return std::min(hi, std::max(lo, v)); }

// q = round(x / step) within [lo, hi]; 0 when the step is 0.
int quant(float x, float step, int lo, int hi) {
  return step == 0.0f ? clamp(0, lo, hi) : clamp(nearest_int(x / step), lo, hi);
}

// Asymmetric groups (Q2_K, Q4_K, Q5_K): value = d * sc[g] * q - dmin * m[g], q in [0, n_levels - 1],
// sc and m in [0, max_code]. Writes the fp16 super-block scales and the group codes and quants.
struct Asymmetric {
  uint16_t d, dmin;
  uint8_t sc[16], m[16];
  uint8_t q[kQkK];
};

Asymmetric quantize_asymmetric(const float* x, int group, int n_levels, int max_code) {
  const int n_groups = kQkK / group;
  float scale[16], min[16], max_scale = 0.0f, max_min = 0.0f;
  for (int g = 0; g < n_groups; ++g) {
    const float* xg = x + g * group;
    const float lo = std::min(0.0f, *std::min_element(xg, xg + group));
    const float hi = *std::max_element(xg, xg + group);
    scale[g] = (hi - lo) / static_cast<float>(n_levels - 1);
    min[g] = -lo;
    max_scale = std::max(max_scale, scale[g]);
    max_min = std::max(max_min, min[g]);
  }
  Asymmetric a;
  a.d = fp32_to_fp16(max_scale / static_cast<float>(max_code));
  a.dmin = fp32_to_fp16(max_min / static_cast<float>(max_code));
  const float d = fp16_to_fp32(a.d), dmin = fp16_to_fp32(a.dmin);
  for (int g = 0; g < n_groups; ++g) {
    // Round the scale up so the group's max still fits in n_levels - 1 steps.
    a.sc[g] = static_cast<uint8_t>(d == 0.0f ? 0 : clamp(static_cast<int>(std::ceil(scale[g] / d)), 0, max_code));
    a.m[g] = static_cast<uint8_t>(quant(min[g], dmin, 0, max_code));
    const float step = d * a.sc[g], offset = dmin * a.m[g];
    for (int i = 0; i < group; ++i) {
      a.q[g * group + i] = static_cast<uint8_t>(quant(x[g * group + i] + offset, step, 0, n_levels - 1));
    }
  }
  return a;
}

// Symmetric groups (Q3_K, Q6_K): value = d * sc[g] * q, q in [-half, half - 1], sc in
// [-max_code, max_code]. The group's signed extreme maps to -half, as in Q4_0.
struct Symmetric {
  uint16_t d;
  int8_t sc[16];
  int8_t q[kQkK];
};

Symmetric quantize_symmetric(const float* x, int half, int max_code) {
  constexpr int kGroup = 16;
  float scale[kQkK / kGroup], max_abs = 0.0f;
  for (int g = 0; g < kQkK / kGroup; ++g) {
    float amax = 0.0f, extreme = 0.0f;
    for (int i = 0; i < kGroup; ++i) {
      if (std::fabs(x[g * kGroup + i]) > amax) {
        amax = std::fabs(x[g * kGroup + i]);
        extreme = x[g * kGroup + i];
      }
    }
    scale[g] = extreme / static_cast<float>(-half);
    max_abs = std::max(max_abs, std::fabs(scale[g]));
  }
  Symmetric s;
  s.d = fp32_to_fp16(max_abs / static_cast<float>(max_code));
  const float d = fp16_to_fp32(s.d);
  for (int g = 0; g < kQkK / kGroup; ++g) {
    s.sc[g] = static_cast<int8_t>(quant(scale[g], d, -max_code, max_code));
    const float step = d * s.sc[g];
    for (int i = 0; i < kGroup; ++i) {
      s.q[g * kGroup + i] = static_cast<int8_t>(quant(x[g * kGroup + i], step, -half, half - 1));
    }
  }
  return s;
}

// Element 128 h + 32 s + l goes to bits 2s..2s+1 of qs[32 h + l] (Q2_K and Q3_K low bits).
void pack_2bit(const uint8_t* q, uint8_t* qs) {
  std::memset(qs, 0, kQkK / 4);
  for (int e = 0; e < kQkK; ++e) {
    const int h = e / 128, s = e % 128 / 32, l = e % 32;
    qs[32 * h + l] = static_cast<uint8_t>(qs[32 * h + l] | ((q[e] & 3) << (2 * s)));
  }
}

// The 12-byte 6-bit scales and mins of Q4_K/Q5_K (the inverse of scale_min_k4).
void pack_scales_k4(const uint8_t* sc, const uint8_t* m, uint8_t* out) {
  for (int g = 0; g < 4; ++g) {
    out[g] = static_cast<uint8_t>((sc[g] & 63) | ((sc[g + 4] >> 4) << 6));
    out[g + 4] = static_cast<uint8_t>((m[g] & 63) | ((m[g + 4] >> 4) << 6));
    out[g + 8] = static_cast<uint8_t>((sc[g + 4] & 0xf) | ((m[g + 4] & 0xf) << 4));
  }
}

// Element 64 c + 32 half + l goes to the low (half 0) or high nibble of qs[32 c + l].
void pack_nibbles_k4(const uint8_t* q, uint8_t* qs) {
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < 32; ++l) qs[32 * c + l] = static_cast<uint8_t>((q[64 * c + l] & 0xf) | ((q[64 * c + 32 + l] & 0xf) << 4));
  }
}

}  // namespace

void quantize_row_q2_k(const float* x, BlockQ2_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const Asymmetric a = quantize_asymmetric(x + b * kQkK, 16, 4, 15);
    y[b].d = a.d;
    y[b].dmin = a.dmin;
    for (int g = 0; g < 16; ++g) y[b].scales[g] = static_cast<uint8_t>(a.sc[g] | (a.m[g] << 4));
    pack_2bit(a.q, y[b].qs);
  }
}

void quantize_row_q3_k(const float* x, BlockQ3_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const Symmetric s = quantize_symmetric(x + b * kQkK, 4, 31);
    y[b].d = s.d;
    std::memset(y[b].scales, 0, sizeof(y[b].scales));
    for (int g = 0; g < 16; ++g) {
      const int code = s.sc[g] + 32;  // 1..63
      y[b].scales[g % 8] = static_cast<uint8_t>(y[b].scales[g % 8] | ((code & 0xf) << (g < 8 ? 0 : 4)));
      y[b].scales[8 + g % 4] = static_cast<uint8_t>(y[b].scales[8 + g % 4] | ((code >> 4) << (2 * (g / 4))));
    }
    uint8_t u[kQkK];  // q + 4 in 0..7: low 2 bits in qs, bit 2 in hmask
    std::memset(y[b].hmask, 0, sizeof(y[b].hmask));
    for (int e = 0; e < kQkK; ++e) {
      u[e] = static_cast<uint8_t>(s.q[e] + 4);
      const int h = e / 128, sh = e % 128 / 32, l = e % 32;
      y[b].hmask[l] = static_cast<uint8_t>(y[b].hmask[l] | ((u[e] >> 2) << (4 * h + sh)));
    }
    pack_2bit(u, y[b].qs);
  }
}

void quantize_row_q4_k(const float* x, BlockQ4_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const Asymmetric a = quantize_asymmetric(x + b * kQkK, 32, 16, 63);
    y[b].d = a.d;
    y[b].dmin = a.dmin;
    pack_scales_k4(a.sc, a.m, y[b].scales);
    pack_nibbles_k4(a.q, y[b].qs);
  }
}

void quantize_row_q5_k(const float* x, BlockQ5_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const Asymmetric a = quantize_asymmetric(x + b * kQkK, 32, 32, 63);
    y[b].d = a.d;
    y[b].dmin = a.dmin;
    pack_scales_k4(a.sc, a.m, y[b].scales);
    pack_nibbles_k4(a.q, y[b].qs);
    std::memset(y[b].qh, 0, sizeof(y[b].qh));
    for (int e = 0; e < kQkK; ++e) {
      const int c = e / 64, half = e % 64 / 32, l = e % 32;
      y[b].qh[l] = static_cast<uint8_t>(y[b].qh[l] | ((a.q[e] >> 4) << (2 * c + half)));
    }
  }
}

void quantize_row_q6_k(const float* x, BlockQ6_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const Symmetric s = quantize_symmetric(x + b * kQkK, 32, 127);
    y[b].d = s.d;
    std::memcpy(y[b].scales, s.sc, sizeof(y[b].scales));
    std::memset(y[b].ql, 0, sizeof(y[b].ql));
    std::memset(y[b].qh, 0, sizeof(y[b].qh));
    for (int e = 0; e < kQkK; ++e) {
      const int u = s.q[e] + 32;  // 0..63
      const int h = e / 128, sh = e % 128 / 32, l = e % 32;
      uint8_t& low = y[b].ql[64 * h + l + 32 * (sh & 1)];
      low = static_cast<uint8_t>(low | ((u & 0xf) << (sh >= 2 ? 4 : 0)));
      y[b].qh[32 * h + l] = static_cast<uint8_t>(y[b].qh[32 * h + l] | ((u >> 4) << (2 * sh)));
    }
  }
}

}  // namespace mynah::tensor
