// LightOn Muse "Create", POST /muse/v1/create, model from the X-Model header. Follows the Muse Create
// reference (shared/seeds/000): text (string or batch), params{n_tokens, n_completions, best_of, mode,
// temperature, p, k, biases, presence/frequency_penalty, stop_words, concat_prompt, return_logprobs, seed,
// skill}; prompts that overflow the context are truncated from the left. Like the vendor's API, unknown
// fields (top-level or inside params) are ignored.
#include <algorithm>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/completion_accumulator.h"
#include "api/dialect.h"
#include "api/field_reader.h"

namespace mynah::api {
namespace {

// Responses keep the vendor's field order.
using json = nlohmann::ordered_json;

// Not in the document: Mynah's own bound, so one request cannot ask for an unbounded fan-out.
constexpr int64_t kMaxCompletions = 128;

enum class Mode { kGreedy, kTopK, kNucleus };

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string uuid4() {
  thread_local std::mt19937_64 rng{(uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()};
  const uint64_t hi = (rng() & ~uint64_t{0xF000}) | 0x4000, lo = (rng() & ~(uint64_t{3} << 62)) | (uint64_t{2} << 62);
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                     lo & 0xFFFFFFFFFFFFull);
}

class LightOnCall final : public Call {
 public:
  LightOnCall(std::vector<std::string> texts, int32_t n_completions, std::optional<int32_t> best_of, bool concat_prompt,
              bool return_logprobs)
      : texts_(std::move(texts)), best_of_(best_of), concat_prompt_(concat_prompt), return_logprobs_(return_logprobs),
        acc_(static_cast<int32_t>(texts_.size()) * n_completions) {}

  std::string on_event(const engine::GenerationEvent& ev) override {
    acc_.add(ev);
    return {};
  }
  bool done() const override { return acc_.done(); }
  std::string stream_tail() override { return {}; }  // Create does not stream
  HttpResponse render() override;

 private:
  std::string cost_type() const { return served_model + "@default"; }
  json completion(const SequenceResult& r) const;

