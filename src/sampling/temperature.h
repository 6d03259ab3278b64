// Temperature scaling: logits / T for T > 0 (T < 1 sharpens, T > 1 flattens). T = 0 never reaches
// this stage: the chain treats it as greedy argmax.
#pragma once

#include "sampling/sampler_stage.h"

namespace mynah::sampling {

class TemperatureStage final : public SamplerStage {
 public:
  explicit TemperatureStage(float temperature) : temperature_(temperature) {}
  std::string_view name() const override { return "temperature"; }
  void apply(CandidateList& candidates, const StageContext& context) override;

 private:
  float temperature_;
};

}  // namespace mynah::sampling
