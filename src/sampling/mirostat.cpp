// MirostatStage. The surprise fed back is measured under the distribution the stage received (before
// its own truncation), as in the authors' reference code (github.com/basusourya/mirostat); llama.cpp
// measures it after renormalising the truncated set, which reports a lower surprise.
#include "sampling/mirostat.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sampling/row_ops.h"

namespace mynah::sampling {

void MirostatStage::apply(CandidateList& candidates, const StageContext& context) {
  candidates.compute_weights();
  mass_in_ = candidates.mass();
  // -log2(w / mass) <= mu  <=>  w >= mass * 2^-mu.
  const double cutoff = mass_in_ * std::exp2(-static_cast<double>(mu_));
  // At least one survivor: when even the most likely token is too surprising, the cutoff drops to its
  // weight (tokens tied with it stay as well). The floor > 0 drops removed candidates.
  const float top = max_value(candidates.weights());
  const float floor = std::min(static_cast<float>(cutoff), top);
  candidates.keep_weights_at_least(std::max(floor, std::numeric_limits<float>::min()));
}

void MirostatStage::accept(const CandidateList& candidates, size_t chosen_pos) {
  // The weights survive compaction unchanged (same reference max), so w / mass_in_ is still the
  // chosen token's probability before truncation.
  const double p = static_cast<double>(candidates.weights()[chosen_pos]) / mass_in_;
  const double surprise = -std::log2(p);
  mu_ -= learning_rate_ * static_cast<float>(surprise - static_cast<double>(target_));
}

}  // namespace mynah::sampling
