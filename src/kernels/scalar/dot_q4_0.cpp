// Scalar Q4_0 x Q8_0 dot, as ggml_vec_dot_q4_0_q8_0's generic path: nibble j pairs with activation
// j (low) and j + 16 (high); exact int32 per block, then one float multiply-add per block.
#include <cstdint>

#include "kernels/scalar/kernels.h"
#include "tensor/quant_blocks.h"
#include "util/half.h"

namespace mynah::kernels::scalar {

float dot_q4_0_q8_0(const void* w, const void* x, int64_t n) {
  constexpr int kHalf = tensor::kQk4_0 / 2;
  const auto* wb = static_cast<const tensor::BlockQ4_0*>(w);
  const auto* xb = static_cast<const tensor::BlockQ8_0*>(x);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / tensor::kQk4_0; ++b) {
    int32_t sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      const int32_t lo = (wb[b].qs[j] & 0x0f) - 8;
      const int32_t hi = (wb[b].qs[j] >> 4) - 8;
      sumi += lo * xb[b].qs[j] + hi * xb[b].qs[j + kHalf];
    }
    const float scale = util::fp16_to_fp32(wb[b].d) * util::fp16_to_fp32(xb[b].d);
    sum += static_cast<float>(sumi) * scale;
  }
  return sum;
}

}  // namespace mynah::kernels::scalar
