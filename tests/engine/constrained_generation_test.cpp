// response_format through the engine on the real stories260K model, which knows no JSON: whatever it
// samples (several seeds, temperature 1, n > 1, greedy, preempted), every output that ends with "stop"
// parses and satisfies its schema, and every output cut by the length limit is a valid prefix.
// Compile errors come back from submit; log-probabilities stay the raw model's.
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stories_engine.h"

namespace mynah::engine {
namespace {

using nlohmann::json;
using testing::Collector;
using testing::make_engine;
using testing::metric;
using testing::request;
using testing::run;
using testing::SeqResult;

constexpr int32_t kMaxTokens = 200;

// "name" is defined first: properties are generated in definition order.
const std::string kPersonSchema = R"({"type":"object","properties":{
  "name":{"type":"string","minLength":1,"maxLength":12},
  "age":{"type":"integer","minimum":0,"maximum":120},
  "mood":{"enum":["happy","sad","calm"]},
  "tags":{"type":"array","items":{"type":"string","maxLength":8},"maxItems":3}},
  "required":["name","age","mood"],"additionalProperties":false})";

GenerationRequest constrained(ResponseFormat::Kind kind, const std::string& text, float temperature, uint64_t seed,
                              int32_t max_tokens = kMaxTokens) {
  GenerationRequest r = request("Once upon a time", max_tokens, temperature, seed);
  r.response_format = ResponseFormat{kind, text};
  return r;
}

// nlohmann reports a truncated document as an error past its last byte, and a bad byte at that byte.
bool is_json_prefix(const std::string& text) {
  try {
    return !json::parse(text).is_discarded();
  } catch (const json::parse_error& e) {
    return e.byte > text.size();
  }
}

// The whitespace rule: compact separators, so whitespace appears only inside strings.
bool whitespace_only_in_strings(const std::string& text) {
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      return false;
    }
  }
  return true;
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The hand-written validator for kPersonSchema (an independent check of the grammar's output).
std::string person_violation(const json& j) {
  if (!j.is_object()) return "not an object";
  for (const char* key : {"name", "age", "mood"}) {
    if (!j.contains(key)) return std::string("missing required ") + key;
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "age" && key != "mood" && key != "tags") return "additional property " + key;
  }
  const auto& name = j["name"];
  if (!name.is_string() || code_points(name.get<std::string>()) < 1 || code_points(name.get<std::string>()) > 12) return "bad name";
  const auto& age = j["age"];
  if (!age.is_number_integer() || age.get<int64_t>() < 0 || age.get<int64_t>() > 120) return "bad age " + age.dump();
  const auto& mood = j["mood"];
  if (mood != "happy" && mood != "sad" && mood != "calm") return "bad mood " + mood.dump();
  if (j.contains("tags")) {
    const auto& tags = j["tags"];
    if (!tags.is_array() || tags.size() > 3) return "bad tags";
    for (const auto& t : tags) {
      if (!t.is_string() || code_points(t.get<std::string>()) > 8) return "bad tag " + t.dump();
    }
  }
  return "";
}

// Counts outputs that finished with "stop", so a test can insist the check was not vacuous.
struct Tally {
  int stopped = 0;
  int cut = 0;
};

void expect_object(const SeqResult& r, Tally& tally, const std::string& where) {
  ASSERT_TRUE(r.finish.has_value()) << where;
  ASSERT_NE(*r.finish, FinishReason::kError) << where;
  if (*r.finish == FinishReason::kLength) {
    ++tally.cut;
    EXPECT_TRUE(is_json_prefix(r.text)) << where << ": " << r.text;
    return;
  }
  ++tally.stopped;
  json j;
  ASSERT_NO_THROW(j = json::parse(r.text)) << where << ": " << r.text;
  EXPECT_TRUE(j.is_object()) << where << ": " << r.text;
  EXPECT_TRUE(whitespace_only_in_strings(r.text)) << where << ": " << r.text;
}

