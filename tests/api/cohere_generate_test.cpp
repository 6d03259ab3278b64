// Cohere /v1/generate: parameter mapping, validation messages, both response shapes and the stream.
#include <regex>

#include <gtest/gtest.h>

#include "dialect_test_util.h"

namespace mynah::api {
namespace {

using nlohmann::json;
using testing::parse;
using testing::token_event;

const Dialect& cohere() { return testing::dialect("cohere.generate"); }
const std::map<std::string, std::string> kVersioned = {{"Cohere-Version", "2022-12-06"}};

bool is_uuid(const json& j) {
  static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return j.is_string() && std::regex_match(j.get<std::string>(), re);
}

engine::TokenScore score(int32_t id, std::string piece, std::optional<float> logprob) { return {id, std::move(piece), logprob, {}}; }

TEST(CohereGenerate, RoutesAndName) {
  const auto routes = cohere().routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].path, "/v1/generate");
  EXPECT_EQ(routes[1].path, "/generate");
  EXPECT_EQ(cohere().auth(), AuthScheme::kBearer);
}

TEST(CohereGenerate, DefaultsFollowTheDocument) {
  auto call = parse(cohere(), R"({"prompt": "Hi"})");
  ASSERT_TRUE(call.ok()) << call.error().message;
  const auto& r = (*call)->request;
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0].text, "Hi");
  EXPECT_EQ(r.max_new_tokens, 20);
  EXPECT_FLOAT_EQ(r.sampling.temperature, 0.75f);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 0.75f);
  EXPECT_FALSE(r.sampling.top_k.has_value());  // k 0: disabled
  EXPECT_EQ(r.n, 1);
  EXPECT_FLOAT_EQ(r.sampling.frequency_penalty, 0.0f);
  EXPECT_FLOAT_EQ(r.sampling.presence_penalty, 0.0f);
  EXPECT_EQ(r.sampling.penalty_window, sampling::PenaltyWindow::kPromptAndGenerated);
  EXPECT_TRUE(r.stop.strings.empty());
  EXPECT_FALSE(r.logprobs.generated);
  EXPECT_FALSE(r.logprobs.prompt);
  EXPECT_EQ(r.overflow, engine::OverflowPolicy::kError);
  EXPECT_FALSE((*call)->stream);
  EXPECT_EQ((*call)->requested_model, "");
}

TEST(CohereGenerate, TrimsTrailingWhitespaceOnly) {
  auto call = parse(cohere(), R"({"prompt": "  Once upon a time \n\t "})");
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->request.prompts[0].text, "  Once upon a time");
}

TEST(CohereGenerate, MapsEveryParameter) {
  auto call = parse(cohere(), R"({"prompt": "Hi", "model": "stories260K", "max_tokens": 7, "temperature": 4.5,
    "num_generations": 3, "k": 40, "p": 0.5, "frequency_penalty": 0.25, "presence_penalty": 0.75,
    "stop_sequences": [".", "girl"], "end_sequences": ["--"], "return_likelihoods": "ALL", "logit_bias": {"11": -10, "7": 2.5},
    "seed": 42, "stream": true, "truncate": "END", "unknown_field": {"ignored": true}})", kVersioned);
  ASSERT_TRUE(call.ok()) << call.error().message;
  const auto& r = (*call)->request;
  EXPECT_EQ((*call)->requested_model, "stories260K");
  EXPECT_EQ(r.max_new_tokens, 7);
  EXPECT_FLOAT_EQ(r.sampling.temperature, 4.5f);
  EXPECT_EQ(r.n, 3);
  EXPECT_EQ(r.sampling.top_k, 40);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 0.5f);
  EXPECT_FLOAT_EQ(r.sampling.frequency_penalty, 0.25f);
  EXPECT_FLOAT_EQ(r.sampling.presence_penalty, 0.75f);
  // stop_sequences keep the match, end_sequences cut it
  EXPECT_EQ(testing::stop_rules(r.stop), (testing::StopList{{".", testing::kKept}, {"girl", testing::kKept}, {"--", testing::kCut}}));
  EXPECT_TRUE(r.logprobs.generated);
  EXPECT_TRUE(r.logprobs.prompt);
  EXPECT_EQ(r.logprobs.top_n, 0);
  ASSERT_EQ(r.sampling.logit_bias.size(), 2u);
  EXPECT_EQ(r.sampling.logit_bias[0].id, 11);
  EXPECT_FLOAT_EQ(r.sampling.logit_bias[0].bias, -10.0f);
  EXPECT_EQ(r.sampling.seed, 42u);
  EXPECT_TRUE((*call)->stream);
}

