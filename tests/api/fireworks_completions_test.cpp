// Fireworks /inference/v1/completions: every parameter's mapping, validation messages, and the
// response and stream shapes (fixtures in tests/fixtures/api/fireworks_completions/).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dialect_test_util.h"

namespace mynah::api {
namespace {

using nlohmann::json;
using testing::parse;
using testing::token_event;

const Dialect& fireworks() { return testing::dialect("fireworks.completions"); }

std::unique_ptr<Call> parsed(const std::string& body) { return testing::parsed_or_throw(fireworks(), body); }

json fixture(const std::string& name) { return testing::read_fixture("fireworks_completions", name); }

// Drops the fields that change per response (id, created).
json stable(json j) {
  j.erase("id");
  j.erase("created");
  return j;
}

TEST(FireworksCompletions, RoutesAndName) {
  ASSERT_EQ(fireworks().routes().size(), 1u);
  EXPECT_EQ(fireworks().routes()[0].method, "POST");
  EXPECT_EQ(fireworks().routes()[0].path, "/inference/v1/completions");
  EXPECT_EQ(fireworks().auth(), AuthScheme::kBearer);
}

TEST(FireworksCompletions, DefaultsFollowTheReference) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi"})");
  const auto& r = call->request;
  EXPECT_EQ(call->requested_model, "m");
  EXPECT_EQ(r.max_new_tokens, 16);
  EXPECT_EQ(r.n, 1);
  EXPECT_EQ(r.overflow, engine::OverflowPolicy::kShrinkMaxTokens);  // truncate is the default
  EXPECT_FLOAT_EQ(r.sampling.temperature, 1.0f);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 1.0f);
  EXPECT_FALSE(r.sampling.top_k.has_value());
  EXPECT_FLOAT_EQ(r.sampling.repetition_penalty, 1.0f);
  EXPECT_FLOAT_EQ(r.sampling.presence_penalty, 0.0f);
  EXPECT_FLOAT_EQ(r.sampling.frequency_penalty, 0.0f);
  EXPECT_EQ(r.sampling.penalty_window, sampling::PenaltyWindow::kGeneratedOnly);
  EXPECT_FALSE(r.sampling.mirostat.has_value());
  EXPECT_FALSE(r.sampling.ignore_eos);
  EXPECT_FALSE(r.logprobs.generated);
  EXPECT_FALSE(r.logprobs.prompt);
  EXPECT_FALSE(call->stream);
}

TEST(FireworksCompletions, PromptForms) {
  EXPECT_EQ(*parsed(R"({"model": "m", "prompt": "a"})")->request.prompts[0].text, "a");
  EXPECT_EQ(parsed(R"({"model": "m", "prompt": ["a", "b"]})")->request.prompts.size(), 2u);
  EXPECT_EQ(parsed(R"({"model": "m", "prompt": [1, 2, 3]})")->request.prompts[0].tokens, (std::vector<int32_t>{1, 2, 3}));
  auto multi = parsed(R"({"model": "m", "prompt": [[1, 2], [3]]})");
  ASSERT_EQ(multi->request.prompts.size(), 2u);
  EXPECT_EQ(multi->request.prompts[1].tokens, (std::vector<int32_t>{3}));
}

