// TopKStage, TopPStage and MinPStage. None sorts the vocabulary: top-k is a bounded-heap selection,
// top-p a mass-weighted quickselect over the candidates above a cheap floor, min-p one comparison.
#include "sampling/truncation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sampling/row_ops.h"

namespace mynah::sampling {
namespace {

using Entry = TopPStage::Entry;

// Weight floors (relative to the most likely token) tried in turn: the first whose candidates
// already hold the target mass bounds the gather, so a peaked distribution gathers a handful of
// entries and only a flat one gathers the whole list.
constexpr float kGatherFloors[] = {0x1p-4f, 0x1p-10f, 0x1p-20f};
constexpr size_t kSortBelow = 32;  // quickselect hands ranges this small to std::sort

bool entry_before(const Entry& a, const Entry& b) { return a.logit != b.logit ? a.logit > b.logit : a.pos < b.pos; }

// Moves the median (by rank) of e[lo], e[mid], e[last] to e[last], the pivot slot.
void median_of_three_to_last(std::vector<Entry>& e, size_t lo, size_t last) {
  const size_t mid = lo + (last - lo) / 2;
  if (entry_before(e[mid], e[lo])) std::swap(e[mid], e[lo]);
  if (entry_before(e[last], e[lo])) std::swap(e[last], e[lo]);
  if (entry_before(e[mid], e[last])) std::swap(e[mid], e[last]);
}

// The entry at which the running mass, taken in rank order, first reaches `target`: the last one
// top-p keeps. Quickselect that recurses into the side holding the cut, so expected O(n).
Entry find_cut(std::vector<Entry>& e, double target) {
  size_t lo = 0, hi = e.size();
  double before = 0.0;  // mass of the entries known to rank before e[lo, hi)
  while (hi - lo > kSortBelow) {
    median_of_three_to_last(e, lo, hi - 1);
    const Entry pivot = e[hi - 1];
    const auto split =
        std::partition(e.begin() + static_cast<std::ptrdiff_t>(lo), e.begin() + static_cast<std::ptrdiff_t>(hi - 1),
                       [&](const Entry& x) { return entry_before(x, pivot); });
    const size_t m = static_cast<size_t>(split - e.begin());
    std::swap(e[m], e[hi - 1]);
    double better = 0.0;
    for (size_t i = lo; i < m; ++i) better += e[i].weight;
    if (before + better >= target) {
      hi = m;  // the cut ranks before the pivot
      continue;
    }
    before += better;
    if (before + pivot.weight >= target) return pivot;
    before += pivot.weight;
    lo = m + 1;
  }
  std::sort(e.begin() + static_cast<std::ptrdiff_t>(lo), e.begin() + static_cast<std::ptrdiff_t>(hi), entry_before);
  for (size_t i = lo; i < hi; ++i) {
    before += e[i].weight;
    if (before >= target) return e[i];
  }
  // Rounding left the running sum a hair short: keep everything up to the next-ranked entry.
  return hi < e.size() ? e[hi] : e.back();
}

}  // namespace

void TopKStage::apply(CandidateList& candidates, const StageContext& context) {
  if (k_ <= 0 || static_cast<size_t>(k_) >= candidates.size()) return;
  select_top_n(candidates.logits(), static_cast<size_t>(k_), ranked_);
  positions_.clear();
  for (const RankedValue& r : ranked_) {
    if (r.value > -INFINITY) positions_.push_back(r.pos);  // removed candidates stay removed
  }
  std::sort(positions_.begin(), positions_.end());
  candidates.keep_positions(positions_);
}

void TopPStage::apply(CandidateList& candidates, const StageContext& context) {
  if (p_ >= 1.0f || candidates.size() <= 1) return;
  candidates.compute_weights();
  const double target = static_cast<double>(p_) * candidates.mass();
  const std::span<const float> w = candidates.weights();
  const std::span<const float> z = candidates.logits();
  float floor = std::numeric_limits<float>::min();  // every candidate with a nonzero weight
  for (float f : kGatherFloors) {
    if (sum_at_least(w, f) >= target) {
      floor = f;
      break;
    }
  }
  const std::span<int32_t> positions = candidates.scratch_positions();
  const size_t n_gathered = positions_at_least(w, floor, positions);
  scratch_.clear();
  for (size_t i = 0; i < n_gathered; ++i) {
    const auto pos = static_cast<size_t>(positions[i]);
    scratch_.push_back({z[pos], positions[i], w[pos]});
  }
  if (scratch_.empty()) return;  // no candidate with a nonzero weight: nothing to rank
  // The gathered entries are a superset of the kept head, so the survivors come from them, not from
  // another pass over the list.
  const Entry cut = find_cut(scratch_, target);
  size_t n_kept = 0;
  for (const Entry& e : scratch_) {
    if (!entry_before(cut, e)) positions[n_kept++] = e.pos;
  }
  std::sort(positions.begin(), positions.begin() + static_cast<std::ptrdiff_t>(n_kept));
  candidates.keep_positions(positions.first(n_kept));
}

void MinPStage::apply(CandidateList& candidates, const StageContext& context) {
  if (min_p_ <= 0.0f || candidates.size() <= 1) return;
  // p / p_max = exp(logit - max), so the test is logit >= max + log(min_p), with no normalisation.
  candidates.keep_logits_at_least(candidates.max_logit() + std::log(std::min(min_p_, 1.0f)));
}

}  // namespace mynah::sampling
