// SamplerChain: stage order, greedy after edits, bans that greedy and sampling both respect, the
// all-banned outcome, allowed masks, min tokens over a generation loop, seeded reproducibility.
#include "sampling/sampler_chain.h"

#include <algorithm>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::logits_for;

using Names = std::vector<std::string_view>;

SamplingParams every_stage_on() {
  SamplingParams p;
  p.logit_bias = {{3, 1.0f}};
  p.banned_token_ids = {4};
  p.presence_penalty = 0.1f;
  p.temperature = 0.8f;
  p.top_k = 40;
  p.top_p = 0.95f;
  p.min_p = 0.05f;
  p.xtc = XtcParams{0.5f, 0.1f};
  p.seed = 42;
  return p;
}

std::vector<uint64_t> mask_of(const std::vector<int32_t>& ids, size_t n_vocab) {
  std::vector<uint64_t> mask((n_vocab + 63) / 64, 0);
  for (int32_t id : ids) mask[static_cast<size_t>(id) / 64] |= 1ull << (id % 64);
  return mask;
}

TEST(SamplerChain, StageOrderIsFixedAndOffStagesAreAbsent) {
  EXPECT_EQ(SamplerChain(every_stage_on()).stage_names(),
            (Names{"logit_bias", "banned_tokens", "penalties", "temperature", "top_k", "top_p", "min_p", "xtc"}));

  auto miro = every_stage_on();
  miro.mirostat = MirostatParams{};
  EXPECT_EQ(SamplerChain(miro).stage_names(),
            (Names{"logit_bias", "banned_tokens", "penalties", "temperature", "xtc", "mirostat"}));

  SamplingParams neutral;  // T 1, top_k off, top_p 1, min_p 0: just the draw
  EXPECT_TRUE(SamplerChain(neutral).stage_names().empty());

  auto greedy = every_stage_on();
  greedy.temperature = 0.0f;  // greedy keeps the logit edits, drops the rest
  EXPECT_EQ(SamplerChain(greedy).stage_names(), (Names{"logit_bias", "banned_tokens", "penalties"}));
}

TEST(SamplerChain, GreedyIsArgmaxAfterBiasesBansAndPenalties) {
  struct Case {
    const char* name;
    SamplingParams params;
    std::vector<int32_t> generated;
    int32_t expected;
  };
  const std::vector<float> logits = {0.0f, 3.0f, 2.5f, 1.0f};
  auto greedy = [](auto&& set) {
    SamplingParams p;
    p.temperature = 0.0f;
    p.top_k = 1;  // ignored when greedy
    p.seed = 99;  // ignored when greedy
    set(p);
    return p;
  };
  const std::vector<Case> cases = {
      {"plain argmax", greedy([](auto&) {}), {}, 1},
      {"bias lifts token 3", greedy([](auto& p) { p.logit_bias = {{3, 2.5f}}; }), {}, 3},
      {"argmax banned: next best", greedy([](auto& p) { p.banned_token_ids = {1}; }), {}, 2},
      {"penalty flips it", greedy([](auto& p) { p.frequency_penalty = 1.0f; }), {1}, 2},
      {"all banned but one", greedy([](auto& p) { p.banned_token_ids = {1, 2, 3}; }), {}, 0},
  };
  for (const auto& tc : cases) {
    SamplerChain chain(tc.params);
    EXPECT_EQ(chain.sample(logits, TokenHistory{{}, tc.generated}), tc.expected) << tc.name;
  }
}

TEST(SamplerChain, AllBannedIsNullopt) {
  const std::vector<float> logits = {0.0f, 1.0f, 2.0f};
  for (float temperature : {0.0f, 1.0f}) {
    SamplingParams p;
    p.temperature = temperature;
    p.banned_token_ids = {0, 1, 2};
    SamplerChain chain(p);
    EXPECT_EQ(chain.sample(logits, {}), std::nullopt) << "T=" << temperature;
    SamplingParams plain_params;
    plain_params.temperature = temperature;
    SamplerChain plain(plain_params);
    EXPECT_EQ(plain.sample(std::vector<float>(3, -INFINITY), {}), std::nullopt) << "T=" << temperature;
    EXPECT_EQ(plain.sample(logits, {}, mask_of({}, 3)), std::nullopt) << "empty mask, T=" << temperature;
  }
}

TEST(SamplerChain, SamplingNeverDrawsABannedToken) {
  auto p = every_stage_on();
  p.banned_token_ids = {0, 1, 2, 3, 4, 5, 6, 7, 8};  // 9, the least likely, is the only one left
  SamplerChain chain(p);
  const auto logits = logits_for({0.2f, 0.2f, 0.2f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.04f, 0.01f});
  for (int i = 0; i < 200; ++i) EXPECT_EQ(chain.sample(logits, {}), 9);
}

