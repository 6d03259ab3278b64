// XtcStage: one pass over the normalised candidates to find the top choices, then removal in place.
#include "sampling/xtc.h"

#include <algorithm>
#include <limits>

#include "sampling/row_ops.h"

namespace mynah::sampling {

void XtcStage::apply(CandidateList& candidates, const StageContext& context) {
  if (context.rng.next_double() >= probability_ || candidates.size() < 2) return;
  candidates.compute_weights();
  // p >= threshold  <=>  weight >= threshold * mass (weights are unnormalised).
  const double cutoff = static_cast<double>(threshold_) * candidates.mass();
  const std::span<const float> w = candidates.weights();
  const std::span<const float> z = candidates.logits();
  const float floor = std::max(static_cast<float>(cutoff), std::numeric_limits<float>::min());
  const std::span<int32_t> scratch = candidates.scratch_positions();
  const std::span<const int32_t> top = scratch.first(positions_at_least(w, floor, scratch));
  if (top.size() < 2) return;
  // Positions ascend, so on equal logits the later one ranks lower: "<=" finds the lowest-ranked.
  size_t least_likely = static_cast<size_t>(top[0]);
  for (int32_t pos : top) {
    if (z[static_cast<size_t>(pos)] <= z[least_likely]) least_likely = static_cast<size_t>(pos);
  }
  for (int32_t pos : top) {
    if (static_cast<size_t>(pos) != least_likely) candidates.remove(static_cast<size_t>(pos));
  }
}

}  // namespace mynah::sampling
