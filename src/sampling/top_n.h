// Partial selection of the n best entries of a row without sorting the row: a bounded heap scan for
// small n (the common top-k of 20-500), nth_element beyond. Shared by top-k and top_logprobs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mynah::sampling {

struct RankedValue {
  float value;
  int32_t pos;  // position in the row
};

// The rank order every stage uses: larger value first, then lower position (= lower token id, since
// candidate lists stay in id order). A total order, so the selected set never depends on the algorithm.
inline bool ranks_before(const RankedValue& a, const RankedValue& b) {
  return a.value != b.value ? a.value > b.value : a.pos < b.pos;
}

// Writes the min(n, row.size()) best entries of `row` to `out` in rank order. `out` is reused scratch.
void select_top_n(std::span<const float> row, size_t n, std::vector<RankedValue>& out);

}  // namespace mynah::sampling
