// Scalar Q8_0 x Q8_0 dot, as ggml_vec_dot_q8_0_q8_0's generic path: exact int32 per block, then
// one float multiply-add per block with the product of the two fp16 scales.
#include <cstdint>

#include "kernels/scalar/kernels.h"
#include "tensor/quant_blocks.h"
#include "util/half.h"

namespace mynah::kernels::scalar {

float dot_q8_0_q8_0(const void* w, const void* x, int64_t n) {
  const auto* wb = static_cast<const tensor::BlockQ8_0*>(w);
  const auto* xb = static_cast<const tensor::BlockQ8_0*>(x);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / tensor::kQk8_0; ++b) {
    int32_t sumi = 0;
    for (int j = 0; j < tensor::kQk8_0; ++j) sumi += int32_t{wb[b].qs[j]} * int32_t{xb[b].qs[j]};
    const float scale = util::fp16_to_fp32(wb[b].d) * util::fp16_to_fp32(xb[b].d);
    sum += static_cast<float>(sumi) * scale;
  }
  return sum;
}

}  // namespace mynah::kernels::scalar
