// BannedTokensStage. Sequence and n-gram bans are recomputed from the history each step: O(history)
// comparisons that almost all fail on the first token, a few microseconds for thousands of tokens.
#include "sampling/banned_tokens.h"

#include <algorithm>
#include <cmath>

#include "util/status.h"

namespace mynah::sampling {
namespace {

std::vector<int32_t> sorted_unique(std::vector<int32_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void ban(std::span<float> logits, int32_t id) {
  if (id >= 0 && static_cast<size_t>(id) < logits.size()) logits[static_cast<size_t>(id)] = -INFINITY;
}

// A banned sequence of N tokens bans its last token when the last N-1 generated tokens equal its
// first N-1 (the generated text only: the prompt is the user's, not ours to police).
void ban_sequence_ends(const std::vector<std::vector<int32_t>>& sequences, std::span<const int32_t> generated,
                       std::span<float> logits) {
  for (const auto& seq : sequences) {
    const size_t n_context = seq.size() - 1;
    if (generated.size() < n_context) continue;
    if (std::equal(seq.begin(), seq.end() - 1, generated.end() - static_cast<std::ptrdiff_t>(n_context))) {
      ban(logits, seq.back());
    }
  }
}

// no_repeat_ngram_size n (Paulus et al. 2017, arXiv:1705.04304, trigram blocking): every earlier
// n-gram of prompt+generated whose first n-1 tokens equal the last n-1 bans its n-th token.
void ban_repeated_ngrams(const TokenHistory& history, size_t n, std::span<float> logits) {
  const size_t n_prompt = history.prompt.size();
  const size_t len = n_prompt + history.generated.size();
  if (n == 0 || len < n) return;  // no complete n-gram yet
  auto at = [&](size_t i) { return i < n_prompt ? history.prompt[i] : history.generated[i - n_prompt]; };
  const size_t context_begin = len - (n - 1);  // the last n-1 tokens
  for (size_t begin = 0; begin + n <= len; ++begin) {
    size_t j = 0;
    while (j + 1 < n && at(begin + j) == at(context_begin + j)) ++j;
    if (j + 1 == n) ban(logits, at(begin + n - 1));
  }
}

}  // namespace

BannedTokensStage::BannedTokensStage(const SamplingParams& params)
    : min_new_tokens_(static_cast<size_t>(std::max(params.min_new_tokens, 0))) {
  std::vector<int32_t> always = params.banned_token_ids;
  for (const auto& seq : params.banned_sequences) {
    if (seq.size() == 1) always.push_back(seq[0]);
    if (seq.size() >= 2) sequences_.push_back(seq);
  }
  if (params.ignore_eos) {
    always.insert(always.end(), params.end_of_generation_ids.begin(), params.end_of_generation_ids.end());
  }
  always_ = sorted_unique(std::move(always));
  if (min_new_tokens_ > 0) {
    std::vector<int32_t> ids = params.end_of_generation_ids;
    ids.insert(ids.end(), params.stop_token_ids.begin(), params.stop_token_ids.end());
    before_min_tokens_ = sorted_unique(std::move(ids));
  }
  if (params.no_repeat_ngram_size && *params.no_repeat_ngram_size > 0) {
    ngram_size_ = static_cast<size_t>(*params.no_repeat_ngram_size);
  }
}

bool BannedTokensStage::needed(const SamplingParams& params) {
  const bool min_tokens =
      params.min_new_tokens > 0 && !(params.end_of_generation_ids.empty() && params.stop_token_ids.empty());
  const bool ngram = params.no_repeat_ngram_size && *params.no_repeat_ngram_size > 0;
  return !params.banned_token_ids.empty() || !params.banned_sequences.empty() || ngram || min_tokens ||
         (params.ignore_eos && !params.end_of_generation_ids.empty());
}

void BannedTokensStage::apply(CandidateList& candidates, const StageContext& context) {
  MYNAH_DCHECK(candidates.dense());
  const std::span<float> logits = candidates.mutable_logits();
  for (int32_t id : always_) ban(logits, id);
  if (context.history.generated.size() < min_new_tokens_) {
    for (int32_t id : before_min_tokens_) ban(logits, id);
  }
  ban_sequence_ends(sequences_, context.history.generated, logits);
  if (ngram_size_) ban_repeated_ngrams(context.history, *ngram_size_, logits);
}

}  // namespace mynah::sampling