void expect_person(const SeqResult& r, Tally& tally, const std::string& where) {
  ASSERT_TRUE(r.finish.has_value()) << where;
  ASSERT_NE(*r.finish, FinishReason::kError) << where;
  if (*r.finish == FinishReason::kLength) {
    ++tally.cut;
    EXPECT_TRUE(is_json_prefix(r.text)) << where << ": " << r.text;
    return;
  }
  ++tally.stopped;
  json j;
  ASSERT_NO_THROW(j = json::parse(r.text)) << where << ": " << r.text;
  EXPECT_EQ(person_violation(j), "") << where << ": " << r.text;
  EXPECT_EQ(r.text.rfind(R"({"name":)", 0), 0u) << where << ": properties come in definition order: " << r.text;
}

// Left alone, stories260K writes one endless string key (`{" a little girl named Lily...`), so every
// output here is cut by the length limit and must be a valid prefix of an object.
TEST(ConstrainedGeneration, JsonObjectAcrossSeedsAtTemperatureOne) {
  auto e = make_engine();
  Tally tally;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const auto out = run(*e, constrained(ResponseFormat::Kind::kJsonObject, "", 1.0f, seed));
    ASSERT_EQ(out.size(), 1u);
    expect_object(out[0], tally, "seed " + std::to_string(seed));
    EXPECT_EQ(out[0].text.substr(0, 1), "{");
  }
  EXPECT_EQ(tally.stopped + tally.cut, 6);
}

// Biasing every token that holds '"' or '}' makes the model try to close strings and objects, often
// where that would break the JSON (a '}' right after '{"'): the constraint must keep it valid, and
// now outputs finish, so the parse check runs.
TEST(ConstrainedGeneration, JsonObjectStaysValidWhenTheModelIsPushedToClose) {
  auto e = make_engine();
  std::vector<sampling::TokenBias> closers;
  for (int32_t id = 0; id < e->tokenizer().n_vocab(); ++id) {
    const std::string piece = e->tokenizer().token_to_piece(id);
    if (piece.find('}') != std::string::npos) closers.push_back({id, 10.0f});
    else if (piece.find('"') != std::string::npos) closers.push_back({id, 6.0f});
  }
  ASSERT_GE(closers.size(), 2u);
  Tally tally;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    GenerationRequest r = constrained(ResponseFormat::Kind::kJsonObject, "", 1.0f, seed);
    r.sampling.logit_bias = closers;
    const auto out = run(*e, r);
    ASSERT_EQ(out.size(), 1u);
    expect_object(out[0], tally, "seed " + std::to_string(seed));
  }
  EXPECT_GE(tally.stopped, 4) << tally.cut << " of 8 outputs were cut by the length limit";
}

TEST(ConstrainedGeneration, SchemaWithPropertiesRequiredAndEnumAcrossSeeds) {
  auto e = make_engine();
  Tally tally;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const auto out = run(*e, constrained(ResponseFormat::Kind::kJsonSchema, kPersonSchema, 1.0f, seed));
    ASSERT_EQ(out.size(), 1u);
    expect_person(out[0], tally, "seed " + std::to_string(seed));
  }
  const auto greedy = run(*e, constrained(ResponseFormat::Kind::kJsonSchema, kPersonSchema, 0.0f, 0));
  expect_person(greedy.at(0), tally, "greedy");
  EXPECT_GE(tally.stopped, 5) << tally.cut << " outputs were cut by the length limit";
}

TEST(ConstrainedGeneration, EveryContinuationOfNIsConstrained) {
  auto e = make_engine();
  GenerationRequest r = constrained(ResponseFormat::Kind::kJsonSchema, kPersonSchema, 1.0f, 11);
  r.n = 4;
  const auto out = run(*e, r);
  ASSERT_EQ(out.size(), 4u);
  Tally tally;
  for (size_t i = 0; i < out.size(); ++i) expect_person(out[i], tally, "continuation " + std::to_string(i));
  EXPECT_GT(tally.stopped, 0);
  EXPECT_NE(out[0].text, out[1].text);  // each continuation samples on its own
}

