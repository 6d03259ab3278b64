// PenaltyStage. Counts are incremental: one generated token per step is O(1), and applying the
// penalties is O(distinct tokens seen), never O(n_vocab).
#include "sampling/penalties.h"

#include "util/status.h"

namespace mynah::sampling {
namespace {

constexpr uint32_t kSeenBit = 0x80000000u;
constexpr uint32_t kCountMask = ~kSeenBit;

}  // namespace

PenaltyStage::PenaltyStage(const SamplingParams& params)
    : presence_(params.presence_penalty),
      frequency_(params.frequency_penalty),
      repetition_(params.repetition_penalty),
      window_(params.penalty_window),
      count_prompt_(params.repetition_penalty != 1.0f || params.penalty_window == PenaltyWindow::kPromptAndGenerated) {}

bool PenaltyStage::needed(const SamplingParams& params) {
  return params.presence_penalty != 0.0f || params.frequency_penalty != 0.0f || params.repetition_penalty != 1.0f;
}

void PenaltyStage::count(int32_t id, bool in_window) {
  if (id < 0 || static_cast<size_t>(id) >= counts_.size()) return;
  uint32_t& c = counts_[static_cast<size_t>(id)];
  if (c == 0) seen_ids_.push_back(id);
  c = (c | kSeenBit) + (in_window ? 1u : 0u);
}

void PenaltyStage::recount(const TokenHistory& history, size_t n_vocab) {
  if (counts_.size() != n_vocab) {
    counts_.assign(n_vocab, 0u);
  } else {
    for (int32_t id : seen_ids_) counts_[static_cast<size_t>(id)] = 0u;
  }
  seen_ids_.clear();
  if (count_prompt_) {
    const bool in_window = window_ == PenaltyWindow::kPromptAndGenerated;
    for (int32_t id : history.prompt) count(id, in_window);
  }
  n_prompt_ = history.prompt.size();
  last_prompt_ = history.prompt.empty() ? -1 : history.prompt.back();
  n_generated_ = 0;
}

void PenaltyStage::sync(const TokenHistory& history, size_t n_vocab) {
  const auto& gen = history.generated;
  const bool grew_only = counts_.size() == n_vocab && history.prompt.size() == n_prompt_ &&
                         (n_prompt_ == 0 || history.prompt.back() == last_prompt_) && gen.size() >= n_generated_ &&
                         (n_generated_ == 0 || gen[n_generated_ - 1] == last_generated_);
  if (!grew_only) recount(history, n_vocab);
  for (size_t i = n_generated_; i < gen.size(); ++i) count(gen[i], true);
  n_generated_ = gen.size();
  last_generated_ = gen.empty() ? -1 : gen.back();
}

void PenaltyStage::apply(CandidateList& candidates, const StageContext& context) {
  MYNAH_DCHECK(candidates.dense());
  const std::span<float> logits = candidates.mutable_logits();
  sync(context.history, logits.size());
  for (int32_t id : seen_ids_) {
    const uint32_t c = counts_[static_cast<size_t>(id)];
    float& logit = logits[static_cast<size_t>(id)];
    // Dividing a positive logit and multiplying a negative one both lower the token's probability
    // for r > 1; plain division would raise a negative logit towards 0.
    if (repetition_ != 1.0f) logit = logit > 0.0f ? logit / repetition_ : logit * repetition_;
    const uint32_t n = c & kCountMask;
    if (n > 0) logit -= frequency_ * static_cast<float>(n) + presence_;
  }
}

}  // namespace mynah::sampling
