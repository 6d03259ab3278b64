// Friendli /serverless|dedicated/v1/completions: every parameter's mapping, validation messages, and the
// response and stream shapes (fixtures in tests/fixtures/api/friendli_completions/).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dialect_test_util.h"

namespace mynah::api {
namespace {

using nlohmann::json;
using testing::parse;
using testing::token_event;

const Dialect& friendli() { return testing::dialect("friendli.completions"); }

std::unique_ptr<Call> parsed(const std::string& body) { return testing::parsed_or_throw(friendli(), body); }

ApiError rejected(const std::string& body) { return testing::rejected_or_throw(friendli(), body); }

json fixture(const std::string& name) { return testing::read_fixture("friendli_completions", name); }

json stable(json j) {
  j.erase("id");
  j.erase("created");
  return j;
}

// The SSE frames of `bytes`, parsed.
std::vector<json> frames(const std::string& bytes) {
  std::vector<json> out;
  size_t pos = 0;
  while ((pos = bytes.find("data: ", pos)) != std::string::npos) {
    const size_t end = bytes.find("\n\n", pos);
    const std::string payload = bytes.substr(pos + 6, end - pos - 6);
    out.push_back(payload == "[DONE]" ? json("[DONE]") : stable(json::parse(payload)));
    pos = end + 2;
  }
  return out;
}

TEST(FriendliCompletions, RoutesAndName) {
  const auto routes = friendli().routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].path, "/serverless/v1/completions");
  EXPECT_EQ(routes[1].path, "/dedicated/v1/completions");
  EXPECT_EQ(routes[1].method, "POST");
  EXPECT_EQ(friendli().auth(), AuthScheme::kBearer);
}

TEST(FriendliCompletions, DefaultsFollowTheReference) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi"})");
  const auto& r = call->request;
  EXPECT_EQ(call->requested_model, "m");
  EXPECT_FALSE(r.max_new_tokens.has_value());  // fill the context
  EXPECT_FALSE(r.max_total_tokens.has_value());
  EXPECT_EQ(r.overflow, engine::OverflowPolicy::kError);
  EXPECT_EQ(r.n, 1);
  ASSERT_EQ(r.seeds.size(), 1u);  // a random seed, chosen here so it can be returned
  EXPECT_LT(r.seeds[0], uint64_t{1} << 53);
  EXPECT_FLOAT_EQ(r.sampling.temperature, 1.0f);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 1.0f);
  EXPECT_FALSE(r.sampling.top_k.has_value());
  EXPECT_FLOAT_EQ(r.sampling.min_p, 0.0f);
  EXPECT_FALSE(r.sampling.xtc.has_value());
  EXPECT_FALSE(r.sampling.no_repeat_ngram_size.has_value());
  EXPECT_FLOAT_EQ(r.sampling.repetition_penalty, 1.0f);
  EXPECT_EQ(r.sampling.min_new_tokens, 0);
  EXPECT_EQ(r.sampling.penalty_window, sampling::PenaltyWindow::kGeneratedOnly);
  EXPECT_FALSE(r.logprobs.generated);
  EXPECT_FALSE(call->stream);
}

TEST(FriendliCompletions, MapsEveryParameter) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi", "bad_words": ["clear", " clear"],
    "bad_word_tokens": [{"tokens": [5, 6]}, {"tokens": [7]}], "eos_token": [13], "stop_tokens": [{"tokens": [14, 15]}],
    "stop": ["\n\n"], "frequency_penalty": 0.5, "presence_penalty": -0.5, "repetition_penalty": 1.3, "logprobs": 2,
    "max_tokens": 30, "min_tokens": 4, "min_p": 0.05, "n": 2, "no_repeat_ngram": 3, "seed": [11, 12],
    "stream": true, "stream_options": {"include_usage": true}, "temperature": 0.7, "top_k": 40, "top_p": 0.9,
    "xtc_probability": 0.5, "xtc_threshold": 0.1})");
  const auto& r = call->request;
  const auto& s = r.sampling;
  EXPECT_EQ(r.banned_phrases, (std::vector<std::string>{"clear", " clear"}));
  EXPECT_EQ(s.banned_sequences, (std::vector<std::vector<int32_t>>{{5, 6}, {7}}));
  EXPECT_EQ(s.stop_token_ids, (std::vector<int32_t>{13, 14, 15}));
  EXPECT_EQ(testing::stop_rules(r.stop), (testing::StopList{{"\n\n", testing::kCut}}));  // "excluded from the result"
  EXPECT_FLOAT_EQ(s.frequency_penalty, 0.5f);
  EXPECT_FLOAT_EQ(s.presence_penalty, -0.5f);
  EXPECT_FLOAT_EQ(s.repetition_penalty, 1.3f);
  EXPECT_TRUE(r.logprobs.generated);
  EXPECT_EQ(r.logprobs.top_n, 2);
  EXPECT_EQ(r.max_new_tokens, 30);
  EXPECT_EQ(s.min_new_tokens, 4);
  EXPECT_FLOAT_EQ(s.min_p, 0.05f);
  EXPECT_EQ(r.n, 2);
  EXPECT_EQ(s.no_repeat_ngram_size, 3);
  EXPECT_EQ(r.seeds, (std::vector<uint64_t>{11, 12}));
  EXPECT_TRUE(call->stream);
  EXPECT_FLOAT_EQ(s.temperature, 0.7f);
  EXPECT_EQ(s.top_k, 40);
  EXPECT_FLOAT_EQ(s.top_p, 0.9f);
  ASSERT_TRUE(s.xtc.has_value());
  EXPECT_FLOAT_EQ(s.xtc->probability, 0.5f);
  EXPECT_FLOAT_EQ(s.xtc->threshold, 0.1f);
}