TEST(ConstrainedGeneration, RegexMatchesTheWholeOutput) {
  auto e = make_engine();
  const std::regex pattern("(yes|no)-[0-9]{3}");
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const auto out = run(*e, constrained(ResponseFormat::Kind::kRegex, "(yes|no)-[0-9]{3}", 1.0f, seed));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].finish, FinishReason::kStop) << out[0].text;  // nothing can follow the last digit
    EXPECT_TRUE(std::regex_match(out[0].text, pattern)) << out[0].text;
  }
}

TEST(ConstrainedGeneration, PreemptionDoesNotReadvanceTheGrammar) {
  std::vector<SeqResult> alone;
  {
    auto e = make_engine();
    for (int i = 0; i < 4; ++i) alone.push_back(run(*e, constrained(ResponseFormat::Kind::kJsonObject, "", 0.8f, 7 + i, 90))[0]);
  }
  EngineOptions o;
  o.n_parallel = 4;
  o.n_kv_blocks = 12;  // 4 sequences x 95 positions need 24 blocks of 16: someone must be preempted
  auto e = make_engine(o);
  std::vector<Collector> collectors(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(e->submit(constrained(ResponseFormat::Kind::kJsonObject, "", 0.8f, 7 + i, 90), collectors[i].sink()).ok());
  }
  Tally tally;
  for (int i = 0; i < 4; ++i) {
    const auto r = collectors[i].wait(1)[0];
    EXPECT_EQ(r.tokens, alone[i].tokens) << "sequence " << i;
    expect_object(r, tally, "sequence " + std::to_string(i));
  }
  EXPECT_GT(metric(*e, "mynah_preemptions_total"), 0);
}

TEST(ConstrainedGeneration, LogprobsStayTheRawModels) {
  auto e = make_engine();
  GenerationRequest unconstrained = request("Once upon a time", 1);
  unconstrained.logprobs.generated = true;
  unconstrained.logprobs.top_n = 5;
  GenerationRequest json_mode = unconstrained;
  json_mode.max_new_tokens = 4;
  json_mode.response_format = ResponseFormat{ResponseFormat::Kind::kJsonObject, ""};
  const auto a = run(*e, unconstrained), b = run(*e, json_mode);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(b[0].text.substr(0, 1), "{");
  ASSERT_FALSE(b[0].logprobs.empty());
  // The model does not favour "{": the sampled token's logprob is below the unconstrained best one,
  // i.e. it was not renormalized over the allowed tokens.
  EXPECT_LT(b[0].logprobs[0], a[0].logprobs[0]);
  EXPECT_LT(b[0].logprobs[0], -1.0f);
}

TEST(ConstrainedGeneration, SchemasThatCannotBeEnforcedFailAtSubmit) {
  auto e = make_engine();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"integer","multipleOf":3})", "multipleOf"},
      {R"({"properties":{"a":{"dependentRequired":{}}}})", "/properties/a"},
      {R"({"type":"object",)", "not valid JSON"},
  };
  for (const auto& [schema, needle] : cases) {
    GenerationRequest r = constrained(ResponseFormat::Kind::kJsonSchema, schema, 1.0f, 1);
    auto id = e->submit(r, [](GenerationEvent) { ADD_FAILURE() << "a rejected request produced an event"; });
    ASSERT_FALSE(id.ok()) << schema;
    EXPECT_EQ(id.error().kind, SubmitError::Kind::kInvalid) << schema;
    EXPECT_EQ(id.error().param, "response_format") << schema;
    EXPECT_NE(id.error().message.find("response_format"), std::string::npos) << id.error().message;
    EXPECT_NE(id.error().message.find(needle), std::string::npos) << id.error().message;
  }
  GenerationRequest bad_regex = constrained(ResponseFormat::Kind::kRegex, "(a", 1.0f, 1);
  EXPECT_FALSE(e->submit(bad_regex, [](GenerationEvent) {}).ok());
}

}  // namespace
}  // namespace mynah::engine
