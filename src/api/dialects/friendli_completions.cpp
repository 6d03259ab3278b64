// Friendli completions, POST /serverless/v1/completions and POST /dedicated/v1/completions. Follows the
// Friendli Suite API reference (../shared/seeds/003_23d7e8124681378e.txt); the flattening lost the
// parameter names, so names, shapes and the stream example follow Friendli's public OpenAPI document.
// Stop phrases are cut from the text; choices return their seed and generated token ids; stream chunks
// carry `token`. Fields the reference does not list (beam search, forced_output_tokens,
// timeout_microseconds, ...) are ignored like any unknown field; X-Friendli-Team is accepted and unused.
#include <cmath>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/completion_accumulator.h"
#include "api/dialect.h"
#include "api/field_reader.h"
#include "api/response_format_reader.h"
#include "api/text_completion_json.h"

namespace mynah::api {
namespace {

using nlohmann::json;

constexpr int64_t kMaxN = 128;         // server limit; the reference gives none
constexpr int64_t kMaxLogprobs = 20;   // server limit; the reference gives none
constexpr double kMaxPenalty = 2.0;    // presence / frequency: "between -2.0 and 2.0"
constexpr uint64_t kSeedMask = (uint64_t{1} << 53) - 1;  // returned seeds stay exact as JSON numbers

uint64_t random_seed() { return (uint64_t{std::random_device{}()} << 32 | std::random_device{}()) & kSeedMask; }

// Seed of continuation idx when the request gives one seed for all n (splitmix64 of seed and idx).
uint64_t continuation_seed(uint64_t seed, int64_t idx) {
  if (idx == 0) return seed;
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(idx);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (z ^ (z >> 31)) & kSeedMask;
}

class FriendliCall final : public Call {
 public:
  FriendliCall(int32_t n_prompts, int32_t n, bool logprobs, bool include_usage)
      : n_(n), logprobs_(logprobs), include_usage_(include_usage), acc_(n_prompts * n) {
    id_ = completion_id();
    created_ = unix_seconds();
  }

  std::string on_event(const engine::GenerationEvent& ev) override;
  bool done() const override { return acc_.done(); }
  std::string stream_tail() override;
  HttpResponse render() override;

 private:
  json envelope() const {
    return {{"id", id_}, {"object", "text_completion"}, {"model", served_model}, {"created", created_}};
  }
  std::string chunk(json choice) const {
    json c = envelope();
    c["choices"] = json::array({std::move(choice)});
    return sse_data(dump_json(c));
  }

