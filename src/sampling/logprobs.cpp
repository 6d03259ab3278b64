// token_logprob and top_logprobs: one log-sum-exp pass plus, for the top list, a bounded-heap selection.
#include "sampling/logprobs.h"

#include <cmath>

#include "sampling/row_ops.h"
#include "sampling/top_n.h"

namespace mynah::sampling {

float token_logprob(std::span<const float> logits, int32_t id) {
  return token_logprob(logits, id, log_sum_exp(logits));
}

float token_logprob(std::span<const float> logits, int32_t id, float log_norm) {
  if (id < 0 || static_cast<size_t>(id) >= logits.size() || log_norm == -INFINITY) return -INFINITY;
  return logits[static_cast<size_t>(id)] - log_norm;
}

std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, int n) {
  if (n <= 0) return {};
  return top_logprobs(logits, n, log_sum_exp(logits));
}

std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, int n, float log_norm) {
  std::vector<TokenLogprob> out;
  if (n <= 0) return out;
  std::vector<RankedValue> ranked;
  select_top_n(logits, static_cast<size_t>(n), ranked);
  out.reserve(ranked.size());
  for (const RankedValue& r : ranked) {
    out.push_back({r.pos, log_norm == -INFINITY ? -INFINITY : r.value - log_norm});  // an all -inf row
  }
  return out;
}

}  // namespace mynah::sampling
