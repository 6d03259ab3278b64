// Engine behaviour on the real stories260K model: batching gives the same outputs as running alone,
// preemption and prefix-cache hits are exact, n > 1 shares the prompt, cancellation frees blocks.
#include "engine/engine.h"

#include <cstring>
#include <future>

#include <gtest/gtest.h>

#include "stories_engine.h"

namespace mynah::engine {
namespace {

using testing::Collector;
using testing::make_engine;
using testing::metric;
using testing::request;
using testing::run;
using testing::SeqResult;

const std::string kReference =
    ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red "
    "ball. She wanted to play with it, but it was too high.\nLily's mom said";

TEST(Engine, GreedyMatchesReference) {
  auto e = make_engine();
  auto r = run(*e, request("Once upon a time", 64));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text, kReference);
  EXPECT_EQ(r[0].finish, FinishReason::kLength);
  EXPECT_EQ(r[0].usage.prompt_tokens, 5);
  EXPECT_EQ(r[0].usage.completion_tokens, 64);
}

TEST(Engine, ConcurrentRequestsMatchRunningAlone) {
  const std::vector<std::string> prompts = {"Once upon a time", "The dog", "Lily and Ben went", "A big red ball",
                                            "One day", "Tom had a toy", "The sun was", "She said"};
  std::vector<SeqResult> alone;
  {
    auto e = make_engine();
    for (size_t i = 0; i < prompts.size(); ++i) {
      alone.push_back(run(*e, request(prompts[i], 40, i % 2 ? 0.9f : 0.0f, 100 + i))[0]);
    }
  }
  EngineOptions o;
  o.n_parallel = 8;
  o.batch_tokens = 7;  // forces chunked prefill interleaved with decoding
  auto e = make_engine(o);
  std::vector<Collector> collectors(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    ASSERT_TRUE(e->submit(request(prompts[i], 40, i % 2 ? 0.9f : 0.0f, 100 + i), collectors[i].sink()).ok());
  }
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto r = collectors[i].wait(1);
    EXPECT_EQ(r[0].tokens, alone[i].tokens) << "prompt " << i;
    EXPECT_EQ(r[0].text, alone[i].text) << "prompt " << i;
  }
}

// Whether and when preemption happens here depends on how the submissions interleave with the
// engine's steps; staged, timing-independent schedules are in engine_lifecycle_test.cpp.
TEST(Engine, PreemptionGivesIdenticalOutputs) {
  std::vector<SeqResult> alone;
  {
    auto e = make_engine();
    for (int i = 0; i < 4; ++i) alone.push_back(run(*e, request("Once upon a time", 90, 0.8f, 7 + i))[0]);
  }
  EngineOptions o;
  o.n_parallel = 4;
  o.n_kv_blocks = 12;  // 4 sequences x 95 positions need 24 blocks of 16: someone must be preempted
  auto e = make_engine(o);
  std::vector<Collector> collectors(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(e->submit(request("Once upon a time", 90, 0.8f, 7 + i), collectors[i].sink()).ok());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(collectors[i].wait(1)[0].tokens, alone[i].tokens) << "sequence " << i;
  EXPECT_GT(metric(*e, "mynah_preemptions_total"), 0);
  EXPECT_EQ(metric(*e, "mynah_kv_blocks_used"), 0);
}

TEST(Engine, PrefixCacheHitsAreExact) {
  const std::string prefix =
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day";
  auto cold_engine = make_engine();
  auto cold = run(*cold_engine, request(prefix + ", she saw a cat.", 30));
  auto e = make_engine();
  run(*e, request(prefix + ", the sun was hot.", 5));
  auto warm = run(*e, request(prefix + ", she saw a cat.", 30));
  EXPECT_GE(warm[0].usage.cached_prompt_tokens, 16);
  EXPECT_EQ(warm[0].tokens, cold[0].tokens);
  EXPECT_GT(metric(*e, "mynah_prefix_cache_hit_tokens_total"), 0);
}

TEST(Engine, NContinuationsSharePrefill) {
  auto e = make_engine();
  GenerationRequest r = request("Once upon a time there was a dog", 20, 1.0f, 3);
  r.n = 3;
  auto out = run(*e, r);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(metric(*e, "mynah_prompt_tokens_total"), out[0].usage.prompt_tokens);  // prefilled once
  EXPECT_NE(out[0].tokens, out[1].tokens);
  EXPECT_NE(out[1].seed, out[2].seed);
  // Each continuation equals a single-sequence run with its own seed.
  GenerationRequest single = request("Once upon a time there was a dog", 20, 1.0f, 0);
  single.seeds = {out[2].seed};
  EXPECT_EQ(run(*e, single)[0].tokens, out[2].tokens);
}

TEST(Engine, CancellationFreesBlocks) {
  auto e = make_engine();
  Collector c;
  auto id = e->submit(request("Once upon a time", 400, 1.0f, 1), c.sink());
  ASSERT_TRUE(id.ok());
  e->cancel(*id);
  auto r = c.wait(1);
  EXPECT_EQ(r[0].finish, FinishReason::kCancelled);
  for (int i = 0; i < 100 && metric(*e, "mynah_kv_blocks_used") != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(metric(*e, "mynah_kv_blocks_used"), 0);
}

TEST(Engine, StopStringsCutOrKeepTheMatch) {
  auto e = make_engine();
  GenerationRequest r = request("Once upon a time", 64);
  r.stop.strings = {{"girl named", /*include_in_output=*/false}};
  auto cut = run(*e, r);
  EXPECT_EQ(cut[0].text, ", there was a little ");
  EXPECT_EQ(cut[0].finish, FinishReason::kStop);
  r.stop.strings[0].include_in_output = true;
  EXPECT_EQ(run(*e, r)[0].text, ", there was a little girl named");
}

TEST(Engine, ContextOverflowPolicies) {
  EngineOptions o;
  o.n_ctx = 32;
  auto e = make_engine(o);
  GenerationRequest r = request("Once upon a time there was a little girl named Lily who loved to play", 30);
  EXPECT_FALSE(e->submit(r, [](GenerationEvent) {}).ok());
  r.overflow = OverflowPolicy::kShrinkMaxTokens;
  auto shrunk = run(*e, r);
  EXPECT_EQ(shrunk[0].usage.prompt_tokens + shrunk[0].usage.completion_tokens, 32);
  r.overflow = OverflowPolicy::kTruncatePromptLeft;
  auto truncated = run(*e, r);
  EXPECT_EQ(truncated[0].usage.prompt_tokens, 2);
  EXPECT_EQ(truncated[0].usage.completion_tokens, 30);
}

TEST(Engine, PromptScoringAndLogprobs) {
  auto e = make_engine();
  GenerationRequest r = request("Once upon a time", 3);
  r.logprobs = {true, 2, true};
  auto out = run(*e, r);
  ASSERT_EQ(out[0].prompt_scores.size(), 5u);
  EXPECT_FALSE(out[0].prompt_scores[0].logprob.has_value());
  for (size_t i = 1; i < 5; ++i) EXPECT_LT(*out[0].prompt_scores[i].logprob, 0.0f);
  EXPECT_EQ(out[0].logprobs.size(), 3u);
}

TEST(Engine, QueueLimitRefuses) {
  EngineOptions o;
  o.max_queue = 0;
  auto e = make_engine(o);
  auto res = e->submit(request("Once", 5), [](GenerationEvent) {});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().kind, SubmitError::Kind::kQueueFull);
}

}  // namespace
}  // namespace mynah::engine

