// Fireworks AI completions, POST /inference/v1/completions. Follows the Fireworks "Create Completion"
// reference (../shared/seeds/001_08ec0eb010423b38.txt): an OpenAI legacy-completions superset whose
// matched stop sequence stays IN the returned text and whose stream always ends with usage.
// The flattened doc prints ranges as "a < x < b"; the vendor's API treats them as inclusive bounds.
// Parameters the reference does not list (seed, logit_bias, suffix, stream_options, ...) are ignored,
// as Fireworks ignores unknown fields.
#include <algorithm>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/completion_accumulator.h"
#include "api/dialect.h"
#include "api/field_reader.h"
#include "api/prompt_parser.h"
#include "api/response_format_reader.h"
#include "api/text_completion_json.h"

namespace mynah::api {
namespace {

using nlohmann::json;

// Ranges and defaults of the reference.
constexpr int64_t kDefaultMaxTokens = 16;
constexpr int64_t kMaxN = 128;
constexpr int64_t kMaxLogprobs = 5;
constexpr size_t kMaxStop = 4;
constexpr int64_t kMinTopK = 1, kMaxTopK = 128;
constexpr double kMaxTemperature = 2.0, kMaxPenalty = 2.0, kMaxRepetitionPenalty = 2.0;
constexpr float kMirostatTarget = 1.5f, kMirostatLr = 0.1f;

class FireworksCall final : public Call {
 public:
  FireworksCall(std::vector<std::string> prompt_texts, int32_t n, std::optional<int64_t> logprobs, bool echo)
      : prompt_texts_(std::move(prompt_texts)), n_(n), logprobs_(logprobs), echo_(echo),
        acc_(static_cast<int32_t>(prompt_texts_.size()) * n), prompt_scores_(prompt_texts_.size()) {
    id_ = completion_id();
    created_ = unix_seconds();
  }

  std::string on_event(const engine::GenerationEvent& ev) override;
  bool done() const override { return acc_.done(); }
  std::string stream_tail() override { return sse_data("[DONE]"); }
  HttpResponse render() override;

 private:
  json envelope() const { return {{"id", id_}, {"object", "text_completion"}, {"created", created_}, {"model", served_model}}; }
  // echo: the prompt as sent, or the pieces of a token-id prompt. The prompt is scored once, on the
  // prompt's first continuation, so every continuation reads it from prompt_scores_.
  std::string echo_text(int32_t prompt_idx) const;
  // The prompt's scores as echo shows them, aligned with echo_text (see echoed_prompt_scores).
  std::vector<engine::TokenScore> echo_scores(int32_t prompt_idx) const;
  // text_offset of the prompt's first piece: should pieces still spell more than the prompt text,
  // offsets are aligned on the prompt's end and clamped at 0.
  int64_t echo_offset(int32_t prompt_idx) const;
  json choice_json(int32_t index, std::string text, const std::vector<engine::TokenScore>& scores, int64_t offset,
                   std::optional<engine::FinishReason> finish) const;

