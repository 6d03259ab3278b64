// SamplerChain: stage construction from params, and the per-token pipeline of sampler_chain.h.
#include "sampling/sampler_chain.h"

#include <cmath>

#include "sampling/banned_tokens.h"
#include "sampling/logit_bias.h"
#include "sampling/mirostat.h"
#include "sampling/penalties.h"
#include "sampling/row_ops.h"
#include "sampling/temperature.h"
#include "sampling/truncation.h"
#include "sampling/xtc.h"
#include "util/status.h"

namespace mynah::sampling {

int32_t argmax(std::span<const float> logits) { return static_cast<int32_t>(argmax_position(logits)); }

SamplerChain::SamplerChain(const SamplingParams& params) : greedy_(params.greedy()), rng_(params.seed) {
  MYNAH_DCHECK(params.temperature >= 0.0f);
  if (!params.logit_bias.empty()) logit_stages_.push_back(std::make_unique<LogitBiasStage>(params.logit_bias));
  if (BannedTokensStage::needed(params)) logit_stages_.push_back(std::make_unique<BannedTokensStage>(params));
  if (PenaltyStage::needed(params)) logit_stages_.push_back(std::make_unique<PenaltyStage>(params));
  if (greedy_) return;

  auto add = [this](std::unique_ptr<SamplerStage> stage) { sampling_stages_.push_back(std::move(stage)); };
  if (params.temperature != 1.0f) add(std::make_unique<TemperatureStage>(params.temperature));
  if (!params.mirostat) {
    MYNAH_DCHECK(!params.top_k || *params.top_k > 0);
    if (params.top_k && *params.top_k > 0) add(std::make_unique<TopKStage>(*params.top_k));
    if (params.top_p < 1.0f) add(std::make_unique<TopPStage>(params.top_p));
    if (params.min_p > 0.0f) add(std::make_unique<MinPStage>(params.min_p));
  }
  if (params.xtc) add(std::make_unique<XtcStage>(params.xtc->probability, params.xtc->threshold));
  if (params.mirostat) add(std::make_unique<MirostatStage>(params.mirostat->target, params.mirostat->learning_rate));
}

std::vector<std::string_view> SamplerChain::stage_names() const {
  std::vector<std::string_view> names;
  for (const auto& s : logit_stages_) names.push_back(s->name());
  for (const auto& s : sampling_stages_) names.push_back(s->name());
  return names;
}

std::optional<int32_t> SamplerChain::sample(std::span<const float> logits, const TokenHistory& history,
                                            std::span<const uint64_t> allowed) {
  if (logits.empty()) return std::nullopt;
  if (greedy_ && logit_stages_.empty() && allowed.empty()) {
    // Nothing edits the row: argmax in place, without copying it.
    const size_t pos = argmax_position(logits);
    if (!(logits[pos] > -INFINITY)) return std::nullopt;
    return static_cast<int32_t>(pos);
  }
  candidates_.assign(logits);
  const StageContext context{history, rng_};
  for (auto& stage : logit_stages_) stage->apply(candidates_, context);
  if (!allowed.empty()) candidates_.restrict_to(allowed);
  if (!candidates_.any_finite()) return std::nullopt;
  if (greedy_) return candidates_.id(candidates_.argmax());

  for (auto& stage : sampling_stages_) stage->apply(candidates_, context);
  candidates_.compute_weights();
  const size_t pos = candidates_.sample_position(rng_.next_double());
  for (auto& stage : sampling_stages_) stage->accept(candidates_, pos);
  return candidates_.id(pos);
}

int32_t SamplerChain::sample(std::span<const float> logits) {
  const std::optional<int32_t> token = sample(logits, TokenHistory{});
  return token ? *token : argmax(logits);
}

}  // namespace mynah::sampling
