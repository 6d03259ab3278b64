// kernels/ops.h through the process-wide kernel table (picked once at start-up).
#include "kernels/ops.h"

#include "kernels/kernel_table.h"

namespace mynah::kernels {

void rmsnorm(const float* x, const float* weight, float* out, int64_t n, float eps) {
  kernels().rmsnorm(x, weight, out, n, eps);
}

void rope_rotate_pairs(float* x, int n_heads, int head_dim, int rope_dim, const float* cos, const float* sin) {
  kernels().rope_rotate_pairs(x, n_heads, head_dim, rope_dim, cos, sin);
}

void softmax(float* x, int64_t n) { kernels().softmax(x, n); }

void silu_mul(float* gate, const float* up, int64_t n) { kernels().silu_mul(gate, up, n); }

void add_inplace(float* y, const float* x, int64_t n) { kernels().add_inplace(y, x, n); }

}  // namespace mynah::kernels