TEST(CohereGenerate, ReturnLikelihoodsModes) {
  auto gen = parse(cohere(), R"({"prompt": "Hi", "return_likelihoods": "GENERATION"})");
  ASSERT_TRUE(gen.ok());
  EXPECT_TRUE((*gen)->request.logprobs.generated);
  EXPECT_FALSE((*gen)->request.logprobs.prompt);
  auto none = parse(cohere(), R"({"prompt": "Hi", "return_likelihoods": "NONE"})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE((*none)->request.logprobs.generated);
}

TEST(CohereGenerate, PZeroOrOneAndKZeroDisableTruncation) {
  for (const char* body : {R"({"prompt": "Hi", "p": 0, "k": 0})", R"({"prompt": "Hi", "p": 1.0})"}) {
    auto call = parse(cohere(), body);
    ASSERT_TRUE(call.ok());
    EXPECT_FLOAT_EQ((*call)->request.sampling.top_p, 1.0f) << body;
    EXPECT_FALSE((*call)->request.sampling.top_k.has_value()) << body;
  }
  auto greedy = parse(cohere(), R"({"prompt": "Hi", "temperature": 0})");
  ASSERT_TRUE(greedy.ok());
  EXPECT_TRUE((*greedy)->request.sampling.greedy());
}

TEST(CohereGenerate, MaxTokensZeroOnlyWithAll) {
  auto ok = parse(cohere(), R"({"prompt": "Hi", "max_tokens": 0, "return_likelihoods": "ALL"})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)->request.max_new_tokens, 0);
  EXPECT_TRUE((*ok)->request.logprobs.prompt);
  for (const char* body : {R"({"prompt": "Hi", "max_tokens": 0})", R"({"prompt": "Hi", "max_tokens": 0, "return_likelihoods": "GENERATION"})"}) {
    auto bad = parse(cohere(), body);
    ASSERT_FALSE(bad.ok()) << body;
    EXPECT_EQ(bad.error().param, "max_tokens");
    EXPECT_NE(bad.error().message.find("ALL"), std::string::npos);
  }
}

TEST(CohereGenerate, RejectsOutOfRangeValuesNamingTheParameterRangeAndValue) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {R"({})", "prompt", "required"},
      {R"({"prompt": 5})", "prompt", "5"},
      {R"({"prompt": "   "})", "prompt", "empty"},
      {R"({"prompt": "x", "max_tokens": -1})", "max_tokens", "-1"},
      {R"({"prompt": "x", "max_tokens": 1.5})", "max_tokens", "1.5"},
      {R"({"prompt": "x", "temperature": 5.1})", "temperature", "between 0 and 5, got 5.1"},
      {R"({"prompt": "x", "temperature": -0.1})", "temperature", "-0.1"},
      {R"({"prompt": "x", "num_generations": 6})", "num_generations", "between 1 and 5, got 6"},
      {R"({"prompt": "x", "num_generations": 0})", "num_generations", "got 0"},
      {R"({"prompt": "x", "k": 501})", "k", "between 0 and 500, got 501"},
      {R"({"prompt": "x", "k": -1})", "k", "-1"},
      {R"({"prompt": "x", "p": 1.5})", "p", "between 0 and 1, got 1.5"},
      {R"({"prompt": "x", "frequency_penalty": 1.1})", "frequency_penalty", "between 0 and 1, got 1.1"},
      {R"({"prompt": "x", "presence_penalty": -0.5})", "presence_penalty", "-0.5"},
      {R"({"prompt": "x", "stop_sequences": "."})", "stop_sequences", "array"},
      {R"({"prompt": "x", "stop_sequences": [1]})", "stop_sequences", "1"},
      {R"({"prompt": "x", "end_sequences": "."})", "end_sequences", "array"},
      {R"({"prompt": "x", "end_sequences": [""]})", "end_sequences", "non-empty"},
      {R"({"prompt": "x", "return_likelihoods": "SOME"})", "return_likelihoods", "GENERATION, ALL, NONE, got \"SOME\""},
      {R"({"prompt": "x", "logit_bias": {"11": 10.5}})", "logit_bias", "between -10 and 10, got 10.5"},
      {R"({"prompt": "x", "logit_bias": {"newline": 1}})", "logit_bias", "newline"},
      {R"({"prompt": "x", "preset": "my-preset"})", "preset", "presets are not supported"},
      {R"({"prompt": "x", "model": 3})", "model", "3"},
      {R"({"prompt": "x", "stream": "yes"})", "stream", "yes"},
      {R"({"prompt": "x", "seed": "s"})", "seed", "s"},
  };
  for (const auto& [body, param, fragment] : cases) {
    auto call = parse(cohere(), body, kVersioned);
    ASSERT_FALSE(call.ok()) << body;
    EXPECT_EQ(call.error().param, param) << body << ": " << call.error().message;
    EXPECT_EQ(call.error().http_status, 400);
    EXPECT_NE(call.error().message.find(fragment), std::string::npos) << call.error().message;
  }
  EXPECT_FALSE(parse(cohere(), "[1]").ok());
}

