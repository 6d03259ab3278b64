// select_top_n: one pass with a bounded heap whose worst entry is the admission threshold; blocks of
// 16 values below the threshold are skipped with one vector compare, so the scan costs about as much
// as a max reduction when n is small.
#include "sampling/top_n.h"

#include <algorithm>
#include <cstring>

namespace mynah::sampling {
namespace {

typedef float F32x4 __attribute__((vector_size(16)));
typedef int32_t I32x4 __attribute__((vector_size(16)));

// Above this n the heap's log n per admission loses to a linear-time nth_element.
constexpr size_t kMaxHeapN = 1024;

// Whether any of x[0, 16) exceeds the threshold: four vector compares and one 128-bit test.
bool any_above(const float* x, float threshold) {
  F32x4 v[4];
  std::memcpy(v, x, sizeof v);
  const F32x4 t = F32x4{threshold, threshold, threshold, threshold};
  const I32x4 hit = (v[0] > t) | (v[1] > t) | (v[2] > t) | (v[3] > t);
  uint64_t halves[2];
  std::memcpy(halves, &hit, sizeof halves);
  return (halves[0] | halves[1]) != 0;
}

void select_by_nth_element(std::span<const float> row, size_t n, std::vector<RankedValue>& out) {
  out.resize(row.size());
  for (size_t i = 0; i < row.size(); ++i) out[i] = {row[i], static_cast<int32_t>(i)};
  std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n - 1), out.end(), ranks_before);
  out.resize(n);
  std::sort(out.begin(), out.end(), ranks_before);
}

}  // namespace

void select_top_n(std::span<const float> row, size_t n, std::vector<RankedValue>& out) {
  out.clear();
  n = std::min(n, row.size());
  if (n == 0) return;
  if (n > kMaxHeapN) return select_by_nth_element(row, n, out);
  // Heap ordered by ranks_before keeps its worst-ranked entry on top. Positions only grow during the
  // scan, so a later value ranks before the top exactly when it is strictly larger.
  for (size_t i = 0; i < n; ++i) out.push_back({row[i], static_cast<int32_t>(i)});
  std::make_heap(out.begin(), out.end(), ranks_before);
  float threshold = out.front().value;
  auto admit = [&](size_t i) {
    std::pop_heap(out.begin(), out.end(), ranks_before);
    out.back() = {row[i], static_cast<int32_t>(i)};
    std::push_heap(out.begin(), out.end(), ranks_before);
    threshold = out.front().value;
  };
  const size_t size = row.size();
  const size_t n_main = n + (size - n) / 16 * 16;
  for (size_t b = n; b < n_main; b += 16) {
    if (!any_above(row.data() + b, threshold)) continue;
    for (size_t i = b; i < b + 16; ++i) {
      if (row[i] > threshold) admit(i);
    }
  }
  for (size_t i = n_main; i < size; ++i) {
    if (row[i] > threshold) admit(i);
  }
  std::sort(out.begin(), out.end(), ranks_before);
}

}  // namespace mynah::sampling
