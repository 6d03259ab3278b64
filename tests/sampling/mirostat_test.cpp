// MirostatStage: truncation at surprise <= mu, at least one survivor, and the mu update from the drawn
// token's surprise under the distribution the stage received.
#include "sampling/mirostat.h"

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::candidates_for;
using testing::Context;
using testing::probs_of;

size_t position_of(const CandidateList& c, int32_t id) {
  for (size_t pos = 0; pos < c.size(); ++pos) {
    if (c.id(pos) == id) return pos;
  }
  ADD_FAILURE() << "id " << id << " not a candidate";
  return 0;
}

TEST(Mirostat, TruncatesAtMuAndKeepsAtLeastOne) {
  struct Case {
    const char* name;
    float tau;
    std::vector<float> probs;
    std::map<int32_t, float> expected;
  };
  const std::vector<float> probs = {0.5f, 0.3f, 0.15f, 0.05f};
  const std::vector<Case> cases = {
      // mu = 2 * tau = 2 bits: keep p >= 0.25
      {"tau 1", 1.0f, probs, {{0, 0.625f}, {1, 0.375f}}},
      // mu = 3 bits: keep p >= 0.125
      {"tau 1.5", 1.5f, probs, {{0, 0.5f / 0.95f}, {1, 0.3f / 0.95f}, {2, 0.15f / 0.95f}}},
      // mu = 0.2 bits: p >= 0.87 holds for none, the most likely stays
      {"tau 0.1", 0.1f, probs, {{0, 1.0f}}},
      // mu = 10 bits: everything
      {"tau 5", 5.0f, probs, {{0, 0.5f}, {1, 0.3f}, {2, 0.15f}, {3, 0.05f}}},
  };
  for (const auto& tc : cases) {
    MirostatStage stage(tc.tau, 0.1f);
    EXPECT_FLOAT_EQ(stage.mu(), 2.0f * tc.tau);
    auto c = candidates_for(tc.probs);
    Context ctx;
    ctx.apply(stage, c);
    const auto p = probs_of(c);
    ASSERT_EQ(p.size(), tc.expected.size()) << tc.name;
    for (const auto& [id, prob] : tc.expected) EXPECT_NEAR(p.at(id), prob, 1e-5) << tc.name << " id " << id;
  }
}

TEST(Mirostat, MuUpdate) {
  struct Case {
    int32_t drawn;
    float expected_mu;  // mu - eta * (-log2 p_drawn - tau), p before truncation
  };
  // tau 1.5, eta 0.1, mu 3; probabilities .5, .3, .15, .05
  const std::vector<Case> cases = {
      {0, 3.0f - 0.1f * (1.0f - 1.5f)},                  // surprise 1 bit: mu rises to 3.05
      {1, 3.0f - 0.1f * (1.7369656f - 1.5f)},            // log2(1/.3): mu falls to 2.97630
      {2, 3.0f - 0.1f * (2.7369656f - 1.5f)},            // log2(1/.15)
  };
  for (const auto& tc : cases) {
    MirostatStage stage(1.5f, 0.1f);
    auto c = candidates_for({0.5f, 0.3f, 0.15f, 0.05f});
    Context ctx;
    ctx.apply(stage, c);
    stage.accept(c, position_of(c, tc.drawn));
    EXPECT_NEAR(stage.mu(), tc.expected_mu, 1e-5) << "drawn " << tc.drawn;
  }
}

TEST(Mirostat, MuCarriesAcrossSteps) {
  MirostatStage stage(1.5f, 0.5f);
  Context ctx;
  for (int step = 0; step < 3; ++step) {  // always draw the 0.5 token: surprise 1 < tau, mu += 0.25
    auto c = candidates_for({0.5f, 0.3f, 0.15f, 0.05f});
    ctx.apply(stage, c);
    stage.accept(c, position_of(c, 0));
  }
  EXPECT_NEAR(stage.mu(), 3.0f + 3 * 0.25f, 1e-5);
}

}  // namespace
}  // namespace mynah::sampling