TEST(CohereGenerate, NumGenerationsNeedsTheVersionHeader) {
  auto bad = parse(cohere(), R"({"prompt": "x", "num_generations": 2})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().param, "num_generations");
  EXPECT_NE(bad.error().message.find("Cohere-Version"), std::string::npos);
  EXPECT_FALSE(parse(cohere(), R"({"prompt": "x", "num_generations": 2})", {{"Cohere-Version", "2021-10-01"}}).ok());
  EXPECT_TRUE(parse(cohere(), R"({"prompt": "x", "num_generations": 2})", {{"Cohere-Version", "2021-11-08"}}).ok());
  auto garbled = parse(cohere(), R"({"prompt": "x"})", {{"Cohere-Version", "latest"}});
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.error().param, "Cohere-Version");
}

TEST(CohereGenerate, RendersGenerationsWithLikelihoods) {
  auto call = std::move(parse(cohere(), R"({"prompt": "Hi there ", "return_likelihoods": "ALL", "num_generations": 2})", kVersioned)).value();
  engine::GenerationEvent prompt_ev;
  prompt_ev.prompt_scores = {score(1, "", std::nullopt), score(5, "Hi", -2.0f), score(6, " there", -1.0f)};
  call->on_event(prompt_ev);
  auto ev = token_event(0, 0, 8, " a", -0.5f);
  ev.tokens.push_back(score(9, " b", -1.5f));
  ev.text_delta = " a b";
  ev.finish = engine::FinishReason::kLength;
  ev.usage = {3, 2, 0};
  call->on_event(ev);
  auto second = token_event(0, 1, 8, " c", -4.0f, engine::FinishReason::kStop);
  second.usage = {3, 1, 0};
  call->on_event(second);
  ASSERT_TRUE(call->done());
  auto resp = call->render();
  ASSERT_EQ(resp.status, 200);
  auto j = json::parse(resp.body);
  EXPECT_TRUE(is_uuid(j["id"]));
  EXPECT_EQ(j["prompt"], "Hi there");
  ASSERT_EQ(j["generations"].size(), 2u);
  const auto& g = j["generations"][0];
  EXPECT_TRUE(is_uuid(g["id"]));
  EXPECT_NE(g["id"], j["id"]);
  EXPECT_EQ(g["text"], " a b");
  EXPECT_EQ(g["index"], 0);
  ASSERT_EQ(g["token_likelihoods"].size(), 5u);
  EXPECT_EQ(g["token_likelihoods"][0]["token"], "");
  EXPECT_FALSE(g["token_likelihoods"][0].contains("likelihood"));  // the first token has none
  EXPECT_EQ(g["token_likelihoods"][1]["token"], "Hi");
  EXPECT_DOUBLE_EQ(g["token_likelihoods"][4]["likelihood"].get<double>(), -1.5);
  EXPECT_DOUBLE_EQ(g["likelihood"].get<double>(), (-2.0 - 1.0 - 0.5 - 1.5) / 4);
  // The engine scores the prompt once (on generation 0); generation 1 shows the same prompt scores.
  EXPECT_EQ(j["generations"][1]["token_likelihoods"].size(), 4u);
  EXPECT_DOUBLE_EQ(j["generations"][1]["likelihood"].get<double>(), (-2.0 - 1.0 - 4.0) / 3);
  EXPECT_EQ(j["meta"]["api_version"]["version"], "1");
  EXPECT_EQ(j["meta"]["billed_units"]["input_tokens"], 3);
  EXPECT_EQ(j["meta"]["billed_units"]["output_tokens"], 3);
}

