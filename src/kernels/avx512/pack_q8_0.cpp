// fp32 or Q8_0 activation rows -> PackedQ8Quad rows for the AVX-512 Q4_0/Q8_0 kernels. Quants come
// from this ISA's quantize_row_q8_0 (bit-exact with the reference), so every path sees the same
// integers; the dots of the table are the one-token GEMM over a repacked row.
#include "kernels/avx512/simd.h"

#include <algorithm>
#include <vector>

#include "kernels/avx512/gemm_q0.h"
#include "kernels/avx512/kernels.h"

namespace mynah::kernels::avx512 {
namespace {

using tensor::BlockQ8_0;

void repack_quad(const BlockQ8_0* x, int n, QuantOffset offset, PackedQ8Quad& o) {
  const __m128i offset_bytes = _mm_set1_epi8(static_cast<char>(offset));
  for (int k = 0; k < kQuadBlocks; ++k) {
    if (k < n) {
      const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[k].qs));
      const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[k].qs + 16));
      _mm_store_si128(reinterpret_cast<__m128i*>(o.lo + 16 * k), lo);
      _mm_store_si128(reinterpret_cast<__m128i*>(o.hi + 16 * k), hi);
      const __m128i sum = _mm_dpbusd_epi32(_mm_dpbusd_epi32(_mm_setzero_si128(), offset_bytes, lo), offset_bytes, hi);
      _mm_store_si128(reinterpret_cast<__m128i*>(o.bias + 4 * k), _mm_sub_epi32(_mm_setzero_si128(), sum));
      _mm_store_ps(o.d + 4 * k, _mm_broadcastss_ps(_mm256_castps256_ps128(_mm256_cvtph_ps(_mm_set1_epi16(static_cast<short>(x[k].d))))));
    } else {
      _mm_store_si128(reinterpret_cast<__m128i*>(o.lo + 16 * k), _mm_setzero_si128());
      _mm_store_si128(reinterpret_cast<__m128i*>(o.hi + 16 * k), _mm_setzero_si128());
      _mm_store_si128(reinterpret_cast<__m128i*>(o.bias + 4 * k), _mm_setzero_si128());
      _mm_store_ps(o.d + 4 * k, _mm_setzero_ps());
    }
  }
}

void pack(const float* x, void* packed, int64_t n, QuantOffset offset) {
  auto* out = static_cast<PackedQ8Quad*>(packed);
  const int64_t n_blocks = n / tensor::kQk8_0;
  BlockQ8_0 q[kQuadBlocks];
  for (int64_t g = 0; g * kQuadBlocks < n_blocks; ++g) {
    const int m = static_cast<int>(std::min<int64_t>(kQuadBlocks, n_blocks - g * kQuadBlocks));
    quantize_row_q8_0(x + g * kQuadBlocks * tensor::kQk8_0, q, m * tensor::kQk8_0);
    repack_quad(q, m, offset, out[g]);
  }
}

// A dot over BlockQ8_0 activations: repack the row into a grow-only buffer of this thread, then
// the GEMM tile with one token (so dot, dot4 and matmul agree bit for bit).
const PackedQ8Quad* repacked(const void* x, int64_t n, QuantOffset offset) {
  thread_local std::vector<PackedQ8Quad> buffer;
  const int64_t n_blocks = n / tensor::kQk8_0;
  buffer.resize(static_cast<size_t>((n_blocks + kQuadBlocks - 1) / kQuadBlocks));
  repack_q8_0(static_cast<const BlockQ8_0*>(x), n_blocks, offset, buffer.data());
  return buffer.data();
}

}  // namespace

void repack_q8_0(const BlockQ8_0* x, int64_t n_blocks, QuantOffset offset, PackedQ8Quad* out) {
  for (int64_t g = 0; g * kQuadBlocks < n_blocks; ++g) {
    const int m = static_cast<int>(std::min<int64_t>(kQuadBlocks, n_blocks - g * kQuadBlocks));
    repack_quad(x + g * kQuadBlocks, m, offset, out[g]);
  }
}

size_t packed_q8_0_bytes(int64_t n) {
  return static_cast<size_t>((n / tensor::kQk8_0 + kQuadBlocks - 1) / kQuadBlocks) * sizeof(PackedQ8Quad);
}

void pack_q8_0_for_q4_0(const float* x, void* packed, int64_t n) { pack(x, packed, n, QuantOffset::kQ4_0); }
void pack_q8_0_for_q8_0(const float* x, void* packed, int64_t n) { pack(x, packed, n, QuantOffset::kQ8_0); }

float dot_q4_0_q8_0(const void* w, const void* x, int64_t n) {
  float out = 0.0f;
  gemm_q4_0_q8_0(w, 0, 1, repacked(x, n, QuantOffset::kQ4_0), 0, 1, n, &out, 1);
  return out;
}

float dot_q8_0_q8_0(const void* w, const void* x, int64_t n) {
  float out = 0.0f;
  gemm_q8_0_q8_0(w, 0, 1, repacked(x, n, QuantOffset::kQ8_0), 0, 1, n, &out, 1);
  return out;
}

void dot4_q4_0_q8_0(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  const PackedQ8Quad* packed = repacked(x, n, QuantOffset::kQ4_0);
  for (int r = 0; r < kDotRows; r += kGemmRows) {
    gemm_q4_0_q8_0(static_cast<const uint8_t*>(w) + w_stride_bytes * r, w_stride_bytes, std::min(kGemmRows, kDotRows - r),
                   packed, 0, 1, n, out + r, 1);
  }
}

void dot4_q8_0_q8_0(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  const PackedQ8Quad* packed = repacked(x, n, QuantOffset::kQ8_0);
  for (int r = 0; r < kDotRows; r += kGemmRows) {
    gemm_q8_0_q8_0(static_cast<const uint8_t*>(w) + w_stride_bytes * r, w_stride_bytes, std::min(kGemmRows, kDotRows - r),
                   packed, 0, 1, n, out + r, 1);
  }
}

}  // namespace mynah::kernels::avx512