namespace mynah::engine {
namespace {

TEST(EngineKnobs, WordBiasForbidsTheWord) {
  auto e = make_engine();
  GenerationRequest r = request("Once upon a time", 12);
  r.word_biases = {{"there", -100.0f}};
  auto out = run(*e, r);
  EXPECT_EQ(out[0].text.find("there"), std::string::npos) << out[0].text;
  EXPECT_NE(out[0].text, kReference.substr(0, out[0].text.size()));
}

TEST(EngineKnobs, BannedPhraseNeverAppears) {
  auto e = make_engine();
  GenerationRequest r = request("Once upon a time", 40);
  r.banned_phrases = {"little girl"};
  auto out = run(*e, r);
  EXPECT_EQ(out[0].text.find("little girl"), std::string::npos) << out[0].text;
  EXPECT_NE(out[0].text.find("little"), std::string::npos) << out[0].text;  // only the completion is banned
}

TEST(EngineKnobs, EmbeddingOverrideFeedsTheGivenVector) {
  auto f = gguf::GgufFile::open(std::string(MYNAH_SOURCE_ROOT) + "/models/stories260K.gguf");
  const auto* embd = f->find_tensor("token_embd.weight");
  const int n_embd = static_cast<int>(embd->dims[0]);
  auto row = [&](int token) {
    std::vector<float> v(n_embd);
    std::memcpy(v.data(), f->tensor_bytes(*embd).data() + static_cast<size_t>(token) * n_embd * 4, n_embd * 4);
    return v;
  };
  auto e = make_engine();
  GenerationRequest r;
  r.prompts = {Prompt{std::nullopt, {1, 403, 407, 261, 378}, {}}};
  r.max_new_tokens = 20;
  r.sampling.temperature = 0.0f;
  const auto plain = run(*e, r);
  r.prompts[0].embeddings = {{2, row(407)}};  // the same vector the token would have: same output
  const auto same = run(*e, r);
  EXPECT_EQ(same[0].tokens, plain[0].tokens);
  EXPECT_EQ(same[0].usage.cached_prompt_tokens, 0);
  r.prompts[0].embeddings = {{4, row(317)}};  // " Lily" in place of " time": a different story
  EXPECT_NE(run(*e, r)[0].tokens, plain[0].tokens);
  r.prompts[0].embeddings = {{9, row(317)}};
  EXPECT_FALSE(e->submit(r, [](GenerationEvent) {}).ok());
}

}  // namespace
}  // namespace mynah::engine
