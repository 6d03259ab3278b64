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

// One stop string and whether a match of it stays in the returned text. APIs differ on that, and one
// request may carry strings of both kinds, so the rule belongs to each string.
struct StopString {
  std::string text;
  bool include_in_output = false;
};

struct StopRules {
  // Generation ends as soon as one of these appears in the decoded output (matched across token
  // boundaries); when several complete in the same text, the earliest position wins, then the longest.
  std::vector<StopString> strings;

  // Appends texts that all share one rule (most APIs have one list with one rule).
  void add(std::vector<std::string> texts, bool include_in_output) {
    for (auto& text : texts) strings.push_back(StopString{std::move(text), include_in_output});
  }
};

struct LogprobOptions {
  // Return each generated token's log-probability under the raw model distribution.
  bool generated = false;
  // Also return this many most likely alternatives per position (0: none).
  int32_t top_n = 0;
  // Score the prompt tokens too (echo / likelihoods of the prompt); the first token has none.
  bool prompt = false;
};

// The shape the output must have (response_format). The engine compiles it when the request is
// submitted: a format it cannot enforce exactly fails the request, never generates unconstrained text.
// Generation may still stop early (max tokens, stop strings), leaving a valid prefix only.
struct ResponseFormat {
  enum class Kind {
    kNone,        // free text
    kJsonObject,  // any JSON object
    kJsonSchema,  // a JSON value valid against the schema in `text`
    kRegex,       // text matching the whole ECMA-262 pattern in `text`
  };
  Kind kind = Kind::kNone;
  // kJsonSchema: the schema document as JSON text, keys in the order the client sent them (object
  // properties are generated in that order); kRegex: the pattern; otherwise empty.
  std::string text;
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
  // Minimum prompt + generated tokens per sequence before EOS/stop tokens may end it (they are
  // suppressed until then). A text prompt's length is known only after tokenization, so the engine
  // resolves this into sampling.min_new_tokens (the larger of the two wins); nullopt: no such floor.
  std::optional<int32_t> min_total_tokens;
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
  ResponseFormat response_format;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

}  // namespace mynah::engine