  std::vector<std::string> prompt_texts_;  // "" for token-id prompts
  int32_t n_;
  std::optional<int64_t> logprobs_;
  bool echo_;
  CompletionAccumulator acc_;
  std::vector<std::vector<engine::TokenScore>> prompt_scores_;  // [prompt_idx]
  std::string id_;
  int64_t created_;
  std::map<std::pair<int32_t, int32_t>, int64_t> stream_offsets_;  // characters streamed per choice
  std::set<std::pair<int32_t, int32_t>> echoed_;                     // choices whose prompt was streamed
};

std::string FireworksCall::echo_text(int32_t prompt_idx) const {
  if (!prompt_texts_[prompt_idx].empty()) return prompt_texts_[prompt_idx];
  std::string text;
  for (const auto& s : prompt_scores_[prompt_idx]) text += s.piece;
  return text;
}

std::vector<engine::TokenScore> FireworksCall::echo_scores(int32_t prompt_idx) const {
  return echoed_prompt_scores(prompt_scores_[prompt_idx], prompt_texts_[prompt_idx]);
}

int64_t FireworksCall::echo_offset(int32_t prompt_idx) const {
  int64_t pieces = 0;
  for (const auto& s : echo_scores(prompt_idx)) pieces += utf8_length(s.piece);
  return utf8_length(echo_text(prompt_idx)) - pieces;
}

json FireworksCall::choice_json(int32_t index, std::string text, const std::vector<engine::TokenScore>& scores, int64_t offset,
                                std::optional<engine::FinishReason> finish) const {
  // "The API will always return the logprob of the sampled token": it joins its position's top dict.
  json logprobs = logprobs_ ? logprobs_json(scores, offset, /*with_sampled=*/true) : json(nullptr);
  return {{"index", index}, {"text", std::move(text)}, {"logprobs", std::move(logprobs)},
          {"finish_reason", finish ? json(stop_or_length(*finish)) : json(nullptr)}};
}

std::string FireworksCall::on_event(const engine::GenerationEvent& ev) {
  acc_.add(ev);
  auto& prompt_scores = prompt_scores_[ev.prompt_idx];
  prompt_scores.insert(prompt_scores.end(), ev.prompt_scores.begin(), ev.prompt_scores.end());
  if (!stream) return {};
  if (ev.finish == engine::FinishReason::kError || ev.finish == engine::FinishReason::kCancelled) {
    return sse_data(dump_json(failure_body(ev.error)));
  }
  if (ev.tokens.empty() && ev.text_delta.empty() && !ev.finish) return {};  // prompt scores only
  const std::pair<int32_t, int32_t> key{ev.prompt_idx, ev.seq_idx};
  std::string text = ev.text_delta;
  std::vector<engine::TokenScore> scores = ev.tokens;
  int64_t& offset = stream_offsets_[key];
  if (echo_ && echoed_.insert(key).second) {  // the choice's first chunk carries the prompt
    text = echo_text(ev.prompt_idx) + text;
    const auto prompt = echo_scores(ev.prompt_idx);
    scores.insert(scores.begin(), prompt.begin(), prompt.end());
    offset = echo_offset(ev.prompt_idx);
  }
  json chunk = envelope();
  chunk["choices"] = json::array({choice_json(ev.prompt_idx * n_ + ev.seq_idx, std::move(text), scores, offset, ev.finish)});
  for (const auto& s : scores) offset += utf8_length(s.piece);
  // "For streaming responses, usage field is included in the very last response chunk returned."
  if (acc_.done()) chunk["usage"] = usage_json(acc_);
  return sse_data(dump_json(chunk));
}

HttpResponse FireworksCall::render() {
  if (const auto* f = acc_.failure()) return {500, dump_json(failure_body(f->error))};
  json choices = json::array();
  for (const auto* r : acc_.ordered()) {
    std::string text = r->text;
    std::vector<engine::TokenScore> scores = r->tokens;
    int64_t offset = 0;
    if (echo_) {
      offset = echo_offset(r->prompt_idx);
      text = echo_text(r->prompt_idx) + text;
      const auto prompt = echo_scores(r->prompt_idx);
      scores.insert(scores.begin(), prompt.begin(), prompt.end());
    }
    choices.push_back(choice_json(r->prompt_idx * n_ + r->seq_idx, std::move(text), scores, offset, r->finish));
  }
  json body = envelope();
  body["choices"] = std::move(choices);
  body["usage"] = usage_json(acc_);
  return {200, dump_json(body)};
}

class FireworksCompletions final : public Dialect {
 public:
  std::string_view name() const override { return "fireworks.completions"; }
  std::vector<Route> routes() const override { return {{"POST", "/inference/v1/completions"}}; }
  util::Result<std::unique_ptr<Call>, ApiError> parse(const HttpRequestView& http, const ServerInfo& info) const override;
  HttpResponse render_error(const ApiError& e) const override {
    return {e.http_status, dump_json(error_body(e.message, e.type, e.param))};
  }
};

util::Result<std::unique_ptr<Call>, ApiError> FireworksCompletions::parse(const HttpRequestView& http, const ServerInfo&) const {
  auto body = parse_json_object(http.body);
  if (!body) return body.take_error();
  FieldReader f(*body);
  const auto model = f.string("model");
  if (f.ok() && !model) return bad_request("model", "model is required");
  auto prompts = parse_prompts(f, "prompt", /*required=*/true);
  if (!prompts) return prompts.take_error();
  if (const auto* images = f.get("images"); images && (!images->is_array() || !images->empty())) {
    f.fail("images", fmt::format("model does not accept images: {} is a text-only model", model.value_or("")));
  }
  const auto overflow = f.string("context_length_exceeded_behavior").value_or("truncate");
  if (overflow != "truncate" && overflow != "error") {
    f.fail("context_length_exceeded_behavior",
           fmt::format("context_length_exceeded_behavior must be one of truncate, error, got \"{}\"", overflow));
  }
  const bool echo = f.boolean("echo").value_or(false);
  const auto frequency = f.number("frequency_penalty", -kMaxPenalty, kMaxPenalty).value_or(0.0);
  const bool ignore_eos = f.boolean("ignore_eos").value_or(false);
  const auto logprobs = f.integer("logprobs", 0, kMaxLogprobs);
  const auto max_tokens = f.integer("max_tokens", 1, INT32_MAX).value_or(kDefaultMaxTokens);
  const auto mirostat_lr = number_at_least(f, "mirostat_lr", 0.0, /*exclusive=*/false);
  const auto mirostat_target = number_at_least(f, "mirostat_target", 0.0, /*exclusive=*/false);
  const auto n = f.integer("n", 1, kMaxN).value_or(1);
  const auto presence = f.number("presence_penalty", -kMaxPenalty, kMaxPenalty).value_or(0.0);
  auto repetition = number_at_least(f, "repetition_penalty", 0.0, /*exclusive=*/true);
  if (repetition && *repetition > kMaxRepetitionPenalty) {
    f.fail("repetition_penalty",
           fmt::format("repetition_penalty must be greater than 0 and at most {}, got {}", kMaxRepetitionPenalty, *repetition));
  }
  // JSON mode, optionally with a schema ({"type": "json_object", "schema": ...}); json_schema as OpenAI spells it.
  auto response_format = read_response_format(f, http.body, {.json_object_schema = true, .json_schema = true, .regex = false,
                                                              .schema_as_string = false});
  auto stop = f.string_or_list("stop", kMaxStop);
  const bool stream = f.boolean("stream").value_or(false);
  const auto temperature = f.number("temperature", 0.0, kMaxTemperature).value_or(1.0);
  const auto top_k = f.integer("top_k", kMinTopK, kMaxTopK);
  const auto top_p = f.number("top_p", 0.0, 1.0).value_or(1.0);
  f.string("user");  // for abuse monitoring only; not used
  if (!f.ok()) return f.error();

  auto call = std::make_unique<FireworksCall>(prompts->texts, static_cast<int32_t>(n), logprobs, echo);
  auto& r = call->request;
  r.prompts = std::move(prompts->prompts);
  r.n = static_cast<int32_t>(n);
  r.max_new_tokens = static_cast<int32_t>(max_tokens);
  // truncate: "limits the max_tokens to at most context_window_length - prompt_length".
  r.response_format = std::move(response_format);
  r.overflow = overflow == "truncate" ? engine::OverflowPolicy::kShrinkMaxTokens : engine::OverflowPolicy::kError;
  auto& s = r.sampling;
  s.temperature = static_cast<float>(temperature);
  s.top_p = static_cast<float>(top_p);
  if (top_k) s.top_k = static_cast<int32_t>(*top_k);
  s.presence_penalty = static_cast<float>(presence);
  s.frequency_penalty = static_cast<float>(frequency);
  s.penalty_window = sampling::PenaltyWindow::kGeneratedOnly;  // "OpenAI compatible"
  s.repetition_penalty = static_cast<float>(repetition.value_or(1.0));
  s.ignore_eos = ignore_eos;
  if (mirostat_lr || mirostat_target) {  // on only when the request asks for it
    s.mirostat = sampling::MirostatParams{static_cast<float>(mirostat_target.value_or(kMirostatTarget)),
                                          static_cast<float>(mirostat_lr.value_or(kMirostatLr))};
  }
  s.seed = uint64_t{std::random_device{}()} << 32 | std::random_device{}();
  r.stop.add(std::move(stop), /*include_in_output=*/true);  // "The returned text will contain the stop sequence."
  r.logprobs.generated = logprobs.has_value();
  r.logprobs.top_n = static_cast<int32_t>(logprobs.value_or(0));
  // echo needs the prompt's scores for logprobs, and its pieces for a token-id prompt.
  const bool token_prompt = std::any_of(r.prompts.begin(), r.prompts.end(), [](const auto& p) { return !p.text; });
  r.logprobs.prompt = echo && (logprobs.has_value() || token_prompt);
  call->stream = stream;
  call->requested_model = *model;
  return std::unique_ptr<Call>(std::move(call));
}

}  // namespace

std::unique_ptr<Dialect> make_fireworks_completions() { return std::make_unique<FireworksCompletions>(); }

}  // namespace mynah::api
