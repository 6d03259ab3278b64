// Wire pieces shared by the dialects that answer with the legacy "text_completion" object: the error
// body {"error": {message, type, param, code}}, the logprobs object {tokens, token_logprobs,
// top_logprobs, text_offset}, usage, completion ids, and two field readers (a number bounded from below
// only, a token-id array). Header-only, so it needs no build change.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/completion_accumulator.h"
#include "api/field_reader.h"
#include "engine/generation_event.h"

namespace mynah::api {

// Serializes with invalid UTF-8 replaced (a token piece may be a partial character).
inline std::string dump_json(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

inline nlohmann::json error_body(const std::string& message, const std::string& type, const std::string& param) {
  const nlohmann::json param_json = param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param);
  return {{"error", {{"message", message}, {"type", type}, {"param", param_json}, {"code", nullptr}}}};
}

// A request the engine could not finish (cancelled, or an engine error), as a server_error body.
inline nlohmann::json failure_body(const std::string& error) {
  return error_body(error.empty() ? "generation was cancelled" : error, "server_error", "");
}

// "stop" (end-of-generation token, stop token or stop string) or "length".
inline const char* stop_or_length(engine::FinishReason r) { return r == engine::FinishReason::kLength ? "length" : "stop"; }

// A token without a log-probability (the first prompt token) has null entries. `with_sampled` adds the
// sampled token to its position's top dict ("up to logprobs+1 elements"). Offsets are character
// positions, starting at `offset` and clamped at 0.
inline nlohmann::json logprobs_json(const std::vector<engine::TokenScore>& scores, int64_t offset, bool with_sampled) {
  using nlohmann::json;
  json tokens = json::array(), token_logprobs = json::array(), top = json::array(), offsets = json::array();
  for (const auto& s : scores) {
    tokens.push_back(s.piece);
    token_logprobs.push_back(s.logprob ? json(*s.logprob) : json(nullptr));
    if (!s.logprob) {
      top.push_back(nullptr);
    } else {
      json alternatives = json::object();
      for (const auto& t : s.top) alternatives[t.piece] = t.logprob;
      if (with_sampled && !alternatives.contains(s.piece)) alternatives[s.piece] = *s.logprob;
      top.push_back(std::move(alternatives));
    }
    offsets.push_back(std::max<int64_t>(offset, 0));
    offset += utf8_length(s.piece);
  }
  return {{"tokens", tokens}, {"token_logprobs", token_logprobs}, {"top_logprobs", top}, {"text_offset", offsets}};
}

// The scores of a prompt given as text, as echo shows them. SentencePiece tokenizers prepend a space to
// the text ("add_dummy_prefix") that decoding drops, so the pieces spell " " + the prompt; echo returns
// the prompt as given, so the first spelled piece (and its own entry among the alternatives) loses that
// space too, keeping tokens and text_offset aligned with the returned text. Any other mismatch between
// pieces and text is left as it is.
inline std::vector<engine::TokenScore> echoed_prompt_scores(std::vector<engine::TokenScore> scores, std::string_view prompt_text) {
  if (prompt_text.empty()) return scores;  // a token-id prompt is echoed as its pieces
  std::string spelled;
  for (const auto& s : scores) spelled += s.piece;
  if (spelled.size() != prompt_text.size() + 1 || spelled.front() != ' ' || std::string_view(spelled).substr(1) != prompt_text) {
    return scores;
  }
  for (auto& s : scores) {
    if (s.piece.empty()) continue;  // BOS and other pieces that spell nothing
    for (auto& alternative : s.top) {
      if (alternative.id == s.id) alternative.piece.erase(0, 1);
    }
    s.piece.erase(0, 1);
    break;
  }
  return scores;
}

// {prompt_tokens, completion_tokens, total_tokens}: prompts counted once, completions over every sequence.
inline nlohmann::json usage_json(const CompletionAccumulator& acc) {
  auto [prompt, completion] = acc.usage_totals();
  return {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}};
}

// "cmpl-" and 32 random hex digits.
inline std::string completion_id() {
  std::random_device rd;
  return fmt::format("cmpl-{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
}

inline int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A number whose documented range has only a lower bound: "<name> must be at least|greater than <min>".
inline std::optional<double> number_at_least(FieldReader& f, std::string_view name, double min, bool exclusive) {
  const auto v = f.number(name, -std::numeric_limits<double>::max(), std::numeric_limits<double>::max());
  if (v && (exclusive ? *v <= min : *v < min)) {
    f.fail(std::string(name), fmt::format("{} must be {} {}, got {}", name, exclusive ? "greater than" : "at least", min, *v));
    return std::nullopt;
  }
  return v;
}

// A JSON array of token ids (integers in [0, INT32_MAX]; the engine checks the vocabulary). The first
// problem fails `param`, naming the field as `what` (e.g. "stop_tokens[1].tokens").
inline std::vector<int32_t> token_id_list(FieldReader& f, const std::string& param, const nlohmann::json& v,
                                          const std::string& what) {
  std::vector<int32_t> out;
  if (!v.is_array()) {
    f.fail(param, fmt::format("{} must be an array of token ids, got {}", what, v.dump()));
    return out;
  }
  for (const auto& x : v) {
    if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() > INT32_MAX) {
      f.fail(param, fmt::format("{} must contain only token ids (integers of at least 0), got {}", what, x.dump()));
      return {};
    }
    out.push_back(static_cast<int32_t>(x.get<int64_t>()));
  }
  return out;
}

}  // namespace mynah::api