TEST(CohereGenerate, GenerationLikelihoodsLeaveThePromptOut) {
  auto call = std::move(parse(cohere(), R"({"prompt": "Hi", "return_likelihoods": "GENERATION"})", kVersioned)).value();
  auto ev = token_event(0, 0, 8, " a", -0.5f);
  ev.tokens.push_back(score(9, " b", -1.0f));
  ev.finish = engine::FinishReason::kLength;
  call->on_event(ev);
  auto j = json::parse(call->render().body);
  const auto& g = j["generations"][0];
  ASSERT_EQ(g["token_likelihoods"].size(), 2u);
  EXPECT_DOUBLE_EQ(g["likelihood"].get<double>(), -0.75);
  EXPECT_FALSE(g.contains("index"));  // only with several generations
}

TEST(CohereGenerate, NoLikelihoodKeysUnlessRequested) {
  auto call = std::move(parse(cohere(), R"({"prompt": "Hi"})", kVersioned)).value();
  call->on_event(token_event(0, 0, 8, " a", -0.5f, engine::FinishReason::kLength));
  auto g = json::parse(call->render().body)["generations"][0];
  EXPECT_FALSE(g.contains("likelihood"));
  EXPECT_FALSE(g.contains("token_likelihoods"));
}

TEST(CohereGenerate, LegacyShapeWithoutVersionHeader) {
  auto call = std::move(parse(cohere(), R"({"prompt": "Hi"})")).value();
  call->on_event(token_event(0, 0, 8, " Brumana", -0.5f, engine::FinishReason::kLength));
  auto j = json::parse(call->render().body);
  EXPECT_EQ(j, json({{"text", " Brumana"}}));

  auto scored = std::move(parse(cohere(), R"({"prompt": "Hi", "return_likelihoods": "GENERATION"})")).value();
  scored->on_event(token_event(0, 0, 8, " a", -0.5f, engine::FinishReason::kLength));
  auto s = json::parse(scored->render().body);
  EXPECT_EQ(s["text"], " a");
  EXPECT_DOUBLE_EQ(s["likelihood"].get<double>(), -0.5);
  EXPECT_EQ(s["token_likelihoods"][0]["token"], " a");
  EXPECT_FALSE(s.contains("generations"));
}

TEST(CohereGenerate, StreamsJsonLinesThenStreamEnd) {
  auto call = std::move(parse(cohere(), R"({"prompt": "Hi", "stream": true, "stop_sequences": ["."]})")).value();
  EXPECT_EQ(call->stream_content_type(), "application/stream+json");
  const std::string first = call->on_event(token_event(0, 0, 8, " a", -0.1f));
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.back(), '\n');
  auto chunk = json::parse(first);
  EXPECT_EQ(chunk["event_type"], "text-generation");
  EXPECT_EQ(chunk["text"], " a");
  EXPECT_EQ(chunk["is_finished"], false);
  call->on_event(token_event(0, 0, 9, ".", -0.1f, engine::FinishReason::kStop));
  ASSERT_TRUE(call->done());
  auto end = json::parse(call->stream_tail());
  EXPECT_EQ(end["event_type"], "stream-end");
  EXPECT_EQ(end["is_finished"], true);
  EXPECT_EQ(end["finish_reason"], "STOP_SEQUENCE");
  EXPECT_TRUE(is_uuid(end["response"]["id"]));
  EXPECT_EQ(end["response"]["prompt"], "Hi");
  EXPECT_EQ(end["response"]["generations"][0]["text"], " a.");
  EXPECT_EQ(end["response"]["generations"][0]["finish_reason"], "STOP_SEQUENCE");
}

