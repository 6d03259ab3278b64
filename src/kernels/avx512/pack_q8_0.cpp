// fp32 or Q8_0 activation rows -> PackedQ8Group rows for the AVX-512 Q4_0/Q8_0 kernels. Quants come
// from this ISA's quantize_row_q8_0 (bit-exact with the reference), so every path sees the same
// integers; the dots of the table are the one-token GEMM over a repacked row.
#include "kernels/avx512/simd.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/avx512/gemm_q0.h"
#include "kernels/avx512/kernels.h"

namespace mynah::kernels::avx512 {
namespace {

using tensor::BlockQ8_0;

// One group from m <= 16 blocks: dwords of each block to its lane (lane_block order), the bias from
// vpdpbusd of the offset bytes with the quants, missing blocks zero.
void repack_group(const BlockQ8_0* x, int m, QuantOffset offset, PackedQ8Group& o) {
  const __m128i offset_bytes = _mm_set1_epi8(static_cast<char>(offset));
  for (int lane = 0; lane < kGroupBlocks; ++lane) {
    const int b = lane_block(lane);
    if (b >= m) {
      for (int j = 0; j < 4; ++j) {
        std::memset(&o.lo[j][4 * lane], 0, 4);
        std::memset(&o.hi[j][4 * lane], 0, 4);
      }
      o.bias[lane] = 0;
      o.d[lane] = 0.0f;
      continue;
    }
    for (int j = 0; j < 4; ++j) {
      std::memcpy(&o.lo[j][4 * lane], x[b].qs + 4 * j, 4);
      std::memcpy(&o.hi[j][4 * lane], x[b].qs + 16 + 4 * j, 4);
    }
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs + 16));
    const __m128i sum = _mm_dpbusd_epi32(_mm_dpbusd_epi32(_mm_setzero_si128(), offset_bytes, lo), offset_bytes, hi);
    o.bias[lane] = -(_mm_extract_epi32(sum, 0) + _mm_extract_epi32(sum, 1) + _mm_extract_epi32(sum, 2) +
                     _mm_extract_epi32(sum, 3));
    o.d[lane] = _mm_cvtss_f32(_mm_cvtph_ps(_mm_set1_epi16(static_cast<short>(x[b].d))));
  }
}

void pack(const float* x, void* packed, int64_t n, QuantOffset offset) {
  auto* out = static_cast<PackedQ8Group*>(packed);
  const int64_t n_blocks = n / tensor::kQk8_0;
  BlockQ8_0 q[kGroupBlocks];
  for (int64_t g = 0; g * kGroupBlocks < n_blocks; ++g) {
    const int m = static_cast<int>(std::min<int64_t>(kGroupBlocks, n_blocks - g * kGroupBlocks));
    quantize_row_q8_0(x + g * kGroupBlocks * tensor::kQk8_0, q, m * tensor::kQk8_0);
    repack_group(q, m, offset, out[g]);
  }
}

// A dot over BlockQ8_0 activations: repack the row into a grow-only buffer of this thread, then
// the GEMM tile with one token (so dot, dot4 and matmul agree bit for bit).
const PackedQ8Group* repacked(const void* x, int64_t n, QuantOffset offset) {
  thread_local std::vector<PackedQ8Group> buffer;
  const int64_t n_blocks = n / tensor::kQk8_0;
  buffer.resize(static_cast<size_t>((n_blocks + kGroupBlocks - 1) / kGroupBlocks));
  repack_q8_0(static_cast<const BlockQ8_0*>(x), n_blocks, offset, buffer.data());
  return buffer.data();
}

}  // namespace

void repack_q8_0(const BlockQ8_0* x, int64_t n_blocks, QuantOffset offset, PackedQ8Group* out) {
  for (int64_t g = 0; g * kGroupBlocks < n_blocks; ++g) {
    const int m = static_cast<int>(std::min<int64_t>(kGroupBlocks, n_blocks - g * kGroupBlocks));
    repack_group(x + g * kGroupBlocks, m, offset, out[g]);
  }
}

size_t packed_q8_0_bytes(int64_t n) {
  return static_cast<size_t>((n / tensor::kQk8_0 + kGroupBlocks - 1) / kGroupBlocks) * sizeof(PackedQ8Group);
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
  const PackedQ8Group* packed = repacked(x, n, QuantOffset::kQ4_0);
  static_assert(kDotRows <= kGemmRows);
  gemm_q4_0_q8_0(w, w_stride_bytes, kDotRows, packed, 0, 1, n, out, 1);
}

void dot4_q8_0_q8_0(const void* w, size_t w_stride_bytes, const void* x, int64_t n, float* out) {
  const PackedQ8Group* packed = repacked(x, n, QuantOffset::kQ8_0);
  static_assert(kDotRows <= kGemmRows);
  gemm_q8_0_q8_0(w, w_stride_bytes, kDotRows, packed, 0, 1, n, out, 1);
}

}  // namespace mynah::kernels::avx512
