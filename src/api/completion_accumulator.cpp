// CompletionAccumulator bookkeeping.
#include "api/completion_accumulator.h"

#include <map>

namespace mynah::api {

double SequenceResult::sum_logprob() const {
  double sum = 0.0;
  for (const auto& t : tokens) sum += t.logprob.value_or(0.0f);
  return sum;
}

double SequenceResult::mean_logprob() const { return tokens.empty() ? 0.0 : sum_logprob() / static_cast<double>(tokens.size()); }

SequenceResult& CompletionAccumulator::add(const engine::GenerationEvent& ev) {
  SequenceResult& r = results_[{ev.prompt_idx, ev.seq_idx}];
  r.prompt_idx = ev.prompt_idx;
  r.seq_idx = ev.seq_idx;
  r.seed = ev.seed;
  r.text += ev.text_delta;
  r.tokens.insert(r.tokens.end(), ev.tokens.begin(), ev.tokens.end());
  r.prompt_scores.insert(r.prompt_scores.end(), ev.prompt_scores.begin(), ev.prompt_scores.end());
  if (ev.finish && !r.finish) {
    r.finish = ev.finish;
    r.usage = ev.usage;
    r.error = ev.error;
    ++n_finished_;
  }
  return r;
}

std::vector<const SequenceResult*> CompletionAccumulator::ordered() const {
  std::vector<const SequenceResult*> out;
  for (const auto& [key, r] : results_) out.push_back(&r);
  return out;
}

const SequenceResult* CompletionAccumulator::failure() const {
  for (const auto& [key, r] : results_) {
    if (r.finish == engine::FinishReason::kError || r.finish == engine::FinishReason::kCancelled) return &r;
  }
  return nullptr;
}

std::pair<int64_t, int64_t> CompletionAccumulator::usage_totals() const {
  std::map<int32_t, int64_t> prompt_tokens;
  int64_t completion = 0;
  for (const auto& [key, r] : results_) {
    prompt_tokens[r.prompt_idx] = r.usage.prompt_tokens;
    completion += r.usage.completion_tokens;
  }
  int64_t prompt = 0;
  for (const auto& [idx, n] : prompt_tokens) prompt += n;
  return {prompt, completion};
}

int64_t utf8_length(std::string_view bytes) {
  int64_t n = 0;
  for (unsigned char c : bytes) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace mynah::api