TEST(FriendliCompletions, LengthsAndTheirTotals) {
  auto total = parsed(R"({"model": "m", "tokens": [1, 2, 3], "max_total_tokens": 20, "min_total_tokens": 8})");
  EXPECT_EQ(total->request.max_total_tokens, 20);
  EXPECT_FALSE(total->request.max_new_tokens.has_value());
  EXPECT_EQ(total->request.min_total_tokens, 8);  // the engine subtracts the prompt once it is tokenized
  EXPECT_EQ(total->request.sampling.min_new_tokens, 0);
  const auto& text = parsed(R"({"model": "m", "prompt": "Once upon a time", "min_total_tokens": 9})")->request;
  EXPECT_EQ(text.min_total_tokens, 9);  // a text prompt is fine: its length is resolved after tokenization
  EXPECT_EQ(text.sampling.min_new_tokens, 0);
  const auto& plain = parsed(R"({"model": "m", "prompt": "x", "min_tokens": 4})")->request;
  EXPECT_FALSE(plain.min_total_tokens.has_value());
  EXPECT_EQ(plain.sampling.min_new_tokens, 4);
}

TEST(FriendliCompletions, OffEncodingsAndAliases) {
  const auto& s0 = parsed(R"({"model": "m", "prompt": "x", "top_k": 0, "no_repeat_ngram": 1, "xtc_probability": 0.5})")->request.sampling;
  EXPECT_FALSE(s0.top_k.has_value());
  EXPECT_FALSE(s0.no_repeat_ngram_size.has_value());
  EXPECT_FALSE(s0.xtc.has_value());  // xtc_threshold defaults to 0: off
  EXPECT_EQ(parsed(R"({"model": "m", "prompt": "x", "no_repeat_ngram_size": 2})")->request.sampling.no_repeat_ngram_size, 2);
  EXPECT_FLOAT_EQ(parsed(R"({"model": "m", "prompt": "x", "temperature": 0})")->request.sampling.temperature, 0.0f);
  EXPECT_TRUE(parsed(R"({"model": "m", "prompt": "x", "response_format": {"type": "text"}})")->request.stop.strings.empty());
}

TEST(FriendliCompletions, PromptOrTokens) {
  auto text = parsed(R"({"model": "m", "prompt": "Say this is a test!"})");
  EXPECT_EQ(*text->request.prompts.at(0).text, "Say this is a test!");
  auto tokens = parsed(R"({"model": "m", "tokens": [1, 403, 407]})");
  EXPECT_FALSE(tokens->request.prompts.at(0).text.has_value());
  EXPECT_EQ(tokens->request.prompts.at(0).tokens, (std::vector<int32_t>{1, 403, 407}));
  EXPECT_EQ(parsed(R"({"model": "m", "prompt": ["a", "b"]})")->request.prompts.size(), 2u);
}

TEST(FriendliCompletions, SeedIntegerDerivesOnePerCompletion) {
  auto call = parsed(R"({"model": "m", "prompt": "x", "seed": 42, "n": 3})");
  const auto& seeds = call->request.seeds;
  ASSERT_EQ(seeds.size(), 3u);
  EXPECT_EQ(seeds[0], 42u);
  EXPECT_NE(seeds[1], seeds[2]);
  EXPECT_EQ(parsed(R"({"model": "m", "prompt": "x", "seed": 42, "n": 3})")->request.seeds, seeds);  // reproducible
  for (auto s : seeds) EXPECT_LT(s, uint64_t{1} << 53);
}

TEST(FriendliCompletions, EmbeddingOverridesSplitEvenlyOverIndices) {
  auto call = parsed(R"({"model": "m", "tokens": [1, 2, 3], "token_index_to_replace": [0, 2],
    "embedding_to_replace": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]})");
  const auto& e = call->request.prompts.at(0).embeddings;
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].index, 0);
  EXPECT_EQ(e[1].index, 2);
  EXPECT_EQ(e[1].values, (std::vector<float>{0.4f, 0.5f, 0.6f}));
}

