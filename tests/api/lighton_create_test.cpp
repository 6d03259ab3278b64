// LightOn Muse /muse/v1/create: parameter mapping, validation messages and the response shape,
// including the document's own score and cost arithmetic.
#include <regex>

#include <gtest/gtest.h>

#include "dialect_test_util.h"

namespace mynah::api {
namespace {

using nlohmann::json;
using testing::parse;
using testing::token_event;

const Dialect& lighton() { return testing::dialect("lighton.create"); }
const std::map<std::string, std::string> kModel = {{"X-Model", "stories260K"}};

// A finished sequence of `n` tokens with the given log-probabilities and usage.
engine::GenerationEvent sequence(int32_t prompt_idx, int32_t seq_idx, const std::vector<std::pair<std::string, float>>& tokens,
                                 int32_t n_prompt, engine::FinishReason finish = engine::FinishReason::kLength) {
  engine::GenerationEvent ev;
  ev.prompt_idx = prompt_idx;
  ev.seq_idx = seq_idx;
  for (const auto& [piece, logprob] : tokens) {
    ev.tokens.push_back({7, piece, logprob, {}});
    ev.text_delta += piece;
  }
  ev.finish = finish;
  ev.usage = {n_prompt, static_cast<int32_t>(tokens.size()), 0};
  return ev;
}

TEST(LightOnCreate, RouteAuthAndName) {
  ASSERT_EQ(lighton().routes().size(), 1u);
  EXPECT_EQ(lighton().routes()[0].method, "POST");
  EXPECT_EQ(lighton().routes()[0].path, "/muse/v1/create");
  EXPECT_EQ(lighton().auth(), AuthScheme::kXApiKey);
}

TEST(LightOnCreate, DefaultsFollowTheDocument) {
  auto call = parse(lighton(), R"({"text": "Il était une fois"})", kModel);
  ASSERT_TRUE(call.ok()) << call.error().message;
  const auto& r = (*call)->request;
  EXPECT_EQ((*call)->requested_model, "stories260K");
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0].text, "Il était une fois");
  EXPECT_EQ(r.max_new_tokens, 20);
  EXPECT_EQ(r.n, 1);
  EXPECT_FLOAT_EQ(r.sampling.temperature, 1.0f);  // mode nucleus
  EXPECT_FLOAT_EQ(r.sampling.top_p, 0.9f);
  EXPECT_FALSE(r.sampling.top_k.has_value());     // k is used only in topk mode
  EXPECT_TRUE(r.word_biases.empty());
  EXPECT_EQ(r.sampling.penalty_window, sampling::PenaltyWindow::kPromptAndGenerated);
  EXPECT_TRUE(r.logprobs.generated);
  EXPECT_FALSE(r.logprobs.prompt);
  EXPECT_EQ(r.overflow, engine::OverflowPolicy::kTruncatePromptLeft);
  EXPECT_FALSE((*call)->stream);
}

TEST(LightOnCreate, WithoutXModelTheServerDefaultServes) {
  auto call = parse(lighton(), R"({"text": "x", "params": null})");
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->requested_model, "");
}

TEST(LightOnCreate, ModesPickTheirOwnKnobs) {
  auto greedy = parse(lighton(), R"({"text": "x", "params": {"mode": "greedy", "temperature": 0.7, "k": 3, "p": 0.5}})");
  ASSERT_TRUE(greedy.ok());
  EXPECT_TRUE((*greedy)->request.sampling.greedy());  // temperature ignored in greedy mode
  EXPECT_FALSE((*greedy)->request.sampling.top_k.has_value());
  auto topk = parse(lighton(), R"({"text": "x", "params": {"mode": "topk", "temperature": 0.7, "p": 0.5}})");
  ASSERT_TRUE(topk.ok());
  EXPECT_EQ((*topk)->request.sampling.top_k, 5);  // default k
  EXPECT_FLOAT_EQ((*topk)->request.sampling.top_p, 1.0f);  // p only in nucleus mode
  EXPECT_FLOAT_EQ((*topk)->request.sampling.temperature, 0.7f);
  auto topk3 = parse(lighton(), R"({"text": "x", "params": {"mode": "topk", "k": 3}})");
  EXPECT_EQ((*topk3)->request.sampling.top_k, 3);
  auto nucleus = parse(lighton(), R"({"text": "x", "params": {"mode": "nucleus", "k": 3, "p": 0.5, "temperature": 0}})");
  ASSERT_TRUE(nucleus.ok());
  EXPECT_FALSE((*nucleus)->request.sampling.top_k.has_value());
  EXPECT_FLOAT_EQ((*nucleus)->request.sampling.top_p, 0.5f);
  EXPECT_TRUE((*nucleus)->request.sampling.greedy());  // "A temperature of 0 corresponds to greedy sampling"
}

