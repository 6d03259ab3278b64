// Repetition penalties over the sequence's history: the multiplicative CTRL rule over prompt and
// generation, then the additive presence/frequency penalties over a chosen window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sampling/sampler_stage.h"
#include "sampling/sampling_params.h"

namespace mynah::sampling {

class PenaltyStage final : public SamplerStage {
 public:
  explicit PenaltyStage(const SamplingParams& params);
  // Whether any penalty is on; the chain leaves the stage out otherwise.
  static bool needed(const SamplingParams& params);
  std::string_view name() const override { return "penalties"; }
  // Requires a dense list. For each token seen so far:
  //   repetition (seen in prompt or generated): logit > 0 ? logit / r : logit * r  (CTRL, arXiv:1909.05858)
  //   then logit -= frequency * count + presence * (count > 0), counting inside the window.
  void apply(CandidateList& candidates, const StageContext& context) override;

 private:
  // Brings the counts up to `history`: appends the newly generated tokens when the history only
  // grew since the last call (the normal per-step case), recounts everything otherwise.
  void sync(const TokenHistory& history, size_t n_vocab);
  void recount(const TokenHistory& history, size_t n_vocab);
  void count(int32_t id, bool in_window);

  float presence_;
  float frequency_;
  float repetition_;
  PenaltyWindow window_;
  bool count_prompt_;  // the prompt matters to the window or to the repetition penalty

  // [n_vocab] per token: occurrences inside the window (low 31 bits) and "seen in prompt or
  // generated" (top bit). Grows to the vocabulary once; only seen_ids_ entries are ever nonzero.
  std::vector<uint32_t> counts_;
  std::vector<int32_t> seen_ids_;  // ids with a nonzero counts_ entry, first-seen order
  size_t n_prompt_ = 0;            // history already counted
  size_t n_generated_ = 0;
  int32_t last_prompt_ = -1;  // spot checks that the history is the one counted
  int32_t last_generated_ = -1;
};

}  // namespace mynah::sampling
