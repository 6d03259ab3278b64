// Raw-model scores, independent of the sampler chain: log-softmax of the unprocessed logits (before
// biases, bans, penalties, temperature or truncation), as every API reports them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mynah::sampling {

struct TokenLogprob {
  int32_t id;
  float logprob;
};

// log p(id) = logits[id] - log_sum_exp(logits). O(n_vocab). -inf for an id outside the row.
float token_logprob(std::span<const float> logits, int32_t id);
// The same with log_sum_exp(logits) already computed (one pass shared by several lookups).
float token_logprob(std::span<const float> logits, int32_t id, float log_norm);

// The min(n, n_vocab) most likely tokens, descending (ties: lower id first), by partial selection.
std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, int n);
std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, int n, float log_norm);

}  // namespace mynah::sampling