TEST(SamplerChain, AllowedMaskIsRespected) {
  const auto logits = logits_for({0.4f, 0.3f, 0.1f, 0.1f, 0.1f});
  SamplingParams greedy;
  greedy.temperature = 0.0f;
  SamplerChain greedy_chain(greedy);
  EXPECT_EQ(greedy_chain.sample(logits, {}, mask_of({2, 4}, 5)), 2);  // a tie: the lower id
  EXPECT_EQ(greedy_chain.sample(logits, {}, mask_of({1, 2, 3, 4}, 5)), 1);  // most allowed: marked in place
  EXPECT_EQ(greedy_chain.sample(logits, {}, {}), 0);  // empty span: no constraint

  SamplerChain chain{SamplingParams{}};
  std::set<int32_t> drawn;
  for (int i = 0; i < 300; ++i) drawn.insert(*chain.sample(logits, {}, mask_of({2, 4}, 5)));
  EXPECT_EQ(drawn, (std::set<int32_t>{2, 4}));
  drawn.clear();
  for (int i = 0; i < 300; ++i) drawn.insert(*chain.sample(logits, {}, mask_of({1, 2, 3, 4}, 5)));
  EXPECT_EQ(drawn, (std::set<int32_t>{1, 2, 3, 4}));
}

TEST(SamplerChain, MinNewTokensHoldsBackEosOverAGeneration) {
  SamplingParams p;
  p.temperature = 0.0f;
  p.min_new_tokens = 3;
  p.end_of_generation_ids = {0};
  p.stop_token_ids = {1};
  SamplerChain chain(p);
  const std::vector<float> logits = {5.0f, 4.0f, 1.0f, 0.0f};  // EOS, then a stop token, are most likely
  const std::vector<int32_t> prompt = {3, 3};
  std::vector<int32_t> generated;
  for (int step = 0; step < 4; ++step) generated.push_back(*chain.sample(logits, {prompt, generated}));
  EXPECT_EQ(generated, (std::vector<int32_t>{2, 2, 2, 0}));
}

TEST(SamplerChain, SameSeedSameTokensDifferentSeedDiffers) {
  std::mt19937 gen(1);
  std::normal_distribution<float> dist(0.0f, 2.0f);
  std::vector<float> logits(1000);
  for (auto& z : logits) z = dist(gen);
  auto run = [&](SamplingParams p) {
    SamplerChain chain(p);
    std::vector<int32_t> prompt = {1, 2, 3}, out;
    for (int i = 0; i < 64; ++i) out.push_back(*chain.sample(logits, {prompt, out}));
    return out;
  };
  for (bool mirostat : {false, true}) {
    auto p = every_stage_on();
    p.top_k = 200;
    if (mirostat) p.mirostat = MirostatParams{3.0f, 0.1f};
    const auto a = run(p), b = run(p);
    p.seed = 43;
    const auto c = run(p);
    EXPECT_EQ(a, b) << "mirostat " << mirostat;
    EXPECT_NE(a, c) << "mirostat " << mirostat;
  }
}

TEST(SamplerChain, DrawFrequenciesMatchProbabilities) {
  const std::vector<float> probs = {0.1f, 0.6f, 0.3f};
  SamplingParams params;
  params.seed = 7;
  SamplerChain chain(params);
  std::vector<int> counts(3, 0);
  const int n = 200000;
  for (int i = 0; i < n; ++i) counts[static_cast<size_t>(chain.sample(logits_for(probs)))]++;
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(counts[i] / double(n), probs[i], 0.005) << "token " << i;
}

TEST(SamplerChain, TruncationSurvivorsAreTheOnlyDraws) {
  // top_k 4 keeps 0..3 (.3 .25 .2 .1); top_p .8 over them (mass .85: .3+.25+.2 = .75/.85 = .88) keeps 0..2;
  // min_p .7 of p_max .3 = .21 keeps 0 and 1.
  SamplingParams p;
  p.top_k = 4;
  p.top_p = 0.8f;
  p.min_p = 0.7f;
  SamplerChain chain(p);
  const auto logits = logits_for({0.3f, 0.25f, 0.2f, 0.1f, 0.08f, 0.07f});
  std::map<int32_t, int> counts;
  for (int i = 0; i < 11000; ++i) counts[chain.sample(logits)]++;
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_NEAR(counts[0] / 11000.0, 0.3 / 0.55, 0.02);
}

TEST(SamplerChain, ConvenienceOverloadFallsBackToArgmaxWhenNothingIsDrawable) {
  SamplingParams p;
  p.banned_token_ids = {0, 1};
  SamplerChain chain(p);
  EXPECT_EQ(chain.sample(std::vector<float>{1.0f, 2.0f}), 1);
}

TEST(SamplerChain, LargeVocabularySmoke) {
  std::mt19937 gen(5);
  std::normal_distribution<float> dist(0.0f, 2.5f);
  std::vector<float> logits(128256);
  for (auto& z : logits) z = dist(gen);
  auto p = every_stage_on();
  p.banned_token_ids = {static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin())};
  p.no_repeat_ngram_size = 3;
  p.repetition_penalty = 1.2f;
  std::vector<int32_t> prompt(1000), generated;
  for (auto& t : prompt) t = static_cast<int32_t>(gen() % 128256);
  for (bool mirostat : {false, true}) {
    if (mirostat) p.mirostat = MirostatParams{};
    SamplerChain chain(p);
    for (int i = 0; i < 20; ++i) {
      const auto token = chain.sample(logits, {prompt, generated});
      ASSERT_TRUE(token.has_value());
      ASSERT_NE(*token, p.banned_token_ids[0]);
      generated.push_back(*token);
    }
  }
}

TEST(Argmax, PicksLargestAndLowestIdOnTies) {
  EXPECT_EQ(argmax(std::vector<float>{0.1f, 3.0f, 2.0f}), 1);
  EXPECT_EQ(argmax(std::vector<float>{1.0f, 5.0f, 5.0f}), 1);
}

}  // namespace
}  // namespace mynah::sampling
