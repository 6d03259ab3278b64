// OpenAI /v1/completions: parameter mapping, validation messages, and response shapes.
#include <gtest/gtest.h>

#include "dialect_test_util.h"

namespace mynah::api {
namespace {

using nlohmann::json;
using testing::parse;
using testing::token_event;

const Dialect& openai() { return testing::dialect("openai.completions"); }

TEST(OpenAiCompletions, DefaultsFollowTheReference) {
  auto call = parse(openai(), R"({"prompt": "Hi"})");
  ASSERT_TRUE(call.ok()) << call.error().message;
  const auto& r = (*call)->request;
  EXPECT_EQ(r.max_new_tokens, 16);
  EXPECT_FLOAT_EQ(r.sampling.temperature, 1.0f);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 1.0f);
  EXPECT_EQ(r.n, 1);
  EXPECT_FALSE((*call)->stream);
  EXPECT_EQ(r.sampling.penalty_window, sampling::PenaltyWindow::kGeneratedOnly);
}

TEST(OpenAiCompletions, MapsEveryParameter) {
  auto call = parse(openai(), R"({"model": "m", "prompt": [[1, 2], [3]], "max_tokens": 7, "temperature": 0.5, "top_p": 0.9,
    "n": 2, "best_of": 3, "logprobs": 2, "echo": true, "stop": ["a", "b"], "presence_penalty": 0.5,
    "frequency_penalty": -0.5, "logit_bias": {"13": -100, "7": 2.5}, "seed": 42, "user": "u"})");
  ASSERT_TRUE(call.ok()) << call.error().message;
  const auto& r = (*call)->request;
  EXPECT_EQ((*call)->requested_model, "m");
  ASSERT_EQ(r.prompts.size(), 2u);
  EXPECT_EQ(r.prompts[0].tokens, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(r.n, 3);  // best_of continuations generated, n returned
  EXPECT_EQ(r.max_new_tokens, 7);
  EXPECT_FLOAT_EQ(r.sampling.temperature, 0.5f);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 0.9f);
  EXPECT_EQ(r.logprobs.top_n, 2);
  EXPECT_TRUE(r.logprobs.prompt);
  EXPECT_EQ(testing::stop_rules(r.stop), (testing::StopList{{"a", testing::kCut}, {"b", testing::kCut}}));
  EXPECT_FLOAT_EQ(r.sampling.presence_penalty, 0.5f);
  EXPECT_FLOAT_EQ(r.sampling.frequency_penalty, -0.5f);
  ASSERT_EQ(r.sampling.logit_bias.size(), 2u);
  EXPECT_EQ(r.sampling.seed, 42u);
}

TEST(OpenAiCompletions, RejectsOutOfRangeValuesNamingTheParameter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"prompt": "x", "temperature": 2.5})", "temperature"},
      {R"({"prompt": "x", "top_p": -0.1})", "top_p"},
      {R"({"prompt": "x", "n": 0})", "n"},
      {R"({"prompt": "x", "logprobs": 6})", "logprobs"},
      {R"({"prompt": "x", "stop": ["1", "2", "3", "4", "5"]})", "stop"},
      {R"({"prompt": "x", "presence_penalty": 3})", "presence_penalty"},
      {R"({"prompt": "x", "logit_bias": {"5": 101}})", "logit_bias"},
      {R"({"prompt": "x", "logit_bias": {"x": 1}})", "logit_bias"},
      {R"({"prompt": "x", "best_of": 1, "n": 2})", "best_of"},
      {R"({"prompt": "x", "best_of": 2, "stream": true})", "best_of"},
      {R"({"prompt": "x", "suffix": "tail"})", "suffix"},
      {R"({"prompt": "x", "max_tokens": -1})", "max_tokens"},
      {R"({"prompt": "x", "stream_options": {"include_usage": true}})", "stream_options"},
      {R"({"prompt": []})", "prompt"},
      {R"({"max_tokens": 3})", "prompt"},
  };
  for (const auto& [body, param] : cases) {
    auto call = parse(openai(), body);
    ASSERT_FALSE(call.ok()) << body;
    EXPECT_EQ(call.error().param, param) << body << ": " << call.error().message;
    EXPECT_EQ(call.error().http_status, 400);
  }
  EXPECT_FALSE(parse(openai(), "not json").ok());
}