TEST(LightOnCreate, MapsEveryParameter) {
  auto call = parse(lighton(), R"({"text": ["Once", "Upon"], "params": {"n_tokens": 7, "n_completions": 3, "best_of": 2,
    "temperature": 0.5, "p": 0.8, "biases": {"girl": -100, "park": 5}, "presence_penalty": 0.25, "frequency_penalty": 0.5,
    "stop_words": [".", "Lily"], "concat_prompt": true, "return_logprobs": true, "seed": 42, "skill": null,
    "unknown": 1}, "also_unknown": true})", kModel);
  ASSERT_TRUE(call.ok()) << call.error().message;
  const auto& r = (*call)->request;
  ASSERT_EQ(r.prompts.size(), 2u);
  EXPECT_EQ(r.prompts[1].text, "Upon");
  EXPECT_EQ(r.max_new_tokens, 7);
  EXPECT_EQ(r.n, 3);  // n_completions generated, best_of returned
  EXPECT_FLOAT_EQ(r.sampling.temperature, 0.5f);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 0.8f);
  ASSERT_EQ(r.word_biases.size(), 2u);
  EXPECT_EQ(r.word_biases[0].word, "girl");
  EXPECT_FLOAT_EQ(r.word_biases[0].bias, -100.0f);
  EXPECT_EQ(r.word_biases[1].word, "park");
  EXPECT_FLOAT_EQ(r.sampling.presence_penalty, 0.25f);
  EXPECT_FLOAT_EQ(r.sampling.frequency_penalty, 0.5f);
  EXPECT_EQ(testing::stop_rules(r.stop), (testing::StopList{{".", testing::kCut}, {"Lily", testing::kCut}}));
  EXPECT_EQ(r.sampling.seed, 42u);
}

TEST(LightOnCreate, RejectsOutOfRangeValuesNamingTheParameterRangeAndValue) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {R"({})", "text", "required"},
      {R"({"text": 3})", "text", "3"},
      {R"({"text": []})", "text", "non-empty"},
      {R"({"text": ["a", 1]})", "text", "1"},
      {R"({"text": "x", "params": [1]})", "params", "object"},
      {R"({"text": "x", "params": {"mode": "beam"}})", "mode", "greedy, topk, nucleus, got \"beam\""},
      {R"({"text": "x", "params": {"n_tokens": 0}})", "n_tokens", "between 1 and 511, got 0"},
      {R"({"text": "x", "params": {"n_tokens": 512}})", "n_tokens", "got 512"},
      {R"({"text": "x", "params": {"n_completions": 0}})", "n_completions", "got 0"},
      {R"({"text": "x", "params": {"n_completions": 2, "best_of": 2}})", "best_of", "smaller than n_completions (2), got 2"},
      {R"({"text": "x", "params": {"best_of": 1}})", "best_of", "smaller than n_completions (1), got 1"},
      {R"({"text": "x", "params": {"n_completions": 3, "best_of": 0}})", "best_of", "got 0"},
      {R"({"text": "x", "params": {"temperature": -0.5}})", "temperature", "at least 0, got -0.5"},
      {R"({"text": "x", "params": {"p": 1.5}})", "p", "between 0 and 1, got 1.5"},
      {R"({"text": "x", "params": {"k": 0}})", "k", "got 0"},
      {R"({"text": "x", "params": {"biases": {"girl": -101}}})", "biases", "between -100 and 100, got -101"},
      {R"({"text": "x", "params": {"biases": {"girl": "up"}}})", "biases", "\"up\""},
      {R"({"text": "x", "params": {"biases": ["girl"]}})", "biases", "object"},
      {R"({"text": "x", "params": {"presence_penalty": 1.5}})", "presence_penalty", "between 0 and 1, got 1.5"},
      {R"({"text": "x", "params": {"frequency_penalty": -1}})", "frequency_penalty", "-1"},
      {R"({"text": "x", "params": {"stop_words": "."}})", "stop_words", "array"},
      {R"({"text": "x", "params": {"stop_words": [2]}})", "stop_words", "2"},
      {R"({"text": "x", "params": {"concat_prompt": "yes"}})", "concat_prompt", "yes"},
      {R"({"text": "x", "params": {"return_logprobs": 1}})", "return_logprobs", "1"},
      {R"({"text": "x", "params": {"seed": 1.5}})", "seed", "1.5"},
      {R"({"text": "x", "params": {"skill": "summarisation"}})", "skill", "not supported"},
  };
  for (const auto& [body, param, fragment] : cases) {
    auto call = parse(lighton(), body, kModel);
    ASSERT_FALSE(call.ok()) << body;
    EXPECT_EQ(call.error().param, param) << body << ": " << call.error().message;
    EXPECT_EQ(call.error().http_status, 400);
    EXPECT_NE(call.error().message.find(fragment), std::string::npos) << call.error().message;
  }
}

