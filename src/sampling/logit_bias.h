// Additive logit bias by token id, applied to the raw logits before anything else. The value ranges
// are the API layer's business; here a bias is any float (-inf bans the token).
#pragma once

#include <span>
#include <vector>

#include "sampling/sampler_stage.h"
#include "sampling/sampling_params.h"

namespace mynah::sampling {

class LogitBiasStage final : public SamplerStage {
 public:
  // Sorted by id once here; entries naming the same id add up.
  explicit LogitBiasStage(std::span<const TokenBias> biases);
  std::string_view name() const override { return "logit_bias"; }
  // Requires a dense list. Ids outside the vocabulary are ignored.
  void apply(CandidateList& candidates, const StageContext& context) override;

 private:
  std::vector<TokenBias> biases_;  // ascending id, unique
};

}  // namespace mynah::sampling
