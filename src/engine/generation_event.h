// GenerationEvent: what the engine reports about one sequence as it runs. Text deltas are already
// UTF-8 safe and stop-string safe, so a dialect can forward them as they come.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>


namespace mynah::engine {

enum class FinishReason {
  kStop,       // end-of-generation token, stop token or stop string
  kLength,     // max_new_tokens, max_total_tokens or the context size
  kCancelled,  // cancel(), client gone, or deadline passed
  kError,      // the engine could not continue (message in GenerationEvent::error)
};

struct TopLogprob {
  int32_t id = 0;
  std::string piece;
  float logprob = 0.0f;
};

struct TokenScore {
  int32_t id = 0;
  std::string piece;             // the bytes this token contributes
  std::optional<float> logprob;  // raw model log-probability; none for the first prompt token
  std::vector<TopLogprob> top;   // most likely alternatives at this position, best first
};

struct Usage {
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
  int32_t cached_prompt_tokens = 0;  // prompt tokens served from the prefix cache
};

struct GenerationEvent {
  int64_t request_id = 0;
  int32_t prompt_idx = 0;  // which prompt of the request
  int32_t seq_idx = 0;     // which of the n continuations of that prompt
  std::vector<TokenScore> prompt_scores;  // once, before the first token, when logprobs.prompt
  std::vector<TokenScore> tokens;         // tokens generated since the last event
  std::string text_delta;                 // text that became final since the last event
  std::optional<FinishReason> finish;     // set on the sequence's last event
  Usage usage;                            // filled on the last event
  uint64_t seed = 0;                      // the seed this sequence sampled with
  std::string error;
};

std::string_view finish_reason_name(FinishReason reason);

}  // namespace mynah::engine