TEST(FriendliCompletions, AcceptsTeamHeaderAndIgnoresUnknownParameters) {
  auto call = parse(friendli(), R"({"model": "m", "prompt": "x", "num_beams": 3, "timeout_microseconds": 5, "foo": 1})",
                    {{"X-Friendli-Team", "team-1"}});
  ASSERT_TRUE(call.ok()) << call.error().message;
}

TEST(FriendliCompletions, RejectsBadValuesNamingParameterRangeAndValue) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {R"({"prompt": "x"})", "model", "required"},
      {R"({"model": "m"})", "prompt", "either prompt or tokens"},
      {R"({"model": "m", "prompt": "x", "tokens": [1]})", "tokens", "only one of prompt and tokens"},
      {R"({"model": "m", "tokens": []})", "tokens", "empty"},
      {R"({"model": "m", "tokens": [1, -2]})", "tokens", "-2"},
      {R"({"model": "m", "prompt": 5})", "prompt", "5"},
      {R"({"model": "m", "prompt": "x", "bad_words": {"w": 1}})", "bad_words", "array of strings"},
      {R"({"model": "m", "prompt": "x", "bad_words": [1]})", "bad_words", "strings"},
      {R"({"model": "m", "prompt": "x", "bad_word_tokens": [[1, 2]]})", "bad_word_tokens", "tokens"},
      {R"({"model": "m", "prompt": "x", "bad_word_tokens": [{"tokens": ["a"]}]})", "bad_word_tokens", "\"a\""},
      {R"({"model": "m", "prompt": "x", "eos_token": 2})", "eos_token", "array"},
      {R"({"model": "m", "prompt": "x", "stop_tokens": [{"tokens": []}]})", "stop_tokens", "at least one token"},
      {R"({"model": "m", "prompt": "x", "stop": [1]})", "stop", "strings"},
      {R"({"model": "m", "prompt": "x", "frequency_penalty": 2.5})", "frequency_penalty", "between -2 and 2, got 2.5"},
      {R"({"model": "m", "prompt": "x", "presence_penalty": -2.5})", "presence_penalty", "-2.5"},
      {R"({"model": "m", "prompt": "x", "repetition_penalty": 0})", "repetition_penalty", "greater than 0, got 0"},
      {R"({"model": "m", "prompt": "x", "logprobs": -1})", "logprobs", "got -1"},
      {R"({"model": "m", "prompt": "x", "max_tokens": 0})", "max_tokens", "got 0"},
      {R"({"model": "m", "prompt": "x", "max_total_tokens": 0})", "max_total_tokens", "got 0"},
      {R"({"model": "m", "prompt": "x", "max_tokens": 5, "max_total_tokens": 9})", "max_total_tokens", "only one of max_tokens and max_total_tokens"},
      {R"({"model": "m", "prompt": "x", "min_tokens": -1})", "min_tokens", "got -1"},
      {R"({"model": "m", "prompt": "x", "min_tokens": 5, "min_total_tokens": 9})", "min_total_tokens", "only one of min_tokens and min_total_tokens"},
      {R"({"model": "m", "prompt": "x", "min_tokens": 9, "max_tokens": 5})", "min_tokens", "must not exceed max_tokens"},
      {R"({"model": "m", "tokens": [1], "min_total_tokens": 9, "max_total_tokens": 5})", "min_total_tokens", "must not exceed"},
      {R"({"model": "m", "prompt": "x", "min_p": 1.5})", "min_p", "between 0 and 1, got 1.5"},
      {R"({"model": "m", "prompt": "x", "n": 0})", "n", "got 0"},
      {R"({"model": "m", "prompt": "x", "no_repeat_ngram": -1})", "no_repeat_ngram", "got -1"},
      {R"({"model": "m", "prompt": "x", "no_repeat_ngram_size": "3"})", "no_repeat_ngram_size", "integer"},
      {R"({"model": "m", "prompt": "x", "response_format": {"type": "xml"}})", "response_format", "got \"xml\""},
      {R"({"model": "m", "prompt": "x", "min_tokens": 3, "response_format": {"type": "text"}})", "min_tokens", "response_format"},
      {R"({"model": "m", "prompt": "x", "seed": -1})", "seed", "got -1"},
      {R"({"model": "m", "prompt": "x", "seed": [1, 2], "n": 3})", "seed", "one seed per completion (n = 3), got a list of 2"},
      {R"({"model": "m", "prompt": "x", "seed": [1.5]})", "seed", "1.5"},
      {R"({"model": "m", "prompt": "x", "stream": 1})", "stream", "boolean"},
      {R"({"model": "m", "prompt": "x", "stream_options": {"include_usage": true}})", "stream_options", "only be used when stream is true"},
      {R"({"model": "m", "prompt": "x", "stream": true, "stream_options": {"include_usage": "yes"}})", "stream_options", "include_usage must be a boolean"},
      {R"({"model": "m", "prompt": "x", "temperature": -0.5})", "temperature", "at least 0, got -0.5"},
      {R"({"model": "m", "prompt": "x", "top_k": -1})", "top_k", "got -1"},
      {R"({"model": "m", "prompt": "x", "top_p": 0})", "top_p", "greater than 0, got 0"},
      {R"({"model": "m", "prompt": "x", "top_p": 1.1})", "top_p", "at most 1, got 1.1"},
      {R"({"model": "m", "prompt": "x", "xtc_probability": 1.5})", "xtc_probability", "between 0 and 1, got 1.5"},
      {R"({"model": "m", "prompt": "x", "xtc_threshold": -0.1})", "xtc_threshold", "-0.1"},
      {R"({"model": "m", "prompt": "x", "token_index_to_replace": [0]})", "embedding_to_replace", "together"},
      {R"({"model": "m", "prompt": "x", "embedding_to_replace": [0.5]})", "token_index_to_replace", "together"},
      {R"({"model": "m", "prompt": "x", "token_index_to_replace": [0, 0], "embedding_to_replace": [1, 2]})", "token_index_to_replace", "repeat"},
      {R"({"model": "m", "prompt": "x", "token_index_to_replace": [0, 1], "embedding_to_replace": [1, 2, 3]})", "embedding_to_replace", "3 values"},
      {R"({"model": "m", "prompt": "x", "token_index_to_replace": [0], "embedding_to_replace": ["a"]})", "embedding_to_replace", "finite numbers"},
      {R"({"model": "m", "prompt": "x", "encoder_no_repeat_ngram": 2})", "encoder_no_repeat_ngram", "encoder-decoder"},
      {R"({"model": "m", "prompt": "x", "encoder_repetition_penalty": 1.0})", "encoder_repetition_penalty", "decoder-only"},
  };
  for (const auto& [body, param, needle] : cases) {
    const ApiError e = rejected(body);
    EXPECT_EQ(e.http_status, 400) << body;
    EXPECT_EQ(e.param, param) << body << ": " << e.message;
    EXPECT_NE(e.message.find(needle), std::string::npos) << body << ": " << e.message;
  }
}

