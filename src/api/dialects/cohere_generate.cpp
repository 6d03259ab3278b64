// Cohere Generate (legacy), POST /v1/generate and POST /generate. Follows Cohere's "Generate" reference
// (shared/seeds/002: prompt, max_tokens, model, preset, temperature, num_generations, k, p, penalties,
// stop_sequences, return_likelihoods, logit_bias; the Cohere-Version header picks the response shape),
// plus `stream`, `seed` and `end_sequences` as Cohere's public v1 API documents them. Unknown fields are
// ignored.
#include <algorithm>
#include <cctype>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/completion_accumulator.h"
#include "api/dialect.h"
#include "api/field_reader.h"
#include "api/prompt_parser.h"

namespace mynah::api {
namespace {

// Responses keep the vendor's field order.
using json = nlohmann::ordered_json;

// The first version whose response is {"generations": [...]}; older or absent: the single {"text"}.
constexpr std::string_view kGenerationsVersion = "2021-11-08";

enum class Likelihoods { kNone, kGeneration, kAll };

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string uuid4() {
  thread_local std::mt19937_64 rng{(uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()};
  const uint64_t hi = (rng() & ~uint64_t{0xF000}) | 0x4000, lo = (rng() & ~(uint64_t{3} << 62)) | (uint64_t{2} << 62);
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                     lo & 0xFFFFFFFFFFFFull);
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

class CohereCall final : public Call {
 public:
  CohereCall(std::string prompt, int32_t n, Likelihoods likelihoods, bool generations_shape, engine::StopRules stops)
      : prompt_(std::move(prompt)), n_(n), likelihoods_(likelihoods), generations_shape_(generations_shape),
        stops_(std::move(stops)), acc_(n) {
    for (int32_t i = 0; i < n; ++i) generation_ids_.push_back(uuid4());
  }

  std::string on_event(const engine::GenerationEvent& ev) override;
  bool done() const override { return acc_.done(); }
  std::string stream_tail() override;
  HttpResponse render() override;
  // Cohere streams newline-delimited JSON objects, not SSE.
  std::string stream_content_type() const override { return "application/stream+json"; }

 private:
  std::string finish_reason(const SequenceResult& r) const;
  // Adds "likelihood" (mean of the token likelihoods that exist) and "token_likelihoods".
  void add_likelihoods(json& out, const SequenceResult& r) const;
  json generation(const SequenceResult& r, bool streamed) const;

  std::string prompt_;  // trailing whitespace already trimmed
  int32_t n_;
  Likelihoods likelihoods_;
  bool generations_shape_;
  engine::StopRules stops_;  // stop_sequences (kept in the text) and end_sequences (cut from it)
  CompletionAccumulator acc_;
  std::string id_ = uuid4();
  std::vector<std::string> generation_ids_;
};

// COMPLETE, MAX_TOKENS, STOP_SEQUENCE and ERROR, the reasons Cohere's stream events carry.
std::string CohereCall::finish_reason(const SequenceResult& r) const {
  if (!r.finish) return "COMPLETE";
  switch (*r.finish) {
    case engine::FinishReason::kLength: return "MAX_TOKENS";
    case engine::FinishReason::kStop: {
      // A kept stop sequence ends the text; a cut end sequence starts what the generated tokens spelled
      // beyond it. Otherwise the model ended the text itself.
      std::string spelled;
      for (const auto& t : r.tokens) spelled += t.piece;
      const std::string_view beyond =
          spelled.size() > r.text.size() ? std::string_view(spelled).substr(r.text.size()) : std::string_view();
      for (const auto& s : stops_.strings) {
        if (s.include_in_output ? r.text.ends_with(s.text) : beyond.starts_with(s.text)) return "STOP_SEQUENCE";
      }
      return "COMPLETE";
    }
    case engine::FinishReason::kCancelled:
    case engine::FinishReason::kError: break;
  }
  return "ERROR";
}

void CohereCall::add_likelihoods(json& out, const SequenceResult& r) const {
  std::vector<const engine::TokenScore*> scores;
  if (likelihoods_ == Likelihoods::kAll) {
    // The engine scores the shared prompt once, on one of the generations; every generation shows it.
    for (const auto* other : acc_.ordered()) {
      if (other->prompt_scores.empty()) continue;
      for (const auto& s : other->prompt_scores) scores.push_back(&s);
      break;
    }
  }
  for (const auto& s : r.tokens) scores.push_back(&s);
  json tokens = json::array();
  double sum = 0.0;
  int64_t n_scored = 0;
  for (const auto* s : scores) {
    json t = {{"token", s->piece}};
    if (s->logprob) {  // the first prompt token has none: its key is left out
      t["likelihood"] = *s->logprob;
      sum += *s->logprob;
      ++n_scored;
    }
    tokens.push_back(std::move(t));
  }
  if (n_scored > 0) out["likelihood"] = sum / static_cast<double>(n_scored);
  out["token_likelihoods"] = std::move(tokens);
}

json CohereCall::generation(const SequenceResult& r, bool streamed) const {
  json g = {{"id", generation_ids_[r.seq_idx]}, {"text", r.text}};
  if (n_ > 1 || streamed) g["index"] = r.seq_idx;
  if (likelihoods_ != Likelihoods::kNone) add_likelihoods(g, r);
  if (streamed) g["finish_reason"] = finish_reason(r);
  return g;
}

std::string CohereCall::on_event(const engine::GenerationEvent& ev) {
  const SequenceResult& r = acc_.add(ev);
  if (!stream) return {};
  std::string out;
  if (!ev.text_delta.empty()) {
    json chunk = {{"event_type", "text-generation"}, {"text", ev.text_delta}, {"is_finished", false}};
    if (n_ > 1) chunk["index"] = ev.seq_idx;
    out += dump(chunk) + "\n";
  }
  if (ev.finish == engine::FinishReason::kError || ev.finish == engine::FinishReason::kCancelled) {
    json chunk = {{"event_type", "stream-error"}, {"index", ev.seq_idx}, {"is_finished", true}, {"finish_reason", "ERROR"},
                  {"err", r.error.empty() ? "generation was cancelled" : r.error}};
    out += dump(chunk) + "\n";
  }
  return out;
}

std::string CohereCall::stream_tail() {
  const auto ordered = acc_.ordered();
  json generations = json::array();
  for (const auto* r : ordered) generations.push_back(generation(*r, /*streamed=*/true));
  const std::string reason = acc_.failure() ? "ERROR" : ordered.empty() ? "COMPLETE" : finish_reason(*ordered.front());
  json end = {{"event_type", "stream-end"}, {"is_finished", true}, {"finish_reason", reason},
              {"response", {{"id", id_}, {"prompt", prompt_}, {"generations", generations}}}};
  return dump(end) + "\n";
}

HttpResponse CohereCall::render() {
  if (const auto* f = acc_.failure()) {
    return {500, dump({{"message", f->error.empty() ? "generation was cancelled" : f->error}})};
  }
  const auto results = acc_.ordered();
  if (!generations_shape_) {  // deprecated shape: one generation, its fields at the top level
    json body = {{"text", results.empty() ? std::string() : results.front()->text}};
    if (likelihoods_ != Likelihoods::kNone && !results.empty()) add_likelihoods(body, *results.front());
    return {200, dump(body)};
  }
  json generations = json::array();
  for (const auto* r : results) generations.push_back(generation(*r, /*streamed=*/false));
  auto [input_tokens, output_tokens] = acc_.usage_totals();
  json body = {{"id", id_},
               {"generations", generations},
               {"prompt", prompt_},
               {"meta", {{"api_version", {{"version", "1"}}},
                         {"billed_units", {{"input_tokens", input_tokens}, {"output_tokens", output_tokens}}}}}};
  return {200, dump(body)};
}

std::vector<std::string> string_list(FieldReader& f, std::string_view name) {
  std::vector<std::string> out;
  const auto* v = f.get(name);
  if (!v) return out;
  if (!v->is_array()) {
    f.fail(std::string(name), fmt::format("{} must be an array of strings, got {}", name, v->dump()));
    return out;
  }
  for (const auto& item : *v) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      f.fail(std::string(name), fmt::format("{} must contain only non-empty strings, got {}", name, item.dump()));
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<Likelihoods> parse_likelihoods(FieldReader& f) {
  const auto v = f.string("return_likelihoods");
  if (!v) return Likelihoods::kNone;
  std::string upper = *v;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper == "NONE") return Likelihoods::kNone;
  if (upper == "GENERATION") return Likelihoods::kGeneration;
  if (upper == "ALL") return Likelihoods::kAll;
  f.fail("return_likelihoods", fmt::format("return_likelihoods must be one of GENERATION, ALL, NONE, got \"{}\"", *v));
  return std::nullopt;
}

class CohereGenerate final : public Dialect {
 public:
  std::string_view name() const override { return "cohere.generate"; }
  std::vector<Route> routes() const override { return {{"POST", "/v1/generate"}, {"POST", "/generate"}}; }
  util::Result<std::unique_ptr<Call>, ApiError> parse(const HttpRequestView& http, const ServerInfo& info) const override;
  HttpResponse render_error(const ApiError& e) const override { return {e.http_status, dump({{"message", e.message}})}; }
};

// Cohere-Version: absent or before 2021-11-08 -> the deprecated {"text"} shape.
util::Result<bool, ApiError> generations_shape(const HttpRequestView& http) {
  const auto header = http.header ? http.header("Cohere-Version") : std::nullopt;
  if (!header || header->empty()) return false;
  const std::string_view v = std::string_view(*header).substr(0, 10);  // "2022-12-06" or "2022-12-06-beta"
  if (!is_date(v)) {
    return bad_request("Cohere-Version", fmt::format("Cohere-Version must be a date such as 2022-12-06, got \"{}\"", *header));
  }
  return v >= kGenerationsVersion;
}

util::Result<std::unique_ptr<Call>, ApiError> CohereGenerate::parse(const HttpRequestView& http, const ServerInfo&) const {
  auto body = parse_json_object(http.body);
  if (!body) return body.take_error();
  auto shape = generations_shape(http);
  if (!shape) return shape.take_error();
  FieldReader f(*body);
  auto prompt = f.string("prompt");
  if (f.ok() && !prompt) f.fail("prompt", "prompt is required");
  if (prompt) prompt->erase(prompt->find_last_not_of(" \t\n\r\f\v") + 1);  // "Trailing whitespaces will be trimmed."
  if (prompt && prompt->empty()) f.fail("prompt", "prompt must not be empty (after trimming trailing whitespace)");
  if (auto preset = f.string("preset")) {
    f.fail("preset", fmt::format("presets are not supported: this server has no preset store, got \"{}\"", *preset));
  }
  const auto model = f.string("model");
  const auto max_tokens = f.integer("max_tokens", 0, INT32_MAX).value_or(20);
  const auto temperature = f.number("temperature", 0.0, 5.0).value_or(0.75);
  const auto num_generations = f.integer("num_generations", 1, 5).value_or(1);
  const auto k = f.integer("k", 0, 500).value_or(0);
  const auto p = f.number("p", 0.0, 1.0).value_or(0.75);
  const auto frequency = f.number("frequency_penalty", 0.0, 1.0).value_or(0.0);
  const auto presence = f.number("presence_penalty", 0.0, 1.0).value_or(0.0);
  engine::StopRules stops;
  // stop_sequences: "cut off your generation at the END of the sequence" (kept); end_sequences, from
  // Cohere's v1 API: "cut at the beginning of the earliest occurrence ... excluded from the text".
  stops.add(string_list(f, "stop_sequences"), /*include_in_output=*/true);
  stops.add(string_list(f, "end_sequences"), /*include_in_output=*/false);
  const auto likelihoods = parse_likelihoods(f);
  auto bias = parse_token_bias(f, "logit_bias", -10.0, 10.0);
  const bool stream = f.boolean("stream").value_or(false);
  const auto seed = f.integer("seed", INT64_MIN, INT64_MAX);
  if (f.ok() && max_tokens == 0 && likelihoods != Likelihoods::kAll) {
    f.fail("max_tokens", "max_tokens can only be 0 when return_likelihoods is ALL, got 0");
  }
  if (f.ok() && num_generations > 1 && !*shape && !stream) {
    f.fail("num_generations", fmt::format("num_generations above 1 requires the Cohere-Version header set to {} or later, got {}",
                                          kGenerationsVersion, num_generations));
  }
  if (!f.ok()) return f.error();

  auto call = std::make_unique<CohereCall>(*prompt, static_cast<int32_t>(num_generations), *likelihoods, *shape || stream, stops);
  auto& r = call->request;
  r.prompts.push_back({*prompt, {}, {}});
  r.n = static_cast<int32_t>(num_generations);
  r.max_new_tokens = static_cast<int32_t>(max_tokens);
  r.sampling.temperature = static_cast<float>(temperature);  // 0: greedy
  if (k > 0) r.sampling.top_k = static_cast<int32_t>(k);      // 0: off
  r.sampling.top_p = p > 0.0 && p < 1.0 ? static_cast<float>(p) : 1.0f;  // 0 or 1: off; the chain applies it after k
  // "previously present tokens ... in the prompt or prior generation"
  r.sampling.frequency_penalty = static_cast<float>(frequency);
  r.sampling.presence_penalty = static_cast<float>(presence);
  r.sampling.penalty_window = sampling::PenaltyWindow::kPromptAndGenerated;
  r.sampling.logit_bias = std::move(bias);
  r.sampling.seed = seed ? static_cast<uint64_t>(*seed) : (uint64_t{std::random_device{}()} << 32 | std::random_device{}());
  r.stop = std::move(stops);
  r.logprobs.generated = likelihoods != Likelihoods::kNone;
  r.logprobs.prompt = likelihoods == Likelihoods::kAll;
  r.overflow = engine::OverflowPolicy::kError;
  call->stream = stream;
  call->requested_model = model.value_or("");
  return std::unique_ptr<Call>(std::move(call));
}

}  // namespace

std::unique_ptr<Dialect> make_cohere_generate() { return std::make_unique<CohereGenerate>(); }

}  // namespace mynah::api
