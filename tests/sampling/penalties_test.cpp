// PenaltyStage: hand-computed logits for presence vs frequency vs repetition, both windows, and the
// incremental counts against a fresh recount.
#include "sampling/penalties.h"

#include <random>

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::Context;

std::vector<float> penalised(const SamplingParams& params, std::vector<float> logits, std::vector<int32_t> prompt,
                             std::vector<int32_t> generated) {
  PenaltyStage stage(params);
  CandidateList c;
  c.assign(logits);
  Context ctx{std::move(prompt), std::move(generated)};
  ctx.apply(stage, c);
  return {c.logits().begin(), c.logits().end()};
}

TEST(Penalties, TableDriven) {
  struct Case {
    const char* name;
    float presence, frequency, repetition;
    PenaltyWindow window;
    std::vector<float> logits;
    std::vector<float> expected;
  };
  // prompt {0, 1, 1}, generated {1, 2, 2, 2}:
  //   generated-only counts: 1 -> 1, 2 -> 3;  prompt+generated counts: 0 -> 1, 1 -> 3, 2 -> 3.
  const auto gen = PenaltyWindow::kGeneratedOnly;
  const auto all = PenaltyWindow::kPromptAndGenerated;
  const std::vector<float> zeros = {0.0f, 0.0f, 0.0f, 0.0f};
  const std::vector<Case> cases = {
      {"presence, generated only", 0.5f, 0.0f, 1.0f, gen, zeros, {0.0f, -0.5f, -0.5f, 0.0f}},
      {"frequency, generated only", 0.0f, 0.25f, 1.0f, gen, zeros, {0.0f, -0.25f, -0.75f, 0.0f}},
      {"both, generated only", 0.5f, 0.25f, 1.0f, gen, zeros, {0.0f, -0.75f, -1.25f, 0.0f}},
      {"both, prompt and generated", 0.5f, 0.25f, 1.0f, all, zeros, {-0.75f, -1.25f, -1.25f, 0.0f}},
      {"negative penalties reward", -1.0f, 0.0f, 1.0f, gen, zeros, {0.0f, 1.0f, 1.0f, 0.0f}},
      // CTRL over prompt+generated whatever the window: positive / r, negative * r, unseen untouched.
      {"repetition", 0.0f, 0.0f, 2.0f, gen, {2.0f, -2.0f, 0.0f, 3.0f}, {1.0f, -4.0f, 0.0f, 3.0f}},
      {"repetition below 1 rewards", 0.0f, 0.0f, 0.5f, gen, {2.0f, -2.0f, 1.0f, 3.0f}, {4.0f, -1.0f, 2.0f, 3.0f}},
      // Repetition first, then additive: 4 / 2 - (0.25 * 3 + 0.5) = 0.75.
      {"repetition then additive", 0.5f, 0.25f, 2.0f, gen, {4.0f, 4.0f, 4.0f, 4.0f}, {2.0f, 2.0f - 0.75f, 0.75f, 4.0f}},
      {"banned stays banned", 0.5f, 0.25f, 2.0f, gen, {0.0f, -INFINITY, 0.0f, 0.0f}, {0.0f, -INFINITY, -1.25f, 0.0f}},
  };
  for (const auto& tc : cases) {
    SamplingParams p;
    p.presence_penalty = tc.presence;
    p.frequency_penalty = tc.frequency;
    p.repetition_penalty = tc.repetition;
    p.penalty_window = tc.window;
    ASSERT_TRUE(PenaltyStage::needed(p)) << tc.name;
    const auto out = penalised(p, tc.logits, {0, 1, 1}, {1, 2, 2, 2});
    for (size_t i = 0; i < out.size(); ++i) EXPECT_FLOAT_EQ(out[i], tc.expected[i]) << tc.name << " id " << i;
  }
}

TEST(Penalties, NotNeededAtNeutralValues) { EXPECT_FALSE(PenaltyStage::needed(SamplingParams{})); }

TEST(Penalties, IncrementalCountsMatchARecount) {
  SamplingParams p;
  p.presence_penalty = 0.3f;
  p.frequency_penalty = 0.2f;
  p.repetition_penalty = 1.3f;
  p.penalty_window = PenaltyWindow::kGeneratedOnly;
  const size_t n_vocab = 50;
  std::mt19937 gen(3);
  std::uniform_int_distribution<int32_t> token(0, 49);
  std::normal_distribution<float> logit(0.0f, 2.0f);
  std::vector<int32_t> prompt(20), generated;
  for (auto& t : prompt) t = token(gen);
  PenaltyStage incremental(p);
  for (int step = 0; step < 60; ++step) {
    if (step == 40) generated.resize(10);      // history shrank: must recount
    if (step == 50) prompt.back() = 49 - prompt.back();  // different prompt tail: must recount
    std::vector<float> row(n_vocab);
    for (auto& x : row) x = logit(gen);
    CandidateList c;
    c.assign(row);
    Context ctx{prompt, generated};
    ctx.apply(incremental, c);
    EXPECT_EQ(std::vector<float>(c.logits().begin(), c.logits().end()), penalised(p, row, prompt, generated))
        << "step " << step;
    generated.push_back(token(gen));
  }
}

}  // namespace
}  // namespace mynah::sampling