TEST(FriendliCompletions, RendersSeedTokensAndLogprobsLikeTheFixture) {
  auto call = parsed(R"({"model": "stories260K", "prompt": "Hi", "n": 2, "logprobs": 1, "seed": [42, 7]})");
  call->served_model = "stories260K";
  auto a = token_event(0, 0, 403, " there", -0.5f);
  a.seed = 42;
  a.tokens[0].top = {{403, " there", -0.5f}};
  call->on_event(a);
  auto b = token_event(0, 0, 2, "", -0.25f, engine::FinishReason::kStop);
  b.seed = 42;
  b.tokens[0].top = {{2, "", -0.25f}};
  call->on_event(b);
  auto c = token_event(0, 1, 410, " was", -1.0f, engine::FinishReason::kLength);
  c.seed = 7;
  c.tokens[0].top = {{403, " there", -0.75f}};
  call->on_event(c);
  ASSERT_TRUE(call->done());
  auto resp = call->render();
  EXPECT_EQ(resp.status, 200);
  auto j = json::parse(resp.body);
  EXPECT_EQ(j["id"].get<std::string>().rfind("cmpl-", 0), 0u);
  EXPECT_TRUE(j["created"].is_number_integer());
  EXPECT_EQ(stable(j), fixture("response_n2_logprobs.json"));
}

TEST(FriendliCompletions, StreamsOneChunkPerTokenThenFinishThenUsage) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi", "stream": true, "stream_options": {"include_usage": true}})");
  call->served_model = "stories260K";
  std::string bytes = call->on_event(token_event(0, 0, 403, " there", -0.1f));
  bytes += call->on_event(token_event(0, 0, 410, " was", -0.1f, engine::FinishReason::kLength));
  ASSERT_TRUE(call->done());
  bytes += call->stream_tail();
  EXPECT_EQ(json(frames(bytes)), fixture("stream_include_usage.json"));
}

TEST(FriendliCompletions, StreamWithoutIncludeUsageEndsWithDone) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi", "stream": true})");
  call->on_event(token_event(0, 0, 403, " there", -0.1f, engine::FinishReason::kStop));
  EXPECT_EQ(call->stream_tail(), "data: [DONE]\n\n");
}

TEST(FriendliCompletions, ErrorShape) {
  auto r = friendli().render_error(bad_request("top_p", "top_p must be greater than 0 and at most 1, got 0"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), fixture("error_400.json"));
}

}  // namespace
}  // namespace mynah::api