TEST(CohereGenerate, StreamFinishReasons) {
  auto length = std::move(parse(cohere(), R"({"prompt": "Hi", "stream": true})")).value();
  length->on_event(token_event(0, 0, 8, " a", -0.1f, engine::FinishReason::kLength));
  EXPECT_EQ(json::parse(length->stream_tail())["finish_reason"], "MAX_TOKENS");
  auto eos = std::move(parse(cohere(), R"({"prompt": "Hi", "stream": true})")).value();
  eos->on_event(token_event(0, 0, 2, "", -0.1f, engine::FinishReason::kStop));
  EXPECT_EQ(json::parse(eos->stream_tail())["finish_reason"], "COMPLETE");
  // An end sequence is cut from the text: the token that spelled it shows it was a stop sequence.
  auto ended = std::move(parse(cohere(), R"({"prompt": "Hi", "stream": true, "end_sequences": ["--"]})")).value();
  auto cut = token_event(0, 0, 8, " a--b", -0.1f, engine::FinishReason::kStop);
  cut.text_delta = " a";
  ended->on_event(cut);
  auto ended_tail = json::parse(ended->stream_tail());
  EXPECT_EQ(ended_tail["finish_reason"], "STOP_SEQUENCE");
  EXPECT_EQ(ended_tail["response"]["generations"][0]["text"], " a");
  auto eos_after_text = std::move(parse(cohere(), R"({"prompt": "Hi", "stream": true, "end_sequences": ["--"]})")).value();
  eos_after_text->on_event(token_event(0, 0, 2, " a", -0.1f, engine::FinishReason::kStop));
  EXPECT_EQ(json::parse(eos_after_text->stream_tail())["finish_reason"], "COMPLETE");
  auto failed = std::move(parse(cohere(), R"({"prompt": "Hi", "stream": true, "num_generations": 2})")).value();
  failed->on_event(token_event(0, 0, 2, " x", -0.1f, engine::FinishReason::kLength));
  auto err = token_event(0, 1, 2, "", -0.1f, engine::FinishReason::kError);
  err.error = "boom";
  const std::string line = failed->on_event(err);
  EXPECT_NE(line.find("\"stream-error\""), std::string::npos);
  EXPECT_NE(line.find("boom"), std::string::npos);
  EXPECT_EQ(json::parse(failed->stream_tail())["finish_reason"], "ERROR");
}

TEST(CohereGenerate, StreamChunksCarryIndexWithSeveralGenerations) {
  auto call = std::move(parse(cohere(), R"({"prompt": "Hi", "stream": true, "num_generations": 2})", kVersioned)).value();
  auto chunk = json::parse(call->on_event(token_event(0, 1, 8, " a", -0.1f)));
  EXPECT_EQ(chunk["index"], 1);
}

TEST(CohereGenerate, ErrorShapeIsAMessage) {
  auto r = cohere().render_error(bad_request("k", "k must be between 0 and 500, got 501"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), json({{"message", "k must be between 0 and 500, got 501"}}));
  auto missing = cohere().render_error(ApiError{404, "model 'x' does not exist; available: stories260K", "model"});
  EXPECT_EQ(missing.status, 404);
  auto failed = std::move(parse(cohere(), R"({"prompt": "Hi"})")).value();
  auto ev = token_event(0, 0, 8, "", -0.1f, engine::FinishReason::kError);
  ev.error = "engine failure";
  failed->on_event(ev);
  auto resp = failed->render();
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(json::parse(resp.body)["message"], "engine failure");
}

}  // namespace
}  // namespace mynah::api
