// GenerationRequest: the one request shape the engine accepts. Every dialect fills it (translating its
// own names, defaults and sentinels); nothing here names a vendor.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sampling/sampling_params.h"

namespace mynah::engine {

// Replaces the input embedding of one prompt position with a caller-given vector.
struct EmbeddingOverride {
  int32_t index = 0;          // prompt token position
  std::vector<float> values;  // [n_embd]
};

// A prompt given as text (tokenized by the engine) or as token ids (used as they are).
struct Prompt {
  std::optional<std::string> text;
  std::vector<int32_t> tokens;
  std::vector<EmbeddingOverride> embeddings;
};

// A bias on a word rather than a token id: applied to the first token of the word, both as it is
// tokenized alone and after a space.
struct WordBias {
  std::string word;
  float bias = 0.0f;  // added to the logit; <= -100 forbids the token
};

struct StopRules {
  // Generation ends at the first occurrence of any of these in the decoded output (matched across
  // token boundaries).
  std::vector<std::string> strings;
  // Whether the matched stop string is part of the returned text.
  bool include_matched_string = false;
};

struct LogprobOptions {
  // Return each generated token's log-probability under the raw model distribution.
  bool generated = false;
  // Also return this many most likely alternatives per position (0: none).
  int32_t top_n = 0;
  // Score the prompt tokens too (echo / likelihoods of the prompt); the first token has none.
  bool prompt = false;
};

// What to do when prompt + requested tokens do not fit the context.
enum class OverflowPolicy {
  kError,               // reject the request
  kTruncatePromptLeft,  // drop the oldest prompt tokens to make room for max_new_tokens
  kShrinkMaxTokens,     // generate only as many tokens as fit
};

struct GenerationRequest {
  std::vector<Prompt> prompts;  // each prompt yields n sequences
  int32_t n = 1;                // continuations per prompt, sharing the prompt's KV blocks
  // Tokens to generate per sequence; nullopt: until the context is full.
  std::optional<int32_t> max_new_tokens;
  // Cap on prompt + generated tokens per sequence; nullopt: the context size.
  std::optional<int32_t> max_total_tokens;
  sampling::SamplingParams sampling;
  // Word-level biases, resolved to token ids by the engine's tokenizer and added to sampling.logit_bias.
  std::vector<WordBias> word_biases;
  // Phrases never to generate: each is tokenized and added to sampling.banned_sequences.
  std::vector<std::string> banned_phrases;
  // Per-sequence seeds (index i of the n continuations of every prompt); when shorter than n the
  // remaining seeds derive from sampling.seed and the index.
  std::vector<uint64_t> seeds;
  StopRules stop;
  LogprobOptions logprobs;
  bool add_bos = true;       // prepend BOS when the model's tokenizer asks for it
  bool parse_special = true; // special-token text in the prompt becomes special tokens
  OverflowPolicy overflow = OverflowPolicy::kError;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

}  // namespace mynah::engine