TEST(FireworksCompletions, MapsEveryParameter) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi", "context_length_exceeded_behavior": "error", "echo": true,
    "frequency_penalty": 0.5, "ignore_eos": true, "logprobs": 3, "max_tokens": 7, "n": 4, "presence_penalty": -0.5,
    "repetition_penalty": 1.2, "stop": ["a", "b"], "stream": true, "temperature": 0.5, "top_k": 40, "top_p": 0.9,
    "user": "u", "images": []})");
  const auto& r = call->request;
  EXPECT_EQ(r.overflow, engine::OverflowPolicy::kError);
  EXPECT_TRUE(r.logprobs.prompt);  // echo with logprobs scores the prompt
  EXPECT_FLOAT_EQ(r.sampling.frequency_penalty, 0.5f);
  EXPECT_TRUE(r.sampling.ignore_eos);
  EXPECT_TRUE(r.logprobs.generated);
  EXPECT_EQ(r.logprobs.top_n, 3);
  EXPECT_EQ(r.max_new_tokens, 7);
  EXPECT_EQ(r.n, 4);
  EXPECT_FLOAT_EQ(r.sampling.presence_penalty, -0.5f);
  EXPECT_FLOAT_EQ(r.sampling.repetition_penalty, 1.2f);
  EXPECT_EQ(testing::stop_rules(r.stop), (testing::StopList{{"a", testing::kKept}, {"b", testing::kKept}}));  // "will contain the stop sequence"
  EXPECT_TRUE(call->stream);
  EXPECT_FLOAT_EQ(r.sampling.temperature, 0.5f);
  EXPECT_EQ(r.sampling.top_k, 40);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 0.9f);
  EXPECT_EQ(testing::stop_rules(parsed(R"({"model": "m", "prompt": "x", "stop": "\n"})")->request.stop), (testing::StopList{{"\n", testing::kKept}}));
  EXPECT_EQ(parsed(R"({"model": "m", "prompt": "x", "context_length_exceeded_behavior": "truncate"})")->request.overflow,
            engine::OverflowPolicy::kShrinkMaxTokens);
  EXPECT_EQ(parsed(R"({"model": "m", "prompt": "x", "logprobs": 0})")->request.logprobs.top_n, 0);
  EXPECT_TRUE(parsed(R"({"model": "m", "prompt": "x", "logprobs": 0})")->request.logprobs.generated);
  // echo of a text prompt without logprobs needs no prompt scoring; a token prompt needs its pieces.
  EXPECT_FALSE(parsed(R"({"model": "m", "prompt": "x", "echo": true})")->request.logprobs.prompt);
  EXPECT_TRUE(parsed(R"({"model": "m", "prompt": [5, 6], "echo": true})")->request.logprobs.prompt);
}

TEST(FireworksCompletions, MirostatIsOnOnlyWhenAsked) {
  auto target = parsed(R"({"model": "m", "prompt": "x", "mirostat_target": 3.0})");
  ASSERT_TRUE(target->request.sampling.mirostat.has_value());
  EXPECT_FLOAT_EQ(target->request.sampling.mirostat->target, 3.0f);
  EXPECT_FLOAT_EQ(target->request.sampling.mirostat->learning_rate, 0.1f);  // default eta
  auto lr = parsed(R"({"model": "m", "prompt": "x", "mirostat_lr": 0.5})");
  ASSERT_TRUE(lr->request.sampling.mirostat.has_value());
  EXPECT_FLOAT_EQ(lr->request.sampling.mirostat->target, 1.5f);  // default tau
  EXPECT_FLOAT_EQ(lr->request.sampling.mirostat->learning_rate, 0.5f);
  EXPECT_FALSE(parsed(R"({"model": "m", "prompt": "x", "mirostat_lr": null})")->request.sampling.mirostat.has_value());
}

TEST(FireworksCompletions, IgnoresUnknownParameters) {
  auto call = parsed(R"({"model": "m", "prompt": "x", "best_of": 3, "suffix": "s", "whatever": {"a": 1}})");
  EXPECT_EQ(call->request.n, 1);
}

