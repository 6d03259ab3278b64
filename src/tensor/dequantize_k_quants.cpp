// K-quant dequantization, transcribed from ggml-quants.c (dequantize_row_q2_K .. q6_K) so that every
// float operation, and so every output bit, matches llama.cpp.
#include "tensor/dequantize_k_quants.h"

#include "util/half.h"

namespace mynah::tensor {

using util::fp16_to_fp32;

void dequantize_q2_k(const BlockQ2_K* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = fp16_to_fp32(src[b].d), min = fp16_to_fp32(src[b].dmin);
    const uint8_t* q = src[b].qs;
    int is = 0;
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int part = 0; part < 2; ++part) {
          const uint8_t sc = src[b].scales[is++];
          const float dl = d * static_cast<float>(sc & 0xf), ml = min * static_cast<float>(sc >> 4);
          for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
        }
      }
    }
  }
}

void dequantize_q3_k(const BlockQ3_K* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d_all = fp16_to_fp32(src[b].d);
    const uint8_t* q = src[b].qs;
    const uint8_t* hm = src[b].hmask;
    uint8_t m = 1;
    int is = 0;
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
        for (int part = 0; part < 2; ++part) {
          const float dl = d_all * static_cast<float>(scale_q3_k(is++, src[b].scales) - 32);
          for (int l = 16 * part; l < 16 * part + 16; ++l) {
            *y++ = dl * static_cast<float>(((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
          }
        }
      }
    }
  }
}

void dequantize_q4_k(const BlockQ4_K* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = fp16_to_fp32(src[b].d), min = fp16_to_fp32(src[b].dmin);
    const uint8_t* q = src[b].qs;
    for (int chunk = 0; chunk < 4; ++chunk, q += 32) {
      uint8_t sc, m;
      scale_min_k4(2 * chunk, src[b].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      scale_min_k4(2 * chunk + 1, src[b].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xf) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void dequantize_q5_k(const BlockQ5_K* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = fp16_to_fp32(src[b].d), min = fp16_to_fp32(src[b].dmin);
    const uint8_t* ql = src[b].qs;
    const uint8_t* qh = src[b].qh;
    uint8_t u1 = 1, u2 = 2;
    for (int chunk = 0; chunk < 4; ++chunk, ql += 32, u1 = static_cast<uint8_t>(u1 << 2), u2 = static_cast<uint8_t>(u2 << 2)) {
      uint8_t sc, m;
      scale_min_k4(2 * chunk, src[b].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      scale_min_k4(2 * chunk + 1, src[b].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>((ql[l] & 0xf) + (qh[l] & u1 ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    }
  }
}

void dequantize_q6_k(const BlockQ6_K* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = fp16_to_fp32(src[b].d);
    const uint8_t* ql = src[b].ql;
    const uint8_t* qh = src[b].qh;
    const int8_t* sc = src[b].scales;
    for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = static_cast<int8_t>((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = static_cast<int8_t>((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = static_cast<int8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = static_cast<int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l + 0] = d * sc[is + 0] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

}  // namespace mynah::tensor
