// The stall-free prefill budget: the cost model recovers a step's cost from measurements, caps prefill
// so a step costs at most max_step_ratio times a decode-only step, and the scheduler applies the cap
// only while something decodes. Measurements are synthetic, so every expectation is exact.
#include "engine/step_cost_model.h"

#include <gtest/gtest.h>

#include "engine/scheduler.h"

namespace mynah::engine {
namespace {

// A machine where a step costs 83 ms plus 5 ms per row plus 1 ms more per prefill row.
constexpr StepCost kTruth{0.083, 0.005, 0.001};

double true_seconds(const StepShape& s) {
  return kTruth.base + kTruth.row * (s.n_decode + s.n_prefill) + kTruth.prefill_extra * s.n_prefill;
}

StepCostOptions options(int32_t floor = 4) {
  StepCostOptions o;
  o.adaptive = true;
  o.max_step_ratio = 2.0;
  o.min_prefill_tokens = floor;
  o.window = 32;
  return o;
}

void feed_mixed_history(StepCostModel& m, double scale = 1.0) {
  for (int i = 0; i < 40; ++i) {
    const StepShape decode_only{1 + i % 6, 0};
    const StepShape mixed{i % 5, 8 + 37 * (i % 7)};
    m.observe(decode_only, scale * true_seconds(decode_only));
    m.observe(mixed, scale * true_seconds(mixed));
  }
}

TEST(StepCostModel, NothingDecodingGetsTheWholeBudget) {
  StepCostModel m(options());
  EXPECT_EQ(m.prefill_budget(0, 512), 512);
  feed_mixed_history(m);
  EXPECT_EQ(m.prefill_budget(0, 512), 512);
}

TEST(StepCostModel, ColdStartTakesTheFloorWhileDecoding) {
  StepCostModel m(options(16));
  EXPECT_FALSE(m.fit().has_value());
  EXPECT_EQ(m.prefill_budget(4, 512), 16);
  m.observe({4, 0}, 0.1);  // decode-only steps alone say nothing about prefill
  EXPECT_EQ(m.prefill_budget(4, 512), 16);
  EXPECT_EQ(m.prefill_budget(4, 10), 10);  // never more than the step has left
}

TEST(StepCostModel, RecoversTheCostAndCapsTheStepAtTwiceADecodeStep) {
  StepCostModel m(options());
  feed_mixed_history(m);
  const auto fit = m.fit();
  ASSERT_TRUE(fit.has_value());
  EXPECT_NEAR(fit->base, kTruth.base, 1e-3);
  EXPECT_NEAR(fit->row, kTruth.row, 1e-4);
  EXPECT_NEAR(fit->prefill_extra, kTruth.prefill_extra, 1e-4);
  for (int32_t n_decode : {1, 4, 16}) {
    const int32_t budget = m.prefill_budget(n_decode, 512);
    // (2 - 1) * (83 + 5 n) ms / 6 ms per prefill token.
    const int32_t expected = static_cast<int32_t>((kTruth.base + kTruth.row * n_decode) / (kTruth.row + kTruth.prefill_extra) + 1e-6);
    EXPECT_NEAR(budget, expected, 1) << n_decode << " decoding";
    EXPECT_LE(true_seconds({n_decode, budget}), 2.0 * true_seconds({n_decode, 0}) + kTruth.row) << n_decode;
    EXPECT_GT(true_seconds({n_decode, budget + 2}), 2.0 * true_seconds({n_decode, 0})) << "budget left unused";
  }
}

TEST(StepCostModel, FloorWhenPrefillIsExpensiveAndCeilingWhenCheap) {
  StepCostModel slow(options(8));
  for (int i = 0; i < 10; ++i) {
    slow.observe({4, 0}, 0.010);
    slow.observe({4, 16 + i}, 0.010 + 0.050 * (16 + i));  // 50 ms per prompt token
  }
  EXPECT_EQ(slow.prefill_budget(4, 512), 8);
  StepCostModel fast(options(8));
  for (int i = 0; i < 10; ++i) {
    fast.observe({4, 0}, 1.0);
    fast.observe({4, 16 + i}, 1.0 + 1e-4 * (16 + i));
  }
  EXPECT_EQ(fast.prefill_budget(4, 512), 512);
}

TEST(StepCostModel, FollowsAChangeOfMachineSpeed) {
  StepCostModel m(options());
  feed_mixed_history(m);
  const int32_t before = m.prefill_budget(4, 512);
  feed_mixed_history(m, 3.0);  // the machine got 3x slower everywhere: the ratio, and the cap, stay
  EXPECT_NEAR(m.fit()->row, 3.0 * kTruth.row, 1e-4);
  EXPECT_NEAR(m.prefill_budget(4, 512), before, 1);
}

TEST(StepCostModel, DisabledGivesTheWholeBudget) {
  StepCostOptions o = options();
  o.adaptive = false;
  StepCostModel m(o);
  feed_mixed_history(m);
  EXPECT_EQ(m.prefill_budget(8, 512), 512);
}

std::unique_ptr<Sequence> prompt_of(int32_t n_tokens) {
  auto seq = std::make_unique<Sequence>();
  seq->req = std::make_shared<RequestState>();
  for (int32_t i = 0; i < n_tokens; ++i) seq->tokens.push_back(1 + i % 300);
  seq->n_prompt = n_tokens;
  seq->max_new = 64;
  return seq;
}

// Pretends every slot's logits produced a token, as the engine's sampling would.
void sample_all(Scheduler& s, const StepPlan& plan) {
  s.commit(plan);
  for (const auto& slot : plan.slots) {
    if (slot.logits_row >= 0) slot.seq->tokens.push_back(7);
  }
}

TEST(SchedulerPrefillBudget, LongPromptIsChunkedWhileOthersDecode) {
  SchedulerOptions o;
  o.n_parallel = 4;
  o.batch_tokens = 512;
  o.n_ctx = 4096;
  o.step_cost = options(4);
  Scheduler s(o, 512, 16);
  s.enqueue(prompt_of(5));
  s.enqueue(prompt_of(9));
  StepPlan first = s.schedule();
  EXPECT_EQ(first.shape.n_decode, 0);
  EXPECT_EQ(first.shape.n_prefill, 14);
  sample_all(s, first);
  // Measured history of this "machine", then a 2,048-token prompt arrives while both decode.
  for (int i = 0; i < 40; ++i) {
    const StepShape decode_only{2, 0}, mixed{2, 8 + 13 * (i % 9)}, other{1 + i % 3, 0};
    s.observe_step(decode_only, true_seconds(decode_only));
    s.observe_step(other, true_seconds(other));
    s.observe_step(mixed, true_seconds(mixed));
  }
  s.enqueue(prompt_of(2048));
  const int32_t cap = s.cost_model().prefill_budget(2, 510);
  EXPECT_EQ(cap, 15);  // (83 + 2 * 5) ms / 6 ms, rounded down
  int32_t prefilled = 0;
  for (int step = 0; step < 3; ++step) {
    StepPlan plan = s.schedule();
    EXPECT_EQ(plan.shape.n_decode, 2);
    EXPECT_EQ(plan.shape.n_prefill, cap) << "step " << step;
    EXPECT_EQ(plan.batch.entries.size(), static_cast<size_t>(2 + cap));
    prefilled += plan.shape.n_prefill;
    sample_all(s, plan);
  }
  // The streams end: the prompt gets the whole step budget again.
  for (Sequence* done : {s.running()[0].get(), s.running()[1].get()}) s.remove(done);
  StepPlan alone = s.schedule();
  EXPECT_EQ(alone.shape.n_decode, 0);
  EXPECT_EQ(alone.shape.n_prefill, 512);
  EXPECT_EQ(alone.slots[0].first_pos, prefilled);
}

}  // namespace
}  // namespace mynah::engine