TEST(FireworksCompletions, RejectsBadValuesNamingParameterRangeAndValue) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {R"({"prompt": "x"})", "model", "required"},
      {R"({"model": "m"})", "prompt", "required"},
      {R"({"model": "m", "prompt": []})", "prompt", "empty"},
      {R"({"model": "m", "prompt": "x", "context_length_exceeded_behavior": "drop"})", "context_length_exceeded_behavior", "drop"},
      {R"({"model": "m", "prompt": "x", "echo": "yes"})", "echo", "boolean"},
      {R"({"model": "m", "prompt": "x", "frequency_penalty": 2.5})", "frequency_penalty", "2.5"},
      {R"({"model": "m", "prompt": "x", "ignore_eos": 1})", "ignore_eos", "boolean"},
      {R"({"model": "m", "prompt": "x", "images": ["data:image/jpeg;base64,AAAA"]})", "images", "does not accept images"},
      {R"({"model": "m", "prompt": "x", "logprobs": 6})", "logprobs", "between 0 and 5, got 6"},
      {R"({"model": "m", "prompt": "x", "max_tokens": 0})", "max_tokens", "got 0"},
      {R"({"model": "m", "prompt": "x", "mirostat_lr": -0.1})", "mirostat_lr", "-0.1"},
      {R"({"model": "m", "prompt": "x", "mirostat_target": "high"})", "mirostat_target", "number"},
      {R"({"model": "m", "prompt": "x", "n": 129})", "n", "between 1 and 128, got 129"},
      {R"({"model": "m", "prompt": "x", "n": 0})", "n", "got 0"},
      {R"({"model": "m", "prompt": "x", "presence_penalty": -3})", "presence_penalty", "-3"},
      {R"({"model": "m", "prompt": "x", "repetition_penalty": 0})", "repetition_penalty", "greater than 0"},
      {R"({"model": "m", "prompt": "x", "repetition_penalty": 2.5})", "repetition_penalty", "2.5"},
      {R"({"model": "m", "prompt": "x", "response_format": {"type": "xml"}})", "response_format", "got \"xml\""},
      {R"({"model": "m", "prompt": "x", "stop": ["1", "2", "3", "4", "5"]})", "stop", "at most 4"},
      {R"({"model": "m", "prompt": "x", "stream": "true"})", "stream", "boolean"},
      {R"({"model": "m", "prompt": "x", "temperature": 2.1})", "temperature", "between 0 and 2, got 2.1"},
      {R"({"model": "m", "prompt": "x", "top_k": 0})", "top_k", "between 1 and 128, got 0"},
      {R"({"model": "m", "prompt": "x", "top_k": 129})", "top_k", "129"},
      {R"({"model": "m", "prompt": "x", "top_p": 1.5})", "top_p", "between 0 and 1, got 1.5"},
      {R"({"model": "m", "prompt": "x", "user": 7})", "user", "string"},
  };
  for (const auto& [body, param, needle] : cases) {
    auto call = parse(fireworks(), body);
    ASSERT_FALSE(call.ok()) << body;
    EXPECT_EQ(call.error().http_status, 400) << body;
    EXPECT_EQ(call.error().param, param) << body << ": " << call.error().message;
    EXPECT_NE(call.error().message.find(needle), std::string::npos) << body << ": " << call.error().message;
  }
  EXPECT_EQ(parse(fireworks(), "[1]").error().http_status, 400);
}

TEST(FireworksCompletions, RendersResponseLikeTheFixture) {
  auto call = parsed(R"({"model": "stories260K", "prompt": ["Hi", "Yo"], "n": 2, "logprobs": 1})");
  call->served_model = "stories260K";
  auto ev = token_event(0, 0, 8, " a", -0.25f, engine::FinishReason::kStop);
  ev.tokens[0].top = {{9, " b", -0.5f}};  // the sampled token joins its top dict
  call->on_event(ev);
  call->on_event(token_event(0, 1, 9, " b", -0.5f, engine::FinishReason::kLength));
  call->on_event(token_event(1, 1, 10, " c", -1.0f, engine::FinishReason::kLength));
  EXPECT_FALSE(call->done());
  call->on_event(token_event(1, 0, 11, " d", -2.0f, engine::FinishReason::kStop));
  ASSERT_TRUE(call->done());
  auto resp = call->render();
  EXPECT_EQ(resp.status, 200);
  auto j = json::parse(resp.body);
  EXPECT_EQ(j["id"].get<std::string>().rfind("cmpl-", 0), 0u);
  EXPECT_TRUE(j["created"].is_number_integer());
  EXPECT_EQ(stable(j), fixture("response_n2_logprobs.json"));
}

TEST(FireworksCompletions, EchoPrependsThePromptToEveryChoice) {
  auto call = parsed(R"({"model": "m", "prompt": [1, 5], "echo": true, "logprobs": 0, "n": 2})");
  engine::GenerationEvent scores;
  scores.prompt_scores = {{1, "<s>", std::nullopt, {}}, {5, "Once", -3.0f, {}}};
  call->on_event(scores);
  call->on_event(token_event(0, 0, 8, " a", -0.25f, engine::FinishReason::kLength));
  call->on_event(token_event(0, 1, 9, " b", -0.5f, engine::FinishReason::kLength));
  auto j = json::parse(call->render().body);
  EXPECT_EQ(j["choices"][0]["text"], "<s>Once a");
  EXPECT_EQ(j["choices"][1]["text"], "<s>Once b");
  const auto& lp = j["choices"][1]["logprobs"];
  EXPECT_EQ(lp["tokens"], json({"<s>", "Once", " b"}));
  EXPECT_TRUE(lp["token_logprobs"][0].is_null());
  EXPECT_TRUE(lp["top_logprobs"][0].is_null());
  EXPECT_EQ(lp["text_offset"], json({0, 3, 7}));
}

