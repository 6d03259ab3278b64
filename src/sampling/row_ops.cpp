// Row operations on GCC/Clang generic vectors (4 floats: SSE2 on x86-64), so they are vectorised at the
// baseline ISA without -ffast-math, whose finite-math assumption would break -inf. exp, the one costly
// operation, also has an AVX2 build picked at first use (exp_sum.h).
#include "sampling/row_ops.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "sampling/exp_sum.h"
#include "util/status.h"

namespace mynah::sampling {
namespace {

constexpr size_t kBlock = kExpBlock;  // float lanes per double accumulation, as in exp_sum.h
constexpr float kInf = INFINITY;

F32x4 splat(float x) { return F32x4{x, x, x, x}; }
F32x4 load4(const float* p) {
  F32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
float lane_sum(F32x4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }
// Whether any lane of a comparison result is set: two 64-bit halves, no per-lane extraction.
bool any_lane(I32x4 mask) {
  uint64_t halves[2];
  std::memcpy(halves, &mask, sizeof halves);
  return (halves[0] | halves[1]) != 0;
}
float lane_max(F32x4 v) {
  const float a = v[0] > v[1] ? v[0] : v[1];
  const float b = v[2] > v[3] ? v[2] : v[3];
  return a > b ? a : b;
}

// The widest exp_sum this CPU runs; both produce identical results (exp_sum.h).
using ExpSumFn = double (*)(const float*, float, float*, size_t);
ExpSumFn select_exp_sum() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return avx2::exp_sum;
  return exp_sum_impl<F32x4, I32x4, true>;
}

double exp_sum(const float* row, float shift, float* out, size_t n) {
  static const ExpSumFn fn = select_exp_sum();
  return fn(row, shift, out, n);
}

}  // namespace

float max_value(std::span<const float> row) {
  const float* x = row.data();
  const size_t n = row.size(), n_main = n - n % 8;
  F32x4 m0 = splat(-kInf), m1 = splat(-kInf);
  for (size_t i = 0; i < n_main; i += 8) {
    const F32x4 a = load4(x + i), b = load4(x + i + 4);
    m0 = a > m0 ? a : m0;
    m1 = b > m1 ? b : m1;
  }
  float m = lane_max(m1 > m0 ? m1 : m0);
  for (size_t i = n_main; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

size_t argmax_position(std::span<const float> row) {
  if (row.empty()) return 0;
  const float m = max_value(row);
  const float* x = row.data();
  const size_t n = row.size(), n_main = n - n % 8;
  const F32x4 mv = splat(m);
  size_t i = 0;
  // Skip blocks of 8 that do not hold the maximum, then find it within the block.
  for (; i < n_main; i += 8) {
    if (any_lane((load4(x + i) == mv) | (load4(x + i + 4) == mv))) break;
  }
  for (; i < n; ++i) {
    if (x[i] == m) return i;
  }
  return 0;  // only when every value is NaN
}

double exp_shifted(std::span<const float> row, float shift, std::span<float> out) {
  return exp_sum(row.data(), shift, out.data(), row.size());
}

double sum(std::span<const float> row) {
  const float* x = row.data();
  const size_t n = row.size(), n_main = n - n % kBlock;
  double total = 0.0;
  for (size_t b = 0; b < n_main; b += kBlock) {
    F32x4 acc0 = splat(0.0f), acc1 = splat(0.0f);
    for (size_t i = b; i < b + kBlock; i += 8) {
      acc0 += load4(x + i);
      acc1 += load4(x + i + 4);
    }
    total += lane_sum(acc0 + acc1);
  }
  for (size_t i = n_main; i < n; ++i) total += x[i];
  return total;
}

double sum_at_least(std::span<const float> row, float floor) {
  const float* x = row.data();
  const size_t n = row.size(), n_main = n - n % kBlock;
  const F32x4 f = splat(floor), zero = splat(0.0f);
  double total = 0.0;
  for (size_t b = 0; b < n_main; b += kBlock) {
    F32x4 acc0 = zero, acc1 = zero;
    for (size_t i = b; i < b + kBlock; i += 8) {
      const F32x4 a = load4(x + i), c = load4(x + i + 4);
      acc0 += a >= f ? a : zero;
      acc1 += c >= f ? c : zero;
    }
    total += lane_sum(acc0 + acc1);
  }
  for (size_t i = n_main; i < n; ++i) total += x[i] >= floor ? x[i] : 0.0f;
  return total;
}

size_t count_at_least(std::span<const float> row, float floor) {
  const float* x = row.data();
  const size_t n = row.size(), n_main = n - n % 8;
  const F32x4 f = splat(floor);
  MYNAH_DCHECK(n / 4 < 0x7fffffff);  // each int32 lane counts up to n / 4
  I32x4 acc = I32x4{};
  for (size_t b = 0; b < n_main; b += 8) acc -= (load4(x + b) >= f) + (load4(x + b + 4) >= f);  // true is -1
  size_t count = static_cast<size_t>(acc[0]) + static_cast<size_t>(acc[1]) + static_cast<size_t>(acc[2]) +
                 static_cast<size_t>(acc[3]);
  for (size_t i = n_main; i < n; ++i) count += x[i] >= floor ? 1 : 0;
  return count;
}

void fill_below(std::span<const float> key, float floor, std::span<float> target, float fill) {
  const float* k = key.data();
  float* t = target.data();
  const size_t n = key.size(), n_main = n - n % 4;
  const F32x4 f = splat(floor), v = splat(fill);
  for (size_t i = 0; i < n_main; i += 4) {
    F32x4 out;
    std::memcpy(&out, t + i, sizeof out);
    out = load4(k + i) < f ? v : out;
    std::memcpy(t + i, &out, sizeof out);
  }
  for (size_t i = n_main; i < n; ++i) t[i] = k[i] < floor ? fill : t[i];
}

size_t positions_at_least(std::span<const float> row, float floor, std::span<int32_t> out) {
  const float* x = row.data();
  int32_t* o = out.data();
  const size_t n = row.size(), n_main = n - n % 16;
  const F32x4 f = splat(floor);
  size_t count = 0;
  for (size_t b = 0; b < n_main; b += 16) {
    const I32x4 hit =
        (load4(x + b) >= f) | (load4(x + b + 4) >= f) | (load4(x + b + 8) >= f) | (load4(x + b + 12) >= f);
    if (!any_lane(hit)) continue;
    for (size_t i = b; i < b + 16; ++i) {
      o[count] = static_cast<int32_t>(i);  // always written, kept only if it qualifies
      count += x[i] >= floor ? 1 : 0;
    }
  }
  for (size_t i = n_main; i < n; ++i) {
    o[count] = static_cast<int32_t>(i);
    count += x[i] >= floor ? 1 : 0;
  }
  return count;
}

float log_sum_exp(std::span<const float> row) {
  const float m = max_value(row);
  if (m == -kInf) return -kInf;
  return m + static_cast<float>(std::log(exp_sum(row.data(), m, nullptr, row.size())));
}

}  // namespace mynah::sampling