TEST(OpenAiCompletions, RendersChoicesUsageAndLogprobs) {
  auto call = std::move(parse(openai(), R"({"prompt": "Hi", "logprobs": 1, "n": 2})")).value();
  call->served_model = "stories260K";
  call->on_event(token_event(0, 1, 9, " b", -0.5f, engine::FinishReason::kLength));
  EXPECT_FALSE(call->done());
  call->on_event(token_event(0, 0, 8, " a", -0.25f, engine::FinishReason::kStop));
  ASSERT_TRUE(call->done());
  auto resp = call->render();
  EXPECT_EQ(resp.status, 200);
  auto j = json::parse(resp.body);
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["model"], "stories260K");
  ASSERT_EQ(j["choices"].size(), 2u);
  EXPECT_EQ(j["choices"][0]["text"], " a");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["choices"][1]["finish_reason"], "length");
  EXPECT_EQ(j["choices"][0]["logprobs"]["tokens"][0], " a");
  EXPECT_FLOAT_EQ(j["choices"][0]["logprobs"]["token_logprobs"][0].get<float>(), -0.25f);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 5);
  EXPECT_EQ(j["usage"]["completion_tokens"], 2);
  EXPECT_EQ(j["usage"]["total_tokens"], 7);
}

TEST(OpenAiCompletions, EchoTextOffsetsIndexTheReturnedText) {
  // The pieces spell " Once upon" (SentencePiece's added space); the echoed text is the prompt as given.
  const auto prompt_scores = [] {
    engine::GenerationEvent ev;
    ev.prompt_scores = {{1, "", std::nullopt, {}}, {403, " Once", -3.0f, {}}, {407, " upon", -1.0f, {}}};
    return ev;
  };
  auto call = std::move(parse(openai(), R"({"prompt": "Once upon", "echo": true, "logprobs": 0})")).value();
  call->on_event(prompt_scores());
  call->on_event(token_event(0, 0, 432, ",", -0.25f, engine::FinishReason::kLength));
  auto j = json::parse(call->render().body);
  const auto& c = j["choices"][0];
  EXPECT_EQ(c["text"], "Once upon,");
  EXPECT_EQ(c["logprobs"]["tokens"], json({"", "Once", " upon", ","}));
  EXPECT_EQ(c["logprobs"]["text_offset"], json({0, 0, 4, 9}));
  // logprobs 0 still returns the sampled (here: given) token's own entry; the first prompt token has none.
  EXPECT_EQ(c["logprobs"]["top_logprobs"], json({nullptr, {{"Once", -3.0}}, {{" upon", -1.0}}, {{",", -0.25}}}));
  // Streaming: the first chunk carries the prompt with the same alignment; offsets continue after it.
  auto streamed = std::move(parse(openai(), R"({"prompt": "Once upon", "echo": true, "logprobs": 0, "stream": true})")).value();
  EXPECT_EQ(streamed->on_event(prompt_scores()), "");  // the prompt is echoed with the first token
  auto first = json::parse(streamed->on_event(token_event(0, 0, 432, ",", -0.25f)).substr(6))["choices"][0];
  EXPECT_EQ(first["text"], "Once upon,");
  EXPECT_EQ(first["logprobs"]["text_offset"], json({0, 0, 4, 9}));
  auto second = json::parse(streamed->on_event(token_event(0, 0, 261, " a", -0.5f, engine::FinishReason::kLength)).substr(6));
  EXPECT_EQ(second["choices"][0]["logprobs"]["text_offset"], json({10}));
}

TEST(OpenAiCompletions, StreamsChunksThenUsageThenDone) {
  auto call = std::move(parse(openai(), R"({"prompt": "Hi", "stream": true, "stream_options": {"include_usage": true}})")).value();
  const std::string first = call->on_event(token_event(0, 0, 8, " a", -0.1f));
  EXPECT_EQ(first.rfind("data: {", 0), 0u);
  auto chunk = json::parse(first.substr(6));
  EXPECT_EQ(chunk["choices"][0]["text"], " a");
  EXPECT_TRUE(chunk["choices"][0]["finish_reason"].is_null());
  EXPECT_TRUE(chunk["usage"].is_null());
  call->on_event(token_event(0, 0, 9, " b", -0.1f, engine::FinishReason::kLength));
  ASSERT_TRUE(call->done());
  const std::string tail = call->stream_tail();
  EXPECT_NE(tail.find("\"choices\":[]"), std::string::npos);
  EXPECT_NE(tail.find("data: [DONE]\n\n"), std::string::npos);
}

TEST(OpenAiCompletions, BestOfKeepsHighestMeanLogprob) {
  auto call = std::move(parse(openai(), R"({"prompt": "Hi", "best_of": 3, "n": 1})")).value();
  call->on_event(token_event(0, 0, 1, "x", -3.0f, engine::FinishReason::kLength));
  call->on_event(token_event(0, 1, 2, "y", -0.1f, engine::FinishReason::kLength));
  call->on_event(token_event(0, 2, 3, "z", -1.0f, engine::FinishReason::kLength));
  auto j = json::parse(call->render().body);
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_EQ(j["choices"][0]["text"], "y");
  EXPECT_EQ(j["choices"][0]["index"], 0);
}

TEST(OpenAiCompletions, ErrorShape) {
  auto r = openai().render_error(bad_request("n", "n must be between 1 and 128, got 0"));
  auto j = json::parse(r.body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(j["error"]["param"], "n");
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_TRUE(j["error"]["code"].is_null());
}

}  // namespace
}  // namespace mynah::api