TEST(LightOnCreate, ContextBoundAppliesOnlyToTheDefaultModel) {
  EXPECT_TRUE(parse(lighton(), R"({"text": "x", "params": {"n_tokens": 511}})", kModel).ok());
  // Another model's context is unknown here: the engine checks it.
  EXPECT_TRUE(parse(lighton(), R"({"text": "x", "params": {"n_tokens": 4000}})", {{"X-Model", "bigger"}}).ok());
}

TEST(LightOnCreate, RendersTheDocumentExample) {
  auto call = std::move(parse(lighton(), R"({"text": "Il était une fois", "params": {"mode": "nucleus", "n_tokens": 25, "p": 0.9}})",
                              {{"X-Model", "orion-fr"}}))
                  .value();
  call->served_model = "orion-fr";
  // 25 tokens whose log-probabilities sum to the example's -67.8477555513382.
  std::vector<std::pair<std::string, float>> tokens(24, {"x", -2.5f});
  tokens.push_back({"y", static_cast<float>(-67.8477555513382 + 60.0)});
  call->on_event(sequence(0, 0, tokens, 4));
  ASSERT_TRUE(call->done());
  auto resp = call->render();
  ASSERT_EQ(resp.status, 200);
  auto j = json::parse(resp.body);
  static const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  EXPECT_TRUE(std::regex_match(j["request_id"].get<std::string>(), uuid));
  ASSERT_EQ(j["outputs"].size(), 1u);
  ASSERT_TRUE(j["outputs"][0].is_array());
  ASSERT_EQ(j["outputs"][0].size(), 1u);
  const auto& out = j["outputs"][0][0];
  EXPECT_EQ(out["input_text"], "Il était une fois");
  ASSERT_EQ(out["completions"].size(), 1u);
  const auto& c = out["completions"][0];
  EXPECT_EQ(c["output_text"], std::string(24, 'x') + "y");
  EXPECT_NEAR(c["score"]["logprob"].get<double>(), -67.8477555513382, 1e-5);
  EXPECT_NEAR(c["score"]["normalized_logprob"].get<double>(), -2.713910222053528, 1e-6);
  EXPECT_DOUBLE_EQ(c["score"]["normalized_logprob"].get<double>(), c["score"]["logprob"].get<double>() / 25);
  EXPECT_TRUE(c["score"]["token_logprobs"].is_null());
  const auto& cost = c["execution_metadata"]["cost"];
  EXPECT_EQ(cost["tokens_used"], 29);
  EXPECT_EQ(cost["tokens_input"], 4);
  EXPECT_EQ(cost["tokens_generated"], 25);
  EXPECT_EQ(cost["cost_type"], "orion-fr@default");
  EXPECT_EQ(cost["batch_size"], 1);
  EXPECT_EQ(c["execution_metadata"]["finish_reason"], "length");
  EXPECT_EQ(j["costs"], json::parse(R"({"orion-fr@default": {"total_tokens_used": 29, "total_tokens_input": 4,
    "total_tokens_generated": 25, "batch_size": 1}})"));
}

