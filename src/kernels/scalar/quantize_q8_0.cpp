// The scalar activation quantizers are the tensor layer's ggml-exact references; no second copy.
#include "kernels/scalar/kernels.h"
#include "tensor/quantize.h"

namespace mynah::kernels::scalar {

void quantize_row_q8_0(const float* x, void* y, int64_t n) {
  tensor::quantize_row_q8_0(x, static_cast<tensor::BlockQ8_0*>(y), n);
}

void quantize_row_q8_k(const float* x, void* y, int64_t n) {
  tensor::quantize_row_q8_k(x, static_cast<tensor::BlockQ8_K*>(y), n);
}

}  // namespace mynah::kernels::scalar