  int32_t n_;
  bool logprobs_, include_usage_;
  CompletionAccumulator acc_;
  std::string id_;
  int64_t created_;
  std::map<std::pair<int32_t, int32_t>, int64_t> stream_offsets_;  // characters streamed per choice
};

// One chunk per generated token ({index, text, token, finish_reason: null, logprobs}), then a chunk
// with the finish_reason and empty text, as in the vendor's stream example.
std::string FriendliCall::on_event(const engine::GenerationEvent& ev) {
  acc_.add(ev);
  if (!stream) return {};
  if (ev.finish == engine::FinishReason::kError || ev.finish == engine::FinishReason::kCancelled) {
    return sse_data(dump_json(failure_body(ev.error)));
  }
  const int32_t index = ev.prompt_idx * n_ + ev.seq_idx;
  int64_t& offset = stream_offsets_[{ev.prompt_idx, ev.seq_idx}];
  std::string out;
  for (size_t i = 0; i < ev.tokens.size(); ++i) {
    const auto& t = ev.tokens[i];
    json logprobs = logprobs_ ? logprobs_json({t}, offset, /*with_sampled=*/false) : json(nullptr);
    offset += utf8_length(t.piece);
    out += chunk({{"index", index}, {"text", i + 1 == ev.tokens.size() ? ev.text_delta : std::string()}, {"token", t.id},
                  {"finish_reason", nullptr}, {"logprobs", std::move(logprobs)}});
  }
  if (ev.tokens.empty() && !ev.text_delta.empty()) {
    out += chunk({{"index", index}, {"text", ev.text_delta}, {"finish_reason", nullptr}, {"logprobs", nullptr}});
  }
  if (ev.finish) {
    out += chunk({{"index", index}, {"text", ""}, {"finish_reason", stop_or_length(*ev.finish)}, {"logprobs", nullptr}});
  }
  return out;
}

std::string FriendliCall::stream_tail() {
  std::string out;
  if (include_usage_) {  // stream_options.include_usage: one more chunk, with no choices
    json c = envelope();
    c["choices"] = json::array();
    c["usage"] = usage_json(acc_);
    out += sse_data(dump_json(c));
  }
  return out + sse_data("[DONE]");
}

HttpResponse FriendliCall::render() {
  if (const auto* f = acc_.failure()) return {500, dump_json(failure_body(f->error))};
  json choices = json::array();
  for (const auto* r : acc_.ordered()) {
    json ids = json::array();
    for (const auto& t : r->tokens) ids.push_back(t.id);
    json logprobs = logprobs_ ? logprobs_json(r->tokens, 0, /*with_sampled=*/false) : json(nullptr);
    json finish = r->finish ? json(stop_or_length(*r->finish)) : json(nullptr);
    choices.push_back({{"index", r->prompt_idx * n_ + r->seq_idx}, {"seed", r->seed}, {"text", r->text}, {"tokens", std::move(ids)},
                       {"finish_reason", std::move(finish)}, {"logprobs", std::move(logprobs)}});
  }
  json body = envelope();
  body["choices"] = std::move(choices);
  body["usage"] = usage_json(acc_);
  return {200, dump_json(body)};
}

class FriendliCompletions final : public Dialect {
 public:
  std::string_view name() const override { return "friendli.completions"; }
  std::vector<Route> routes() const override {
    return {{"POST", "/serverless/v1/completions"}, {"POST", "/dedicated/v1/completions"}};
  }
  util::Result<std::unique_ptr<Call>, ApiError> parse(const HttpRequestView& http, const ServerInfo& info) const override;
  HttpResponse render_error(const ApiError& e) const override {
    return {e.http_status, dump_json(error_body(e.message, e.type, e.param))};
  }
};

// ---- request pieces -------------------------------------------------------------------------------

// TokenSequence[]: [{"tokens": [id, ...]}, ...].
std::vector<std::vector<int32_t>> token_sequences(FieldReader& f, const std::string& name) {
  std::vector<std::vector<int32_t>> out;
  const auto* v = f.get(name);
  if (!v) return out;
  if (!v->is_array()) {
    f.fail(name, fmt::format("{} must be an array of {{\"tokens\": [token ids]}}, got {}", name, v->dump()));
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    if (!item.is_object() || !item.contains("tokens") || !item["tokens"].is_array() || item["tokens"].empty()) {
      f.fail(name, fmt::format("{}[{}] must be {{\"tokens\": [token ids]}} with at least one token, got {}", name, i,
                               item.dump()));
      return {};
    }
    out.push_back(token_id_list(f, name, item["tokens"], fmt::format("{}[{}].tokens", name, i)));
  }
  return out;
}

// A list of strings (a lone string is taken as a list of one).
std::vector<std::string> strings(FieldReader& f, const std::string& name) {
  const auto* v = f.get(name);
  if (v && !v->is_string() && !v->is_array()) {
    f.fail(name, fmt::format("{} must be an array of strings, got {}", name, v->dump()));
  }
  return v && f.ok() ? f.string_or_list(name, v->is_array() ? v->size() : 1) : std::vector<std::string>{};
}

// Exactly one of prompt (a string, or an array of strings) and tokens (token ids).
std::vector<engine::Prompt> read_prompts(FieldReader& f) {
  const auto* prompt = f.get("prompt");
  const auto* tokens = f.get("tokens");
  if (prompt && tokens) f.fail("tokens", "only one of prompt and tokens may be given, got both");
  if (!prompt && !tokens) f.fail("prompt", "either prompt or tokens is required");
  std::vector<engine::Prompt> out;
  if (!f.ok()) return out;
  if (tokens) {
    auto ids = token_id_list(f, "tokens", *tokens, "tokens");
    if (f.ok() && ids.empty()) f.fail("tokens", "tokens must not be empty");
    out.push_back({std::nullopt, std::move(ids), {}});
    return out;
  }
  if (prompt->is_array() && prompt->empty()) f.fail("prompt", "prompt must not be an empty array");
  for (auto& text : strings(f, "prompt")) out.push_back({std::move(text), {}, {}});
  return out;
}

// token_index_to_replace + embedding_to_replace: the flattened vectors, split evenly over the indices.
void read_embedding_overrides(FieldReader& f, std::vector<engine::Prompt>& prompts) {
  const auto* idx = f.get("token_index_to_replace");
  const auto* emb = f.get("embedding_to_replace");
  if (!idx && !emb) return;
  if (!idx || !emb) {
    return f.fail(idx ? "embedding_to_replace" : "token_index_to_replace",
                  "token_index_to_replace and embedding_to_replace must be given together");
  }
  const auto indices = token_id_list(f, "token_index_to_replace", *idx, "token_index_to_replace");
  if (!f.ok()) return;
  if (indices.empty()) return f.fail("token_index_to_replace", "token_index_to_replace must not be empty");
  if (std::set<int32_t>(indices.begin(), indices.end()).size() != indices.size()) {
    return f.fail("token_index_to_replace", "token_index_to_replace must not repeat an index, got " + idx->dump());
  }
  std::vector<float> values;
  for (const auto& x : emb->is_array() ? *emb : json::array({nullptr})) {
    if (!x.is_number() || !std::isfinite(x.get<double>())) {
      return f.fail("embedding_to_replace", "embedding_to_replace must be an array of finite numbers, got " + x.dump());
    }
    values.push_back(x.get<float>());
  }
  if (values.empty() || values.size() % indices.size() != 0) {
    return f.fail("embedding_to_replace", fmt::format("embedding_to_replace has {} values, which is not one vector of equal "
                                                      "size for each of the {} indices in token_index_to_replace",
                                                      values.size(), indices.size()));
  }
  if (prompts.size() != 1) return f.fail("token_index_to_replace", "token_index_to_replace needs exactly one prompt");
  const size_t dim = values.size() / indices.size();
  for (size_t i = 0; i < indices.size(); ++i) {
    const auto first = values.begin() + static_cast<std::ptrdiff_t>(i * dim);
    prompts[0].embeddings.push_back({indices[i], std::vector<float>(first, first + static_cast<std::ptrdiff_t>(dim))});
  }
}

// seed: one integer, or a list with one per completion; absent: chosen at random and returned.
std::vector<uint64_t> read_seeds(FieldReader& f, int64_t n) {
  std::vector<uint64_t> seeds;
  const auto* v = f.get("seed");
  if (v && v->is_array()) {
    if (static_cast<int64_t>(v->size()) != n) {
      f.fail("seed", fmt::format("seed must be an integer or a list of one seed per completion (n = {}), got a list of {}", n,
                                 v->size()));
    }
    for (const auto& x : *v) {
      if (!x.is_number_integer() || x.get<int64_t>() < 0) {
        f.fail("seed", fmt::format("seed list items must be integers of at least 0, got {}", x.dump()));
        return {};
      }
      seeds.push_back(x.get<uint64_t>());
    }
    return seeds;
  }
  const auto one = f.integer("seed", 0, INT64_MAX);
  const uint64_t base = one ? static_cast<uint64_t>(*one) : random_seed();
  for (int64_t i = 0; i < n; ++i) seeds.push_back(continuation_seed(base, i));
  return seeds;
}

// Lengths: max_tokens or max_total_tokens, min_tokens or min_total_tokens (one of each pair).
struct Lengths {
  std::optional<int64_t> max_tokens, max_total, min_tokens, min_total;
};

Lengths read_lengths(FieldReader& f) {
  Lengths l{f.integer("max_tokens", 1, INT32_MAX), f.integer("max_total_tokens", 1, INT32_MAX),
            f.integer("min_tokens", 0, INT32_MAX), f.integer("min_total_tokens", 0, INT32_MAX)};
  if (l.max_tokens && l.max_total) {
    f.fail("max_total_tokens", "only one of max_tokens and max_total_tokens is allowed, got both");
  }
  if (l.min_tokens && l.min_total) {
    f.fail("min_total_tokens", "only one of min_tokens and min_total_tokens is allowed, got both");
  }
  if (l.min_tokens && l.max_tokens && *l.min_tokens > *l.max_tokens) {
    f.fail("min_tokens", fmt::format("min_tokens ({}) must not exceed max_tokens ({})", *l.min_tokens, *l.max_tokens));
  }
  if (l.min_total && l.max_total && *l.min_total > *l.max_total) {
    f.fail("min_total_tokens",
           fmt::format("min_total_tokens ({}) must not exceed max_total_tokens ({})", *l.min_total, *l.max_total));
  }
  return l;
}

// response_format: text, json_object, json_schema or regex. Friendli's own shape puts the schema or the
// pattern in "schema", the schema possibly as a string of JSON text; json_schema is the OpenAI shape.
engine::ResponseFormat read_response_format_field(FieldReader& f, std::string_view body_text, const Lengths& l) {
  if (!f.get("response_format")) return {};
  if (l.min_tokens || l.min_total) {  // "When response_format is specified, min_tokens field is unsupported."
    f.fail(l.min_tokens ? "min_tokens" : "min_total_tokens", "min_tokens is unsupported when response_format is specified");
  }
  return read_response_format(f, body_text, {.json_object_schema = true, .json_schema = true, .regex = true,
                                             .schema_as_string = true});
}

// stream_options: only with stream; include_usage adds the usage chunk.
bool read_include_usage(FieldReader& f, bool stream) {
  const auto* so = f.get("stream_options");
  if (!so) return false;
  if (!so->is_object() || !stream) {
    f.fail("stream_options", !stream ? std::string("stream_options can only be used when stream is true")
                                     : "stream_options must be an object, got " + so->dump());
    return false;
  }
  FieldReader options(*so);
  const bool include = options.boolean("include_usage").value_or(false);
  if (!options.ok()) f.fail("stream_options", "stream_options." + options.error().message);
  return include;
}

// Penalties and truncation; "off" encodings (top_k 0, no_repeat_ngram 1, xtc 0) become absent stages.
void read_sampling(FieldReader& f, sampling::SamplingParams& s) {
  s.frequency_penalty = static_cast<float>(f.number("frequency_penalty", -kMaxPenalty, kMaxPenalty).value_or(0.0));
  s.presence_penalty = static_cast<float>(f.number("presence_penalty", -kMaxPenalty, kMaxPenalty).value_or(0.0));
  s.penalty_window = sampling::PenaltyWindow::kGeneratedOnly;
  s.repetition_penalty = static_cast<float>(number_at_least(f, "repetition_penalty", 0.0, true).value_or(1.0));  // 1: off
  // The vendor's name, or the Hugging Face one it cites; 1 (or 0) is off.
  const char* ngram_name = f.get("no_repeat_ngram") ? "no_repeat_ngram" : "no_repeat_ngram_size";
  if (const auto ngram = f.integer(ngram_name, 0, INT32_MAX); ngram && *ngram > 1) {
    s.no_repeat_ngram_size = static_cast<int32_t>(*ngram);
  }
  s.temperature = static_cast<float>(number_at_least(f, "temperature", 0.0, /*exclusive=*/false).value_or(1.0));
  if (const auto k = f.integer("top_k", 0, INT32_MAX); k && *k > 0) s.top_k = static_cast<int32_t>(*k);
  const auto top_p = number_at_least(f, "top_p", 0.0, /*exclusive=*/true).value_or(1.0);
  if (top_p > 1.0) f.fail("top_p", fmt::format("top_p must be greater than 0 and at most 1, got {}", top_p));
  s.top_p = static_cast<float>(top_p);
  s.min_p = static_cast<float>(f.number("min_p", 0.0, 1.0).value_or(0.0));
  const auto xtc_probability = f.number("xtc_probability", 0.0, 1.0).value_or(0.0);
  const auto xtc_threshold = f.number("xtc_threshold", 0.0, 1.0).value_or(0.0);
  if (xtc_probability > 0.0 && xtc_threshold > 0.0) {
    s.xtc = sampling::XtcParams{static_cast<float>(xtc_probability), static_cast<float>(xtc_threshold)};
  }
}

// bad_words, bad_word_tokens, eos_token, stop_tokens and stop.
void read_bans_and_stops(FieldReader& f, engine::GenerationRequest& r) {
  r.banned_phrases = strings(f, "bad_words");
  r.sampling.banned_sequences = token_sequences(f, "bad_word_tokens");
  if (const auto* eos = f.get("eos_token")) r.sampling.stop_token_ids = token_id_list(f, "eos_token", *eos, "eos_token");
  for (const auto& seq : token_sequences(f, "stop_tokens")) {
    r.sampling.stop_token_ids.insert(r.sampling.stop_token_ids.end(), seq.begin(), seq.end());
  }
  r.stop.add(strings(f, "stop"), /*include_in_output=*/false);  // "The stop phrases are excluded from the result."
}

util::Result<std::unique_ptr<Call>, ApiError> FriendliCompletions::parse(const HttpRequestView& http, const ServerInfo&) const {
  auto body = parse_json_object(http.body);
  if (!body) return body.take_error();
  FieldReader f(*body);
  const auto model = f.string("model");
  if (f.ok() && !model) return bad_request("model", "model is required");
  auto prompts = read_prompts(f);
  if (!f.ok()) return f.error();
  // Decoder-only models: the encoder_* knobs are "only allowed for encoder-decoder models".
  for (const char* name : {"encoder_no_repeat_ngram", "encoder_no_repeat_ngram_size", "encoder_repetition_penalty"}) {
    if (f.get(name)) f.fail(name, fmt::format("{} is only allowed for encoder-decoder models; {} is decoder-only", name, *model));
  }
  engine::GenerationRequest r;
  read_bans_and_stops(f, r);
  read_sampling(f, r.sampling);
  const Lengths len = read_lengths(f);
  r.response_format = read_response_format_field(f, http.body, len);
  const auto logprobs = f.integer("logprobs", 0, kMaxLogprobs);
  const auto n = f.integer("n", 1, kMaxN).value_or(1);
  r.seeds = read_seeds(f, n);
  const bool stream = f.boolean("stream").value_or(false);
  const bool include_usage = read_include_usage(f, stream);
  read_embedding_overrides(f, prompts);
  if (!f.ok()) return f.error();

  r.n = static_cast<int32_t>(n);
  if (len.max_tokens) r.max_new_tokens = static_cast<int32_t>(*len.max_tokens);  // default: fill the context
  if (len.max_total) r.max_total_tokens = static_cast<int32_t>(*len.max_total);
  // min_total_tokens counts the prompt too; the engine resolves it once the prompt is tokenized.
  if (len.min_total) r.min_total_tokens = static_cast<int32_t>(*len.min_total);
  r.sampling.min_new_tokens = static_cast<int32_t>(len.min_tokens.value_or(0));
  r.overflow = engine::OverflowPolicy::kError;
  r.logprobs.generated = logprobs.has_value();
  r.logprobs.top_n = static_cast<int32_t>(logprobs.value_or(0));
  r.sampling.seed = r.seeds.front();
  auto call = std::make_unique<FriendliCall>(static_cast<int32_t>(prompts.size()), r.n, logprobs.has_value(), include_usage);
  r.prompts = std::move(prompts);
  call->request = std::move(r);
  call->stream = stream;
  call->requested_model = *model;
  return std::unique_ptr<Call>(std::move(call));
}

}  // namespace

std::unique_ptr<Dialect> make_friendli_completions() { return std::make_unique<FriendliCompletions>(); }

}  // namespace mynah::api
