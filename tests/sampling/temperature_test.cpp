// TemperatureStage: probabilities p_i^(1/T) renormalised.
#include "sampling/temperature.h"

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::candidates_for;
using testing::Context;
using testing::probs_of;

TEST(Temperature, TableDriven) {
  struct Case {
    float temperature;
    std::vector<float> probs;
    std::vector<float> expected;
  };
  const std::vector<Case> cases = {
      {1.0f, {0.25f, 0.75f}, {0.25f, 0.75f}},
      {0.5f, {0.25f, 0.75f}, {0.1f, 0.9f}},                // squares: 0.0625 / 0.625, 0.5625 / 0.625
      {2.0f, {0.2f, 0.8f}, {1.0f / 3.0f, 2.0f / 3.0f}},    // square roots: sqrt(.2) : sqrt(.8) = 1 : 2
      {1e6f, {0.1f, 0.9f}, {0.5f, 0.5f}},                  // very hot: uniform
      {0.01f, {0.4f, 0.6f}, {0.0f, 1.0f}},                 // very cold: the argmax
  };
  for (const auto& tc : cases) {
    auto c = candidates_for(tc.probs);
    TemperatureStage stage(tc.temperature);
    Context ctx;
    ctx.apply(stage, c);
    auto p = probs_of(c);
    for (size_t i = 0; i < tc.expected.size(); ++i) {
      EXPECT_NEAR(p[static_cast<int32_t>(i)], tc.expected[i], 1e-4) << "T=" << tc.temperature << " id " << i;
    }
  }
}

}  // namespace
}  // namespace mynah::sampling
