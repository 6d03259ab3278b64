// Engine behaviour whose timing used to leak into results: preemption and resume under schedules fixed
// by staged arrivals, metrics that must be current when a finish event is delivered, sequences of a
// fan-out that never started, and min_total_tokens resolved against the tokenized prompt.
#include <gtest/gtest.h>

#include <atomic>

#include "stories_engine.h"

namespace mynah::engine {
namespace {

using testing::Collector;
using testing::make_engine;
using testing::metric;
using testing::request;
using testing::run;
using testing::run_staged;
using testing::SeqResult;

int64_t finished(const Engine& e, const std::string& reason) {
  const std::string text = e.metrics_text();
  const std::string key = "mynah_requests_total{finish_reason=\"" + reason + "\"} ";
  const size_t at = text.find(key);
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + key.size()));
}

std::vector<SeqResult> solo_runs(int n) {
  std::vector<SeqResult> alone;
  auto e = make_engine();
  for (int i = 0; i < n; ++i) alone.push_back(run(*e, request("Once upon a time", 90, 0.8f, 7 + i))[0]);
  return alone;
}

// Arrival steps are fixed, so each of these schedules preempts and resumes the same sequences at the
// same steps on every run, loaded machine or not; each must reproduce the solo outputs exactly.
TEST(EnginePreemption, StagedSchedulesResumeExactly) {
  const auto alone = solo_runs(4);
  struct Schedule {
    int32_t n_parallel, n_kv_blocks, batch_tokens;
    std::vector<int32_t> arrive_after;
  };
  const std::vector<Schedule> schedules = {
      {4, 12, 512, {0, 1, 1, 1}},   {4, 8, 512, {0, 3, 8, 48}}, {3, 7, 512, {0, 17, 22, 62}},
      {4, 10, 5, {0, 2, 2, 40}},    {4, 9, 512, {0, 1, 30, 31}}, {2, 7, 11, {0, 5, 6, 7}},
  };
  for (const Schedule& s : schedules) {
    EngineOptions o;
    o.n_parallel = s.n_parallel;
    o.n_kv_blocks = s.n_kv_blocks;
    o.batch_tokens = s.batch_tokens;
    o.step_cost.adaptive = false;  // the prefill budget must not depend on measured step times here
    auto e = make_engine(o);
    std::vector<GenerationRequest> requests;
    for (int i = 0; i < 4; ++i) requests.push_back(request("Once upon a time", 90, 0.8f, 7 + i));
    const auto out = run_staged(*e, requests, s.arrive_after);
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(out[i].tokens, alone[i].tokens) << "blocks " << s.n_kv_blocks << ", sequence " << i;
    }
    EXPECT_GT(metric(*e, "mynah_preemptions_total"), 0) << "blocks " << s.n_kv_blocks;
  }
}

// The finish event is the client's signal that the request is over: the metrics it can read from
// then on must already show the request's blocks returned (the test used to read a stale gauge).
TEST(EnginePreemption, FinishEventSeesTheBlocksReturned) {
  EngineOptions o;
  o.n_parallel = 4;
  o.n_kv_blocks = 12;
  auto e = make_engine(o);
  std::atomic<int64_t> used_at_finish{-1};
  Collector c;
  auto inner = c.sink();
  ASSERT_TRUE(e->submit(request("Once upon a time", 40, 0.8f, 7), [&](GenerationEvent ev) {
                 if (ev.finish) used_at_finish = metric(*e, "mynah_kv_blocks_used");
                 inner(std::move(ev));
               }).ok());
  c.wait(1);
  EXPECT_EQ(used_at_finish.load(), 0);
}

// Sequences of an n > 1 request that end before their first step (here: the deadline has passed
// on arrival) are still counted, under their finish reason.
TEST(EngineMetrics, FanOutThatNeverStartedIsCounted) {
  auto e = make_engine();
  GenerationRequest r = request("Once upon a time", 20, 1.0f, 3);
  r.n = 3;
  r.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  const auto out = run(*e, r);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& s : out) EXPECT_EQ(s.finish, FinishReason::kCancelled);
  EXPECT_EQ(finished(*e, "cancelled"), 3);
  EXPECT_EQ(finished(*e, "stop"), 0);
}

TEST(EngineMinTotalTokens, StopTokensWaitUntilPromptPlusGeneratedReachTheFloor) {
  auto e = make_engine();
  const auto plain = run(*e, request("Once upon a time", 30));
  ASSERT_GE(plain[0].tokens.size(), 10u);
  const int32_t n_prompt = plain[0].usage.prompt_tokens;
  GenerationRequest r = request("Once upon a time", 30);
  r.sampling.stop_token_ids = {plain[0].tokens[0]};  // "," : the first token greedy would produce
  const auto early = run(*e, r);
  EXPECT_EQ(early[0].finish, FinishReason::kStop);
  EXPECT_EQ(early[0].usage.completion_tokens, 1);

  r.min_total_tokens = n_prompt + 4;  // four generated tokens before the stop token may end it
  const auto floored = run(*e, r);
  ASSERT_GE(floored[0].tokens.size(), 5u);
  for (size_t i = 0; i < 4; ++i) EXPECT_NE(floored[0].tokens[i], plain[0].tokens[0]) << "token " << i;
  EXPECT_GT(floored[0].usage.completion_tokens, 4);

  r.min_total_tokens = n_prompt - 1;  // already met by the prompt: no effect
  EXPECT_EQ(run(*e, r)[0].tokens, early[0].tokens);

  r.min_total_tokens = n_prompt + 2;  // the larger of the two floors wins
  r.sampling.min_new_tokens = 4;
  EXPECT_EQ(run(*e, r)[0].tokens, floored[0].tokens);
}

}  // namespace
}  // namespace mynah::engine
