// Top-k, top-p and min-p: probabilities in, survivors and renormalised probabilities out; plus top-p
// against a brute-force sort on large lists (the gather floors and quickselect paths).
#include "sampling/truncation.h"

#include <algorithm>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::candidates_for;
using testing::Context;
using testing::probs_of;

struct Case {
  const char* name;
  std::vector<float> probs;
  std::map<int32_t, float> expected;  // survivors and their renormalised probabilities
};

template <class Stage>
void run(Stage&& stage, const std::vector<Case>& cases) {
  for (const auto& tc : cases) {
    auto c = candidates_for(tc.probs);
    Context ctx;
    ctx.apply(stage, c);
    const auto p = probs_of(c);
    ASSERT_EQ(p.size(), tc.expected.size()) << tc.name;
    for (const auto& [id, prob] : tc.expected) EXPECT_NEAR(p.at(id), prob, 1e-5) << tc.name << " id " << id;
  }
}

TEST(TopK, TableDriven) {
  run(TopKStage(2), {
      {"keeps the two most likely", {0.1f, 0.4f, 0.2f, 0.3f}, {{1, 0.4f / 0.7f}, {3, 0.3f / 0.7f}}},
      {"ties go to the lower id", {0.3f, 0.3f, 0.4f}, {{0, 0.3f / 0.7f}, {2, 0.4f / 0.7f}}},
      {"banned tokens are not kept", {0.0f, 0.0f, 1.0f}, {{2, 1.0f}}},
  });
  run(TopKStage(1), {{"k = 1 is the argmax", {0.3f, 0.4f, 0.3f}, {{1, 1.0f}}}});
  run(TopKStage(10), {{"k >= size is a no-op", {0.5f, 0.5f}, {{0, 0.5f}, {1, 0.5f}}}});
}

TEST(TopP, TableDriven) {
  const std::vector<float> probs = {0.3f, 0.5f, 0.2f};  // rank order: 1 (.5), 0 (.3), 2 (.2)
  run(TopPStage(0.49f), {{"first token reaches p", probs, {{1, 1.0f}}}});
  run(TopPStage(0.51f), {{"needs two", probs, {{1, 0.625f}, {0, 0.375f}}}});
  run(TopPStage(0.79f), {{"two reach .8", probs, {{1, 0.625f}, {0, 0.375f}}}});
  run(TopPStage(0.81f), {{"needs all three", probs, {{0, 0.3f}, {1, 0.5f}, {2, 0.2f}}}});
  run(TopPStage(1.0f), {{"p = 1 is a no-op", probs, {{0, 0.3f}, {1, 0.5f}, {2, 0.2f}}}});
  run(TopPStage(0.0f), {{"p = 0 keeps the most likely", probs, {{1, 1.0f}}}});
  run(TopPStage(0.5f), {{"tie at the cut: lower id", {0.4f, 0.2f, 0.2f, 0.2f}, {{0, 0.4f / 0.6f}, {1, 0.2f / 0.6f}}}});
}

TEST(MinP, TableDriven) {
  const std::vector<float> probs = {0.5f, 0.3f, 0.15f, 0.05f};
  // threshold 0.25 * 0.5 = 0.125: keeps .5, .3, .15
  run(MinPStage(0.25f),
      {{"drops below min_p * p_max", probs, {{0, 0.5f / 0.95f}, {1, 0.3f / 0.95f}, {2, 0.15f / 0.95f}}}});
  run(MinPStage(0.0f), {{"min_p = 0 is a no-op", probs, {{0, 0.5f}, {1, 0.3f}, {2, 0.15f}, {3, 0.05f}}}});
  run(MinPStage(1.0f), {{"min_p = 1 keeps the max", probs, {{0, 1.0f}}}});
  run(MinPStage(0.7f), {{"only p_max clears .35", probs, {{0, 1.0f}}}});
}

// Top-p reference: sort by (p desc, id asc), keep the shortest prefix reaching p.
std::vector<int32_t> top_p_reference(const std::vector<float>& logits, float p) {
  std::vector<int32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return logits[a] != logits[b] ? logits[a] > logits[b] : a < b;
  });
  const float max = logits[order[0]];
  double mass = 0.0;
  for (float z : logits) mass += std::exp(static_cast<double>(z) - max);
  std::vector<int32_t> kept;
  double cumulative = 0.0;
  for (int32_t id : order) {
    kept.push_back(id);
    cumulative += std::exp(static_cast<double>(logits[id]) - max);
    if (cumulative >= p * mass) break;
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

TEST(TopP, MatchesBruteForceOnLargeLists) {
  std::mt19937 gen(11);
  for (float scale : {0.05f, 1.0f, 3.0f, 8.0f}) {  // from nearly flat (gathers everything) to peaked
    for (float p : {0.3f, 0.9f, 0.97f}) {
      std::normal_distribution<float> dist(0.0f, scale);
      std::vector<float> logits(5000);
      for (auto& z : logits) z = std::round(dist(gen) * 64.0f) / 64.0f;  // quantised: many ties
      CandidateList c;
      c.assign(logits);
      TopPStage stage(p);
      Context ctx;
      ctx.apply(stage, c);
      std::vector<int32_t> kept;
      for (size_t pos = 0; pos < c.size(); ++pos) kept.push_back(c.id(pos));
      const auto ref = top_p_reference(logits, p);
      // Float-vs-double accumulation may move the cut by one entry right at the boundary.
      const auto& small = kept.size() <= ref.size() ? kept : ref;
      const auto& big = kept.size() <= ref.size() ? ref : kept;
      EXPECT_LE(big.size() - small.size(), 1u) << "scale " << scale << " p " << p;
      EXPECT_TRUE(std::includes(big.begin(), big.end(), small.begin(), small.end())) << "scale " << scale << " p " << p;
    }
  }
}

}  // namespace
}  // namespace mynah::sampling
