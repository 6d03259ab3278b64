// Per-sequence sampling settings, already translated from each API's conventions: no sentinels
// ("0 or -1 means off") survive past the dialect layer; a stage that is off is nullopt or neutral.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace mynah::sampling {

// Which tokens the presence and frequency penalties count.
enum class PenaltyWindow : uint8_t {
  kGeneratedOnly,       // the tokens generated so far
  kPromptAndGenerated,  // the prompt as well
};

struct TokenBias {
  int32_t id;
  float bias;  // added to the logit; -inf bans the token
};

// XTC, Exclude Top Choices (text-generation-webui PR #6335).
struct XtcParams {
  float probability = 0.0f;  // chance in [0, 1] that XTC applies on a step, drawn from the sequence's Rng
  float threshold = 0.1f;    // tokens with p >= threshold are top choices; all but the least likely go
};

// Mirostat 2.0 (Basu et al. 2020, arXiv:2007.14966).
struct MirostatParams {
  float target = 1.5f;         // tau: target surprise, bits per token; mu starts at 2 * tau
  float learning_rate = 0.1f;  // eta: mu -= eta * (surprise of the drawn token - tau)
};

// Fields are listed in chain order (sampler_chain.h).
struct SamplingParams {
  // Added to the raw logits by token id; entries with the same id add up. Empty: off.
  std::vector<TokenBias> logit_bias;
  // Token ids that are never drawn.
  std::vector<int32_t> banned_token_ids;
  // A sequence of N tokens bans its N-th when the last N-1 generated tokens equal its first N-1; a
  // 1-token sequence is always banned.
  std::vector<std::vector<int32_t>> banned_sequences;
  // n: bans any token that would complete an n-gram already present in prompt+generated
  // (Paulus et al. 2017, arXiv:1705.04304). nullopt: off (n = 1 bans every token seen).
  std::optional<int32_t> no_repeat_ngram_size;
  // While fewer tokens than this have been generated, end_of_generation_ids and stop_token_ids are banned.
  int32_t min_new_tokens = 0;
  // The model's end-of-generation ids (EOS, EOT): filled by the engine from the tokenizer.
  std::vector<int32_t> end_of_generation_ids;
  // Token ids that end generation when drawn (the request's stop tokens); banned before min_new_tokens.
  std::vector<int32_t> stop_token_ids;
  // Bans end_of_generation_ids for the whole generation.
  bool ignore_eos = false;
  // logit -= presence_penalty * (count > 0), count taken over penalty_window. 0: off.
  float presence_penalty = 0.0f;
  // logit -= frequency_penalty * count, count taken over penalty_window. 0: off.
  float frequency_penalty = 0.0f;
  // What presence_penalty and frequency_penalty count.
  PenaltyWindow penalty_window = PenaltyWindow::kGeneratedOnly;
  // CTRL (Keskar et al. 2019, arXiv:1909.05858) over prompt+generated: a seen token's positive logit
  // is divided by it, a negative one multiplied. 1: off.
  float repetition_penalty = 1.0f;
  // 0 means greedy (argmax after biases, bans and penalties); > 0 divides the logits.
  float temperature = 1.0f;
  // Keep the k most likely tokens (Fan et al. 2018, arXiv:1805.04833). nullopt: off.
  std::optional<int32_t> top_k;
  // Nucleus sampling (Holtzman et al. 2019, arXiv:1904.09751): keep the smallest set of most likely
  // tokens whose probability mass reaches top_p. 1: off.
  float top_p = 1.0f;
  // min-p (Nguyen et al. 2024, arXiv:2407.01082): keep tokens with p >= min_p * p_max. 0: off.
  float min_p = 0.0f;
  // nullopt: off.
  std::optional<XtcParams> xtc;
  // When set, replaces top_k, top_p and min_p (which are then ignored). nullopt: off.
  std::optional<MirostatParams> mirostat;
  // Seed of the per-sequence random stream; the same seed and logits give the same tokens.
  uint64_t seed = 0;

  bool greedy() const { return temperature == 0.0f; }
};

}  // namespace mynah::sampling
