// CompletionAccumulator: gathers a request's engine events into per-sequence results, for dialects
// that answer with one JSON body (and for stream bookkeeping such as usage totals).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/generation_event.h"

namespace mynah::api {

struct SequenceResult {
  int32_t prompt_idx = 0;
  int32_t seq_idx = 0;
  std::string text;
  std::vector<engine::TokenScore> tokens;
  std::vector<engine::TokenScore> prompt_scores;
  std::optional<engine::FinishReason> finish;
  engine::Usage usage;
  uint64_t seed = 0;
  std::string error;

  // Sum and mean of the generated tokens' log-probabilities (0 when there are none).
  double sum_logprob() const;
  double mean_logprob() const;
};

class CompletionAccumulator {
 public:
  explicit CompletionAccumulator(int32_t n_sequences) : n_sequences_(n_sequences) {}

  // Returns the sequence the event belongs to, after applying it.
  SequenceResult& add(const engine::GenerationEvent& event);
  bool done() const { return n_finished_ == n_sequences_; }
  // Results ordered by (prompt_idx, seq_idx).
  std::vector<const SequenceResult*> ordered() const;
  // First failure (cancelled or error), if any sequence failed.
  const SequenceResult* failure() const;
  // Prompt tokens counted once per prompt, completion tokens over every sequence.
  std::pair<int64_t, int64_t> usage_totals() const;

 private:
  int32_t n_sequences_;
  int32_t n_finished_ = 0;
  std::map<std::pair<int32_t, int32_t>, SequenceResult> results_;
};

// Number of UTF-8 code points in `bytes` (continuation bytes are not counted).
int64_t utf8_length(std::string_view bytes);

}  // namespace mynah::api
