// LogitBiasStage: a sparse table built once per sequence, so a step costs one add per biased id.
#include "sampling/logit_bias.h"

#include <algorithm>

#include "util/status.h"

namespace mynah::sampling {

LogitBiasStage::LogitBiasStage(std::span<const TokenBias> biases) {
  std::vector<TokenBias> sorted(biases.begin(), biases.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const TokenBias& a, const TokenBias& b) { return a.id < b.id; });
  for (const TokenBias& b : sorted) {
    if (!biases_.empty() && biases_.back().id == b.id) {
      biases_.back().bias += b.bias;
    } else {
      biases_.push_back(b);
    }
  }
}

void LogitBiasStage::apply(CandidateList& candidates, const StageContext& context) {
  MYNAH_DCHECK(candidates.dense());
  const std::span<float> logits = candidates.mutable_logits();
  for (const TokenBias& b : biases_) {
    if (b.id >= 0 && static_cast<size_t>(b.id) < logits.size()) logits[static_cast<size_t>(b.id)] += b.bias;
  }
}

}  // namespace mynah::sampling
