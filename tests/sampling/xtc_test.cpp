// XtcStage: top choices (p >= threshold) all removed but the least likely, only when two qualify;
// applied with the given probability from the sequence's Rng.
#include "sampling/xtc.h"

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::candidates_for;
using testing::Context;
using testing::probs_of;

TEST(Xtc, TableDriven) {
  struct Case {
    const char* name;
    float threshold;
    std::vector<float> probs;
    std::map<int32_t, float> expected;
  };
  const std::vector<Case> cases = {
      // .4, .3, .2 qualify: .4 and .3 go, .2 stays with the two .05s -> .2/.3, .05/.3, .05/.3
      {"three qualify", 0.1f, {0.4f, 0.3f, 0.2f, 0.05f, 0.05f}, {{2, 2.0f / 3.0f}, {3, 1.0f / 6.0f}, {4, 1.0f / 6.0f}}},
      {"only one qualifies: untouched", 0.35f, {0.4f, 0.3f, 0.2f, 0.1f}, {{0, 0.4f}, {1, 0.3f}, {2, 0.2f}, {3, 0.1f}}},
      {"none qualifies: untouched", 0.5f, {0.4f, 0.3f, 0.3f}, {{0, 0.4f}, {1, 0.3f}, {2, 0.3f}}},
      {"exactly two qualify", 0.25f, {0.5f, 0.3f, 0.2f}, {{1, 0.6f}, {2, 0.4f}}},
      // equal least likely top choices: the higher id ranks lower, so it is the one kept
      {"ties among top choices", 0.2f, {0.3f, 0.3f, 0.3f, 0.1f}, {{2, 0.75f}, {3, 0.25f}}},
      {"all qualify: one left", 0.1f, {0.5f, 0.3f, 0.2f}, {{2, 1.0f}}},
  };
  for (const auto& tc : cases) {
    auto c = candidates_for(tc.probs);
    XtcStage stage(1.0f, tc.threshold);
    Context ctx;
    ctx.apply(stage, c);
    const auto p = probs_of(c);
    ASSERT_EQ(p.size(), tc.expected.size()) << tc.name;
    for (const auto& [id, prob] : tc.expected) EXPECT_NEAR(p.at(id), prob, 1e-5) << tc.name << " id " << id;
  }
}

TEST(Xtc, ProbabilityGatesEachStepWithTheSequenceRng) {
  const std::vector<float> probs = {0.5f, 0.3f, 0.2f};
  int applied = 0;
  const int n = 4000;
  Context ctx;
  XtcStage stage(0.25f, 0.1f);
  for (int i = 0; i < n; ++i) {
    auto c = candidates_for(probs);
    ctx.apply(stage, c);
    applied += probs_of(c).size() == 1 ? 1 : 0;
  }
  EXPECT_NEAR(applied / static_cast<double>(n), 0.25, 0.03);

  // Probability 0 never applies but still consumes one uniform per step.
  XtcStage off(0.0f, 0.1f);
  Context a, b;
  auto c = candidates_for(probs);
  a.apply(off, c);
  EXPECT_EQ(probs_of(c).size(), 3u);
  b.rng.next_double();
  EXPECT_EQ(a.rng.next_u64(), b.rng.next_u64());
}

}  // namespace
}  // namespace mynah::sampling
