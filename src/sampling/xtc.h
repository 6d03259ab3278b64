// XTC, "Exclude Top Choices" (text-generation-webui PR #6335, 2024): with some probability per step,
// removes every token at or above a probability threshold except the least likely of them, pushing
// the draw off the obvious continuations while keeping one viable top choice.
#pragma once

#include "sampling/sampler_stage.h"

namespace mynah::sampling {

class XtcStage final : public SamplerStage {
 public:
  // probability in [0, 1]: chance that XTC applies on a step; threshold in [0, 1].
  XtcStage(float probability, float threshold) : probability_(probability), threshold_(threshold) {}
  std::string_view name() const override { return "xtc"; }
  // Draws one uniform from the sequence's Rng on every call, applied or not, so a seed's stream does
  // not depend on the distribution. Does nothing unless at least two candidates qualify.
  void apply(CandidateList& candidates, const StageContext& context) override;

 private:
  float probability_;
  float threshold_;
};

}  // namespace mynah::sampling
