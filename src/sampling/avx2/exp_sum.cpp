// The exp-and-sum loop at 8 floats per vector; this file alone is built with -mavx2 (KernelIsa.cmake)
// and runs only after row_ops.cpp has checked the CPU.
#include "sampling/exp_sum.h"

namespace mynah::sampling::avx2 {
namespace {

typedef float F32x8 __attribute__((vector_size(32)));
typedef int32_t I32x8 __attribute__((vector_size(32)));

}  // namespace

double exp_sum(const float* row, float shift, float* out, size_t n) {
  return exp_sum_impl<F32x8, I32x8, false>(row, shift, out, n);
}

}  // namespace mynah::sampling::avx2
