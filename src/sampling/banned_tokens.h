// Hard bans: the logit of a banned token becomes -inf, so neither sampling nor greedy can pick it.
// Sources: banned ids, banned sequences, no-repeat n-grams, and end-of-generation / stop ids before
// min_new_tokens (always, for end-of-generation, with ignore_eos).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sampling/sampler_stage.h"
#include "sampling/sampling_params.h"

namespace mynah::sampling {

class BannedTokensStage final : public SamplerStage {
 public:
  // Builds the id tables once per sequence.
  explicit BannedTokensStage(const SamplingParams& params);
  // Whether `params` ban anything at all; the chain leaves the stage out otherwise.
  static bool needed(const SamplingParams& params);
  std::string_view name() const override { return "banned_tokens"; }
  // Requires a dense list. Ids outside the vocabulary are ignored.
  void apply(CandidateList& candidates, const StageContext& context) override;

 private:
  std::vector<int32_t> always_;                  // ascending, unique: banned ids, 1-token sequences, EOS if ignore_eos
  std::vector<int32_t> before_min_tokens_;       // ascending, unique: EOS and stop ids
  std::vector<std::vector<int32_t>> sequences_;  // banned sequences of 2+ tokens
  size_t min_new_tokens_ = 0;
  std::optional<size_t> ngram_size_;
};

}  // namespace mynah::sampling
