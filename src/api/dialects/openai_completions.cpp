// OpenAI legacy completions, POST /v1/completions: the lingua franca most clients speak.
// Defaults and ranges from the OpenAI API reference; stop sequences are cut from the returned text.
#include <chrono>
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

constexpr int kMaxLogprobs = 5;
constexpr int kMaxBestOf = 20;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string finish_name(engine::FinishReason r) { return r == engine::FinishReason::kLength ? "length" : "stop"; }

class OpenAiCall final : public Call {
 public:
  OpenAiCall(std::vector<std::string> prompt_texts, int32_t n, std::optional<int> logprobs, bool echo, bool include_usage,
             std::optional<int32_t> best_of)
      : prompt_texts_(std::move(prompt_texts)), n_(n), logprobs_(logprobs), echo_(echo), include_usage_(include_usage),
        best_of_(best_of), acc_(static_cast<int32_t>(prompt_texts_.size()) * best_of.value_or(n)) {
    id_ = fmt::format("cmpl-{:016x}{:08x}", std::random_device{}() * 0x9e3779b97f4a7c15ull, std::random_device{}());
    created_ = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  std::string on_event(const engine::GenerationEvent& ev) override;
  bool done() const override { return acc_.done(); }
  std::string stream_tail() override;
  HttpResponse render() override;

 private:
  json envelope() const {
    return {{"id", id_}, {"object", "text_completion"}, {"created", created_}, {"model", served_model}};
  }
  // Prompt text for echo: the original string, or the token pieces of a token-id prompt.
  std::string echo_text(int32_t prompt_idx) const;
  // The prompt's token scores as echo shows them (aligned with echo_text); the engine scores a prompt
  // once, on its first continuation.
  std::vector<engine::TokenScore> prompt_scores(int32_t prompt_idx) const;
  json choice(const SequenceResult& r, int32_t index) const;

  std::vector<std::string> prompt_texts_;  // empty string for token prompts
  int32_t n_;
  std::optional<int> logprobs_;
  bool echo_, include_usage_;
  std::optional<int32_t> best_of_;
  CompletionAccumulator acc_;
  std::string id_;
  int64_t created_;
  std::map<std::pair<int32_t, int32_t>, int64_t> stream_offsets_;  // text emitted so far per choice
  std::set<std::pair<int32_t, int32_t>> echoed_;                   // choices whose prompt was streamed
};

std::vector<engine::TokenScore> OpenAiCall::prompt_scores(int32_t prompt_idx) const {
  for (const auto* r : acc_.ordered()) {
    if (r->prompt_idx == prompt_idx && !r->prompt_scores.empty()) return echoed_prompt_scores(r->prompt_scores, prompt_texts_[prompt_idx]);
  }
  return {};
}

std::string OpenAiCall::echo_text(int32_t prompt_idx) const {
  if (!prompt_texts_[prompt_idx].empty()) return prompt_texts_[prompt_idx];
  std::string text;
  for (const auto& s : prompt_scores(prompt_idx)) text += s.piece;
  return text;
}

json OpenAiCall::choice(const SequenceResult& r, int32_t index) const {
  const std::string prefix = echo_ ? echo_text(r.prompt_idx) : std::string();
  json c = {{"text", prefix + r.text}, {"index", index}, {"logprobs", nullptr},
            {"finish_reason", r.finish ? json(finish_name(*r.finish)) : json(nullptr)}};
  if (logprobs_) {
    std::vector<engine::TokenScore> scores;
    if (echo_) scores = prompt_scores(r.prompt_idx);
    scores.insert(scores.end(), r.tokens.begin(), r.tokens.end());
    // "The API will always return the logprob of the sampled token, so there may be up to logprobs+1
    // elements in the response."
    c["logprobs"] = logprobs_json(scores, 0, /*with_sampled=*/true);
  }
  return c;
}

std::string OpenAiCall::on_event(const engine::GenerationEvent& ev) {
  acc_.add(ev);
  if (!stream) return {};
  if (ev.finish == engine::FinishReason::kError || ev.finish == engine::FinishReason::kCancelled) {
    return sse_data(dump({{"error", {{"message", ev.error.empty() ? "generation was cancelled" : ev.error},
                                     {"type", "server_error"}, {"param", nullptr}, {"code", nullptr}}}}));
  }
  const int32_t index = ev.prompt_idx * n_ + ev.seq_idx;
  int64_t& offset = stream_offsets_[{ev.prompt_idx, ev.seq_idx}];
  std::string text = ev.text_delta;
  std::vector<engine::TokenScore> scores = ev.tokens;
  if (echo_) {
    // Prompt scores may arrive in several prefill chunks before the first token: echo them once, whole.
    if (ev.tokens.empty() && !ev.finish) return {};
    if (echoed_.insert({ev.prompt_idx, ev.seq_idx}).second) {
      text = echo_text(ev.prompt_idx) + text;
      const auto prompt = prompt_scores(ev.prompt_idx);
      scores.insert(scores.begin(), prompt.begin(), prompt.end());
    }
  }
  if (text.empty() && scores.empty() && !ev.finish) return {};
  json chunk = envelope();
  json c = {{"text", text}, {"index", index}, {"logprobs", nullptr},
            {"finish_reason", ev.finish ? json(finish_name(*ev.finish)) : json(nullptr)}};
  if (logprobs_) c["logprobs"] = logprobs_json(scores, offset, /*with_sampled=*/true);
  for (const auto& s : scores) offset += utf8_length(s.piece);
  chunk["choices"] = json::array({c});
  if (include_usage_) chunk["usage"] = nullptr;
  return sse_data(dump(chunk));
}

std::string OpenAiCall::stream_tail() {
  std::string out;
  if (include_usage_) {
    auto [prompt, completion] = acc_.usage_totals();
    json chunk = envelope();
    chunk["choices"] = json::array();
    chunk["usage"] = {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}};
    out += sse_data(dump(chunk));
  }
  return out + sse_data("[DONE]");
}

