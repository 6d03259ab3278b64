// Mirostat 2.0 (Basu et al. 2020, arXiv:2007.14966, Algorithm 2): feedback control of the surprise
// (-log2 p) of the drawn tokens towards a target tau. Per-sequence state: mu, the surprise ceiling.
#pragma once

#include "sampling/sampler_stage.h"

namespace mynah::sampling {

class MirostatStage final : public SamplerStage {
 public:
  // target: tau in bits per token; learning_rate: eta. mu starts at 2 * tau, as in the paper.
  MirostatStage(float target, float learning_rate)
      : target_(target), learning_rate_(learning_rate), mu_(2.0f * target) {}
  std::string_view name() const override { return "mirostat"; }
  // Keeps the candidates with surprise -log2 p <= mu, and always the most likely one.
  void apply(CandidateList& candidates, const StageContext& context) override;
  // mu -= eta * (surprise of the drawn token - tau).
  void accept(const CandidateList& candidates, size_t chosen_pos) override;
  float mu() const { return mu_; }

 private:
  float target_;
  float learning_rate_;
  float mu_;
  double mass_in_ = 0.0;  // weight sum of the distribution the stage received, before truncating
};

}  // namespace mynah::sampling
