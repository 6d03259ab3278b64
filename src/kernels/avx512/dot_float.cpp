// AVX-512 dots of f32/f16/bf16 weights with f32 activations: four 16-lane accumulators per row
// (64 elements a step); the tail is masked 16-element steps into the first accumulator.
#include "kernels/avx512/simd.h"
#include "kernels/avx512/kernels.h"

namespace mynah::kernels::avx512 {
namespace {

struct F32Weights {
  using T = float;
  static __m512 load(const float* p) { return _mm512_loadu_ps(p); }
  static __m512 load_masked(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
};
struct F16Weights {
  using T = uint16_t;
  static __m512 load(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static __m512 load_masked(const uint16_t* p, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
  }
};
struct Bf16Weights {
  using T = uint16_t;
  static __m512 widen(__m256i h) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static __m512 load(const uint16_t* p) {
    return widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static __m512 load_masked(const uint16_t* p, __mmask16 m) {
    return widen(_mm256_maskz_loadu_epi16(m, p));
  }
};

constexpr int kAcc = 4;
constexpr int kLanes = 16;

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
  __m512 acc[kRows][kAcc];
  for (int r = 0; r < kRows; ++r) {
    for (int a = 0; a < kAcc; ++a) acc[r][a] = _mm512_setzero_ps();
  }
  int64_t i = 0;
  for (; i + kAcc * kLanes <= n; i += kAcc * kLanes) {
    __m512 xv[kAcc];
    for (int a = 0; a < kAcc; ++a) xv[a] = _mm512_loadu_ps(x + i + a * kLanes);
    for (int r = 0; r < kRows; ++r) {
      for (int a = 0; a < kAcc; ++a) {
        acc[r][a] = _mm512_fmadd_ps(W::load(w[r] + i + a * kLanes), xv[a], acc[r][a]);
      }
    }
  }
  for (; i < n; i += kLanes) {
    const int64_t left = n - i;
    const __mmask16 m = left >= kLanes ? __mmask16{0xffff} : static_cast<__mmask16>((1u << left) - 1);
    const __m512 xv = _mm512_maskz_loadu_ps(m, x + i);
    for (int r = 0; r < kRows; ++r) acc[r][0] = _mm512_fmadd_ps(W::load_masked(w[r] + i, m), xv, acc[r][0]);
  }
  for (int r = 0; r < kRows; ++r) {
    out[r] = hsum(_mm512_add_ps(_mm512_add_ps(acc[r][0], acc[r][1]), _mm512_add_ps(acc[r][2], acc[r][3])));
  }
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

}  // namespace mynah::kernels::avx512