HttpResponse OpenAiCall::render() {
  if (const auto* f = acc_.failure()) {
    json err = {{"error", {{"message", f->error.empty() ? "generation was cancelled" : f->error}, {"type", "server_error"},
                           {"param", nullptr}, {"code", nullptr}}}};
    return {500, dump(err)};
  }
  std::vector<const SequenceResult*> results = acc_.ordered();
  if (best_of_) {
    // best_of: keep, per prompt, the n continuations with the highest mean token log-probability.
    std::vector<const SequenceResult*> kept;
    for (size_t p = 0; p < prompt_texts_.size(); ++p) {
      std::vector<const SequenceResult*> group;
      for (const auto* r : results) if (r->prompt_idx == static_cast<int32_t>(p)) group.push_back(r);
      std::stable_sort(group.begin(), group.end(), [](auto* a, auto* b) { return a->mean_logprob() > b->mean_logprob(); });
      group.resize(std::min<size_t>(group.size(), static_cast<size_t>(n_)));
      kept.insert(kept.end(), group.begin(), group.end());
    }
    results = kept;
  }
  json choices = json::array();
  for (size_t i = 0; i < results.size(); ++i) choices.push_back(choice(*results[i], static_cast<int32_t>(i)));
  auto [prompt, completion] = acc_.usage_totals();
  json body = envelope();
  body["choices"] = choices;
  body["usage"] = {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}};
  return {200, dump(body)};
}

class OpenAiCompletions final : public Dialect {
 public:
  std::string_view name() const override { return "openai.completions"; }
  std::vector<Route> routes() const override { return {{"POST", "/v1/completions"}}; }

  util::Result<std::unique_ptr<Call>, ApiError> parse(const HttpRequestView& http, const ServerInfo& info) const override;

  HttpResponse render_error(const ApiError& e) const override {
    json err = {{"error", {{"message", e.message}, {"type", e.type}, {"param", e.param.empty() ? json(nullptr) : json(e.param)},
                           {"code", nullptr}}}};
    return {e.http_status, dump(err)};
  }
};