TEST(LightOnCreate, BatchBestOfBySummedLogprobAndCostsCountEverything) {
  auto call = std::move(parse(lighton(), R"({"text": ["A", "B"], "params": {"n_completions": 2, "best_of": 1}})", kModel)).value();
  call->served_model = "stories260K";
  // Prompt 0: seq 0 sums -1 (mean -1), seq 1 sums -2 (mean -0.5): the SUM picks seq 0.
  call->on_event(sequence(0, 1, {{" b", -0.5f}, {" b", -0.5f}, {" b", -0.5f}, {" b", -0.5f}}, 2));
  call->on_event(sequence(0, 0, {{" a", -1.0f}}, 2, engine::FinishReason::kStop));
  call->on_event(sequence(1, 0, {{" c", -3.0f}}, 3));
  EXPECT_FALSE(call->done());
  call->on_event(sequence(1, 1, {{" d", -0.25f}}, 3));
  ASSERT_TRUE(call->done());
  auto j = json::parse(call->render().body);
  ASSERT_EQ(j["outputs"].size(), 2u);
  EXPECT_EQ(j["outputs"][0][0]["input_text"], "A");
  ASSERT_EQ(j["outputs"][0][0]["completions"].size(), 1u);
  EXPECT_EQ(j["outputs"][0][0]["completions"][0]["output_text"], " a");
  EXPECT_EQ(j["outputs"][0][0]["completions"][0]["execution_metadata"]["finish_reason"], "stop");
  EXPECT_EQ(j["outputs"][0][0]["completions"][0]["execution_metadata"]["cost"]["batch_size"], 2);
  EXPECT_EQ(j["outputs"][1][0]["input_text"], "B");
  EXPECT_EQ(j["outputs"][1][0]["completions"][0]["output_text"], " d");
  const auto& total = j["costs"]["stories260K@default"];
  EXPECT_EQ(total["total_tokens_input"], 5);      // each text once
  EXPECT_EQ(total["total_tokens_generated"], 7);  // every completion, kept or not
  EXPECT_EQ(total["total_tokens_used"], 12);
  EXPECT_EQ(total["batch_size"], 2);
}

TEST(LightOnCreate, AllCompletionsWithoutBestOf) {
  auto call = std::move(parse(lighton(), R"({"text": "A", "params": {"n_completions": 3}})", kModel)).value();
  for (int32_t i = 0; i < 3; ++i) call->on_event(sequence(0, i, {{std::to_string(i), -1.0f * static_cast<float>(i)}}, 2));
  auto j = json::parse(call->render().body);
  ASSERT_EQ(j["outputs"][0][0]["completions"].size(), 3u);
  EXPECT_EQ(j["outputs"][0][0]["completions"][2]["output_text"], "2");
}

TEST(LightOnCreate, ConcatPromptAndTokenLogprobs) {
  auto call = std::move(parse(lighton(), R"({"text": "Once upon", "params": {"concat_prompt": true, "return_logprobs": true}})", kModel)).value();
  call->on_event(sequence(0, 0, {{" a", -0.5f}, {" time", -0.25f}}, 3));
  auto c = json::parse(call->render().body)["outputs"][0][0]["completions"][0];
  EXPECT_EQ(c["output_text"], "Once upon a time");
  EXPECT_EQ(c["score"]["token_logprobs"], json::parse(R"([{" a": -0.5}, {" time": -0.25}])"));
  EXPECT_DOUBLE_EQ(c["score"]["logprob"].get<double>(), -0.75);
  EXPECT_DOUBLE_EQ(c["score"]["normalized_logprob"].get<double>(), -0.375);
}

TEST(LightOnCreate, ErrorShape) {
  auto r = lighton().render_error(bad_request("n_tokens", "n_tokens must be between 1 and 511, got 0"));
  EXPECT_EQ(r.status, 400);
  auto j = json::parse(r.body);
  EXPECT_TRUE(j["error"].is_string());
  EXPECT_EQ(j["detail"], "n_tokens must be between 1 and 511, got 0");
  auto missing = lighton().render_error(ApiError{404, "model 'x' does not exist; available: stories260K", "model"});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["error"], "not_found");
  auto failed = std::move(parse(lighton(), R"({"text": "A"})")).value();
  auto ev = token_event(0, 0, 8, "", -0.1f, engine::FinishReason::kError);
  ev.error = "engine failure";
  failed->on_event(ev);
  auto resp = failed->render();
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(json::parse(resp.body)["detail"], "engine failure");
}

}  // namespace
}  // namespace mynah::api
