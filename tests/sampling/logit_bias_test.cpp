// LogitBiasStage: additive by id, duplicates add up, -inf bans, out-of-range ids ignored.
#include "sampling/logit_bias.h"

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::candidates_for;
using testing::Context;
using testing::probs_of;

TEST(LogitBias, TableDriven) {
  struct Case {
    const char* name;
    std::vector<float> probs;
    std::vector<TokenBias> biases;
    std::map<int32_t, float> expected;
  };
  const float ln2 = std::log(2.0f);
  const std::vector<Case> cases = {
      // weights 0.25*2, 0.25, 0.5 -> 0.5, 0.25, 0.5 -> /1.25
      {"one bias doubles a token", {0.25f, 0.25f, 0.5f}, {{0, ln2}}, {{0, 0.4f}, {1, 0.2f}, {2, 0.4f}}},
      // weights .25, .25 * 4, .5 -> /1.75
      {"same id twice adds up",
       {0.25f, 0.25f, 0.5f},
       {{1, ln2}, {1, ln2}},
       {{0, 1.0f / 7}, {1, 4.0f / 7}, {2, 2.0f / 7}}},
      {"negative bias", {0.5f, 0.5f}, {{1, -ln2}}, {{0, 2.0f / 3.0f}, {1, 1.0f / 3.0f}}},
      {"-inf bans", {0.5f, 0.5f}, {{0, -INFINITY}}, {{1, 1.0f}}},
      {"ids outside the vocabulary are ignored", {0.5f, 0.5f}, {{2, 5.0f}, {-1, 5.0f}}, {{0, 0.5f}, {1, 0.5f}}},
  };
  for (const auto& tc : cases) {
    auto c = candidates_for(tc.probs);
    LogitBiasStage stage(tc.biases);
    Context ctx;
    ctx.apply(stage, c);
    const auto p = probs_of(c);
    ASSERT_EQ(p.size(), tc.expected.size()) << tc.name;
    for (const auto& [id, prob] : tc.expected) EXPECT_NEAR(p.at(id), prob, 1e-6) << tc.name << " id " << id;
  }
}

}  // namespace
}  // namespace mynah::sampling