util::Result<std::unique_ptr<Call>, ApiError> OpenAiCompletions::parse(const HttpRequestView& http, const ServerInfo&) const {
  auto body = parse_json_object(http.body);
  if (!body) return body.take_error();
  FieldReader f(*body);
  auto prompts = parse_prompts(f, "prompt", /*required=*/true);
  if (!prompts) return prompts.take_error();
  if (auto suffix = f.string("suffix"); suffix && !suffix->empty()) f.fail("suffix", "suffix is not supported by this model");
  const auto max_tokens = f.integer("max_tokens", 0, INT32_MAX).value_or(16);
  const auto temperature = f.number("temperature", 0.0, 2.0).value_or(1.0);
  const auto top_p = f.number("top_p", 0.0, 1.0).value_or(1.0);
  const auto n = f.integer("n", 1, 128).value_or(1);
  const auto best_of = f.integer("best_of", 1, kMaxBestOf);
  const bool stream = f.boolean("stream").value_or(false);
  const auto logprobs = f.integer("logprobs", 0, kMaxLogprobs);
  const bool echo = f.boolean("echo").value_or(false);
  auto stop = f.string_or_list("stop", 4);
  const auto presence = f.number("presence_penalty", -2.0, 2.0).value_or(0.0);
  const auto frequency = f.number("frequency_penalty", -2.0, 2.0).value_or(0.0);
  const auto seed = f.integer("seed", INT64_MIN, INT64_MAX);
  const auto model = f.string("model");
  f.string("user");
  bool include_usage = false;
  if (const auto* so = f.get("stream_options")) {
    if (!so->is_object()) f.fail("stream_options", "stream_options must be an object");
    else if (!stream) f.fail("stream_options", "stream_options is only allowed when stream is true");
    else include_usage = FieldReader(*so).boolean("include_usage").value_or(false);
  }
  auto bias = parse_token_bias(f, "logit_bias", -100.0, 100.0);
  // As on OpenAI's chat completions: JSON mode and Structured Outputs (json_schema).
  auto response_format = read_response_format(f, http.body, {.json_object_schema = false, .json_schema = true, .regex = false,
                                                              .schema_as_string = false});
  if (best_of && *best_of < n) f.fail("best_of", fmt::format("best_of must be at least n ({}), got {}", n, *best_of));
  if (best_of && stream) f.fail("best_of", "best_of cannot be used with stream");
  if (!f.ok()) return f.error();

  auto call = std::make_unique<OpenAiCall>(prompts->texts, static_cast<int32_t>(n), logprobs ? std::optional<int>(*logprobs) : std::nullopt,
                                           echo, include_usage, best_of ? std::optional<int32_t>(*best_of) : std::nullopt);
  auto& r = call->request;
  r.prompts = std::move(prompts->prompts);
  r.n = static_cast<int32_t>(best_of.value_or(n));
  r.max_new_tokens = static_cast<int32_t>(max_tokens);
  r.sampling.temperature = static_cast<float>(temperature);
  r.sampling.top_p = static_cast<float>(top_p);
  r.sampling.presence_penalty = static_cast<float>(presence);
  r.sampling.frequency_penalty = static_cast<float>(frequency);
  r.sampling.penalty_window = sampling::PenaltyWindow::kGeneratedOnly;
  r.sampling.logit_bias = std::move(bias);
  r.sampling.seed = seed ? static_cast<uint64_t>(*seed) : (uint64_t{std::random_device{}()} << 32 | std::random_device{}());
  r.stop.add(std::move(stop), /*include_in_output=*/false);
  r.logprobs.generated = logprobs.has_value() || best_of.has_value();
  r.logprobs.top_n = static_cast<int32_t>(logprobs.value_or(0));
  r.logprobs.prompt = echo;
  r.overflow = engine::OverflowPolicy::kError;
  r.response_format = std::move(response_format);
  call->stream = stream;
  call->requested_model = model.value_or("");
  return std::unique_ptr<Call>(std::move(call));
}

}  // namespace

std::unique_ptr<Dialect> make_openai_completions() { return std::make_unique<OpenAiCompletions>(); }

}  // namespace mynah::api