TEST(FireworksCompletions, EchoOffsetsAlignOnThePromptText) {
  // A text prompt echoes as sent; its pieces carry SentencePiece's leading space.
  auto call = parsed(R"({"model": "m", "prompt": "Once upon", "echo": true, "logprobs": 0})");
  engine::GenerationEvent scores;
  scores.prompt_scores = {{1, "", std::nullopt, {}}, {403, " Once", -3.0f, {{403, " Once", -3.0f}, {9, " The", -4.0f}}},
                          {407, " upon", -1.0f, {}}};
  call->on_event(scores);
  call->on_event(token_event(0, 0, 432, ",", -0.25f, engine::FinishReason::kLength));
  auto j = json::parse(call->render().body);
  EXPECT_EQ(j["choices"][0]["text"], "Once upon,");
  // The tokenizer's leading space is not in the echoed text, so the first piece loses it too: every
  // token sits at its text_offset, and the sampled entry among the alternatives reads the same.
  const auto& lp = j["choices"][0]["logprobs"];
  EXPECT_EQ(lp["tokens"], json({"", "Once", " upon", ","}));
  EXPECT_EQ(lp["text_offset"], json({0, 0, 4, 9}));
  EXPECT_EQ(lp["top_logprobs"][1], json({{"Once", -3.0}, {" The", -4.0}}));
}

TEST(FireworksCompletions, EchoKeepsPiecesThatDoNotSpellThePromptWithALeadingSpace) {
  // A prompt whose pieces spell it exactly (no added space) is left alone.
  auto call = parsed(R"({"model": "m", "prompt": " Once", "echo": true, "logprobs": 0})");
  engine::GenerationEvent scores;
  scores.prompt_scores = {{1, "", std::nullopt, {}}, {403, " Once", -3.0f, {}}};
  call->on_event(scores);
  call->on_event(token_event(0, 0, 432, ",", -0.25f, engine::FinishReason::kLength));
  auto j = json::parse(call->render().body);
  EXPECT_EQ(j["choices"][0]["text"], " Once,");
  EXPECT_EQ(j["choices"][0]["logprobs"]["tokens"], json({"", " Once", ","}));
  EXPECT_EQ(j["choices"][0]["logprobs"]["text_offset"], json({0, 0, 5}));
}

TEST(FireworksCompletions, StreamsChunksWithUsageInTheLastOne) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi", "stream": true, "echo": true, "n": 2})");
  call->served_model = "stories260K";
  const std::string first = call->on_event(token_event(0, 0, 8, " a", -0.1f));
  ASSERT_EQ(first.rfind("data: ", 0), 0u);
  ASSERT_EQ(first.substr(first.size() - 2), "\n\n");
  auto chunk = json::parse(first.substr(6));
  EXPECT_EQ(stable(chunk), fixture("stream_chunk.json"));
  EXPECT_FALSE(chunk.contains("usage"));
  // The second continuation's first chunk echoes the prompt too; only the very last chunk has usage.
  auto second = json::parse(call->on_event(token_event(0, 1, 9, " b", -0.1f, engine::FinishReason::kLength)).substr(6));
  EXPECT_EQ(second["choices"][0]["text"], "Hi b");
  EXPECT_EQ(second["choices"][0]["index"], 1);
  EXPECT_FALSE(second.contains("usage"));
  auto last = json::parse(call->on_event(token_event(0, 0, 10, " c", -0.1f, engine::FinishReason::kStop)).substr(6));
  ASSERT_TRUE(call->done());
  EXPECT_EQ(last["choices"][0]["text"], " c");
  EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(last["usage"], json({{"prompt_tokens", 5}, {"completion_tokens", 2}, {"total_tokens", 7}}));
  EXPECT_EQ(call->stream_tail(), "data: [DONE]\n\n");
}

TEST(FireworksCompletions, StreamReportsEngineFailure) {
  auto call = parsed(R"({"model": "m", "prompt": "Hi", "stream": true})");
  engine::GenerationEvent ev;
  ev.finish = engine::FinishReason::kError;
  ev.error = "boom";
  auto j = json::parse(call->on_event(ev).substr(6));
  EXPECT_EQ(j["error"]["message"], "boom");
  EXPECT_EQ(j["error"]["type"], "server_error");
}

TEST(FireworksCompletions, ErrorShape) {
  auto r = fireworks().render_error(bad_request("n", "n must be between 1 and 128, got 0"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), fixture("error_400.json"));
}

}  // namespace
}  // namespace mynah::api
