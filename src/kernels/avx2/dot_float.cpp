// AVX2 dots of f32/f16/bf16 weights with f32 activations: two 8-lane accumulators per row; the
// tail goes through zero-padded copies so it takes the same lanes path for every caller.
#include "kernels/avx2/simd.h"

#include <cstring>

#include "kernels/avx2/kernels.h"

namespace mynah::kernels::avx2 {
namespace {

struct F32Weights {
  using T = float;
  static __m256 load(const float* p) { return _mm256_loadu_ps(p); }
};
struct F16Weights {
  using T = uint16_t;
  static __m256 load(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
};
struct Bf16Weights {
  using T = uint16_t;
  static __m256 load(const uint16_t* p) {
    const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
  }
};

// out[r] = dot(w + r * w_stride, x) for r < kRows; the per-row op sequence does not depend on
// kRows, so dot4 matches dot bit for bit.
template <class W, int kRows>
void dot_rows(const void* w_raw, size_t w_stride_bytes, const void* x_raw, int64_t n, float* out) {
  using T = typename W::T;
  const T* w[kRows];
  for (int r = 0; r < kRows; ++r) {
    w[r] = reinterpret_cast<const T*>(static_cast<const uint8_t*>(w_raw) + w_stride_bytes * r);
  }
  const auto* x = static_cast<const float*>(x_raw);
  __m256 acc0[kRows], acc1[kRows];
  for (int r = 0; r < kRows; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
    for (int r = 0; r < kRows; ++r) {
      acc0[r] = _mm256_fmadd_ps(W::load(w[r] + i), x0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(W::load(w[r] + i + 8), x1, acc1[r]);
    }
  }
  if (i < n) {  // 1..15 left: pad with zeros and run one more full step
    const size_t left = static_cast<size_t>(n - i);
    float xpad[16] = {};
    std::memcpy(xpad, x + i, left * sizeof(float));
    const __m256 x0 = _mm256_loadu_ps(xpad), x1 = _mm256_loadu_ps(xpad + 8);
    for (int r = 0; r < kRows; ++r) {
      T wpad[16] = {};
      std::memcpy(wpad, w[r] + i, left * sizeof(T));
      acc0[r] = _mm256_fmadd_ps(W::load(wpad), x0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(W::load(wpad + 8), x1, acc1[r]);
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = hsum(_mm256_add_ps(acc0[r], acc1[r]));
}

template <class W>
float dot_one(const void* w, const void* x, int64_t n) {
  float out = 0.0f;
  dot_rows<W, 1>(w, 0, x, n, &out);
  return out;
}

}  // namespace

float dot_f32_f32(const void* w, const void* x, int64_t n) { return dot_one<F32Weights>(w, x, n); }
float dot_f16_f32(const void* w, const void* x, int64_t n) { return dot_one<F16Weights>(w, x, n); }
float dot_bf16_f32(const void* w, const void* x, int64_t n) { return dot_one<Bf16Weights>(w, x, n); }

void dot4_f32_f32(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  dot_rows<F32Weights, kDotRows>(w, w_stride_bytes, x, n, out);
}
void dot4_f16_f32(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  dot_rows<F16Weights, kDotRows>(w, w_stride_bytes, x, n, out);
}
void dot4_bf16_f32(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  dot_rows<Bf16Weights, kDotRows>(w, w_stride_bytes, x, n, out);
}

}  // namespace mynah::kernels::avx2