  std::vector<std::string> texts_;
  std::optional<int32_t> best_of_;
  bool concat_prompt_, return_logprobs_;
  CompletionAccumulator acc_;
};

json LightOnCall::completion(const SequenceResult& r) const {
  json token_logprobs = nullptr;
  if (return_logprobs_) {
    token_logprobs = json::array();
    for (const auto& t : r.tokens) token_logprobs.push_back({{t.piece, t.logprob.value_or(0.0f)}});
  }
  const int64_t n_input = r.usage.prompt_tokens, n_generated = r.usage.completion_tokens;
  return {{"output_text", concat_prompt_ ? texts_[r.prompt_idx] + r.text : r.text},
          {"score", {{"logprob", r.sum_logprob()}, {"normalized_logprob", r.mean_logprob()}, {"token_logprobs", token_logprobs}}},
          {"execution_metadata",
           {{"cost", {{"tokens_used", n_input + n_generated}, {"tokens_input", n_input}, {"tokens_generated", n_generated},
                      {"cost_type", cost_type()}, {"batch_size", texts_.size()}}},
            {"finish_reason", r.finish == engine::FinishReason::kLength ? "length" : "stop"}}}};
}

HttpResponse LightOnCall::render() {
  if (const auto* f = acc_.failure()) {
    return {500, dump({{"error", "generation failed"}, {"detail", f->error.empty() ? "generation was cancelled" : f->error}})};
  }
  const auto results = acc_.ordered();
  json outputs = json::array();
  for (size_t p = 0; p < texts_.size(); ++p) {
    std::vector<const SequenceResult*> group;
    for (const auto* r : results) {
      if (r->prompt_idx == static_cast<int32_t>(p)) group.push_back(r);
    }
    if (best_of_) {  // "selected according to how likely they are, summing the log-likelihood over all tokens generated"
      std::stable_sort(group.begin(), group.end(), [](auto* a, auto* b) { return a->sum_logprob() > b->sum_logprob(); });
      group.resize(std::min(group.size(), static_cast<size_t>(*best_of_)));
    }
    json completions = json::array();
    for (const auto* r : group) completions.push_back(completion(*r));
    outputs.push_back(json::array({{{"input_text", texts_[p]}, {"completions", completions}}}));
  }
  // Every generated completion is billed, best_of or not; each input text once.
  auto [n_input, n_generated] = acc_.usage_totals();
  json costs = {{cost_type(), {{"total_tokens_used", n_input + n_generated}, {"total_tokens_input", n_input},
                               {"total_tokens_generated", n_generated}, {"batch_size", texts_.size()}}}};
  return {200, dump({{"request_id", uuid4()}, {"outputs", outputs}, {"costs", costs}})};
}

// "text": a string or a non-empty array of strings (one output per entry).
std::vector<std::string> parse_texts(FieldReader& f) {
  const auto* v = f.get("text");
  if (!v) {
    f.fail("text", "text is required");
    return {};
  }
  if (v->is_string()) return {v->get<std::string>()};
  if (!v->is_array() || v->empty()) {
    f.fail("text", fmt::format("text must be a string or a non-empty array of strings, got {}", v->dump()));
    return {};
  }
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) {
      f.fail("text", fmt::format("text must contain only strings, got {}", item.dump()));
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<Mode> parse_mode(FieldReader& p) {
  const auto v = p.string("mode");
  if (!v || *v == "nucleus") return Mode::kNucleus;
  if (*v == "greedy") return Mode::kGreedy;
  if (*v == "topk") return Mode::kTopK;
  p.fail("mode", fmt::format("mode must be one of greedy, topk, nucleus, got \"{}\"", *v));
  return std::nullopt;
}

// biases: {"word": bias} with bias in [-100, 100]; the engine biases the word's first token.
std::vector<engine::WordBias> parse_biases(FieldReader& p) {
  std::vector<engine::WordBias> out;
  const auto* v = p.get("biases");
  if (!v) return out;
  if (!v->is_object()) {
    p.fail("biases", fmt::format("biases must be an object mapping words to biases, got {}", v->dump()));
    return out;
  }
  for (const auto& [word, bias] : v->items()) {
    if (word.empty()) {
      p.fail("biases", "biases keys must be non-empty words");
      return {};
    }
    if (!bias.is_number() || bias.get<double>() < -100.0 || bias.get<double>() > 100.0) {
      p.fail("biases", fmt::format("biases values must be numbers between -100 and 100, got {} for \"{}\"", bias.dump(), word));
      return {};
    }
    out.push_back({word, static_cast<float>(bias.get<double>())});
  }
  return out;
}

std::vector<std::string> parse_stop_words(FieldReader& p) {
  std::vector<std::string> out;
  const auto* v = p.get("stop_words");
  if (!v) return out;
  if (!v->is_array()) {
    p.fail("stop_words", fmt::format("stop_words must be an array of strings, got {}", v->dump()));
    return out;
  }
  for (const auto& item : *v) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      p.fail("stop_words", fmt::format("stop_words must contain only non-empty strings, got {}", item.dump()));
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

// A number >= min with no documented upper bound.
std::optional<double> at_least(FieldReader& p, std::string_view name, double min) {
  const auto* v = p.get(name);
  if (v && v->is_number() && v->get<double>() < min) {
    p.fail(std::string(name), fmt::format("{} must be at least {}, got {}", name, min, v->dump()));
    return std::nullopt;
  }
  return p.number(name, min, std::numeric_limits<double>::max());
}

class LightOnCreate final : public Dialect {
 public:
  std::string_view name() const override { return "lighton.create"; }
  std::vector<Route> routes() const override { return {{"POST", "/muse/v1/create"}}; }
  AuthScheme auth() const override { return AuthScheme::kXApiKey; }
  util::Result<std::unique_ptr<Call>, ApiError> parse(const HttpRequestView& http, const ServerInfo& info) const override;

  HttpResponse render_error(const ApiError& e) const override {
    const char* error = e.http_status == 401   ? "unauthorized"
                        : e.http_status == 404 ? "not_found"
                        : e.http_status == 413 ? "payload_too_large"
                        : e.http_status == 429 ? "too_many_requests"
                        : e.http_status >= 500 ? "server_error"
                                               : "invalid_request";
    return {e.http_status, dump({{"error", error}, {"detail", e.message}})};
  }
};

util::Result<std::unique_ptr<Call>, ApiError> LightOnCreate::parse(const HttpRequestView& http, const ServerInfo& info) const {
  auto body = parse_json_object(http.body);
  if (!body) return body.take_error();
  std::string model = http.header ? http.header("X-Model").value_or("") : "";
  FieldReader f(*body);
  auto texts = parse_texts(f);
  const nlohmann::json* params_json = f.get("params");
  if (params_json && !params_json->is_object()) {
    f.fail("params", fmt::format("params must be an object, got {}", params_json->dump()));
  }
  if (!f.ok()) return f.error();
  static const nlohmann::json kNoParams = nlohmann::json::object();
  FieldReader p(params_json ? *params_json : kNoParams);

  // "Our models can process sequences of [context] tokens at most (length of prompt + n_tokens)": the
  // bound is known here for the default model; other models' contexts are checked by the engine.
  const bool default_model = model.empty() || (!info.model_names.empty() && model == info.model_names.front());
  const int64_t max_tokens = default_model && info.n_ctx > 1 ? info.n_ctx - 1 : INT32_MAX;
  const auto mode = parse_mode(p);
  const auto n_tokens = p.integer("n_tokens", 1, max_tokens).value_or(20);
  const auto n_completions = p.integer("n_completions", 1, kMaxCompletions).value_or(1);
  const auto best_of = p.integer("best_of", 1, kMaxCompletions);
  const auto temperature = at_least(p, "temperature", 0.0).value_or(1.0);  // only in topk/nucleus mode
  const auto top_p = p.number("p", 0.0, 1.0).value_or(0.9);                // only in nucleus mode
  const auto k = p.integer("k", 1, INT32_MAX).value_or(5);                  // only in topk mode
  auto biases = parse_biases(p);
  const auto presence = p.number("presence_penalty", 0.0, 1.0).value_or(0.0);    // "Use values between 0 and 1."
  const auto frequency = p.number("frequency_penalty", 0.0, 1.0).value_or(0.0);  // "Use values between 0 and 1."
  auto stop_words = parse_stop_words(p);
  const bool concat_prompt = p.boolean("concat_prompt").value_or(false);
  const bool return_logprobs = p.boolean("return_logprobs").value_or(false);
  const auto seed = p.integer("seed", INT64_MIN, INT64_MAX);
  if (auto skill = p.string("skill")) {
    p.fail("skill", fmt::format("skill \"{}\" is not supported: this server has no skills", *skill));
  }
  if (p.ok() && best_of && *best_of >= n_completions) {
    p.fail("best_of", fmt::format("best_of must be smaller than n_completions ({}), got {}", n_completions, *best_of));
  }
  if (!p.ok()) return p.error();

  const auto kept = best_of ? std::optional<int32_t>(*best_of) : std::nullopt;
  auto call = std::make_unique<LightOnCall>(texts, static_cast<int32_t>(n_completions), kept, concat_prompt, return_logprobs);
  auto& r = call->request;
  for (auto& t : texts) r.prompts.push_back({std::move(t), {}, {}});
  r.n = static_cast<int32_t>(n_completions);
  r.max_new_tokens = static_cast<int32_t>(n_tokens);
  switch (*mode) {
    case Mode::kGreedy: r.sampling.temperature = 0.0f; break;
    case Mode::kTopK:
      r.sampling.temperature = static_cast<float>(temperature);  // 0 is greedy, as the document says
      r.sampling.top_k = static_cast<int32_t>(k);
      break;
    case Mode::kNucleus:
      r.sampling.temperature = static_cast<float>(temperature);
      r.sampling.top_p = static_cast<float>(top_p);
      break;
  }
  r.word_biases = std::move(biases);
  // "removed from the log-likelihood of a token ... how many times it occurs in the text already"
  r.sampling.presence_penalty = static_cast<float>(presence);
  r.sampling.frequency_penalty = static_cast<float>(frequency);
  r.sampling.penalty_window = sampling::PenaltyWindow::kPromptAndGenerated;
  r.sampling.seed = seed ? static_cast<uint64_t>(*seed) : (uint64_t{std::random_device{}()} << 32 | std::random_device{}());
  r.stop.add(std::move(stop_words), /*include_in_output=*/false);
  r.logprobs.generated = true;  // every completion carries its score
  r.overflow = engine::OverflowPolicy::kTruncatePromptLeft;
  call->requested_model = std::move(model);
  return std::unique_ptr<Call>(std::move(call));
}

}  // namespace

std::unique_ptr<Dialect> make_lighton_create() { return std::make_unique<LightOnCreate>(); }

}  // namespace mynah::api
