// Raw-model log-probabilities: hand-computed log-softmax, top-n order and ties, and a 128k-vocabulary
// row against a double-precision reference.
#include "sampling/logprobs.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "sampling/row_ops.h"

namespace mynah::sampling {
namespace {

// log(e + e^2 + e^3) = 3.40760596
constexpr double kLse123 = 3.40760596;

TEST(Logprobs, TokenLogprob) {
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f};
  EXPECT_NEAR(token_logprob(logits, 2), 3.0 - kLse123, 1e-6);
  EXPECT_NEAR(token_logprob(logits, 0), 1.0 - kLse123, 1e-6);
  EXPECT_NEAR(token_logprob(logits, 1, log_sum_exp(logits)), 2.0 - kLse123, 1e-6);
  EXPECT_EQ(token_logprob(logits, 3), -INFINITY);
  EXPECT_EQ(token_logprob(logits, -1), -INFINITY);
  EXPECT_EQ(token_logprob(std::vector<float>{-INFINITY, 0.0f}, 0), -INFINITY);
}

TEST(Logprobs, TopLogprobs) {
  struct Case {
    std::vector<float> logits;
    int n;
    std::vector<int32_t> ids;
  };
  const std::vector<Case> cases = {
      {{1.0f, 2.0f, 3.0f}, 2, {2, 1}},
      {{1.0f, 2.0f, 3.0f}, 5, {2, 1, 0}},  // n past the vocabulary
      {{1.0f, 2.0f, 3.0f}, 0, {}},
      {{0.5f, 2.0f, 0.5f, 2.0f}, 3, {1, 3, 0}},  // ties: lower id first
  };
  for (const auto& tc : cases) {
    const auto top = top_logprobs(tc.logits, tc.n);
    std::vector<int32_t> ids;
    for (const auto& t : top) ids.push_back(t.id);
    EXPECT_EQ(ids, tc.ids) << "n=" << tc.n;
    for (const auto& t : top) EXPECT_FLOAT_EQ(t.logprob, token_logprob(tc.logits, t.id));
  }
  const auto top = top_logprobs(std::vector<float>{1.0f, 2.0f, 3.0f}, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_NEAR(top[0].logprob, 3.0 - kLse123, 1e-6);
}

TEST(Logprobs, LargeVocabularyMatchesDoubleReference) {
  std::mt19937 gen(2);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> logits(128256);
  for (auto& z : logits) z = dist(gen);
  const double max = *std::max_element(logits.begin(), logits.end());
  double mass = 0.0;
  for (float z : logits) mass += std::exp(z - max);
  const double lse = max + std::log(mass);
  for (int32_t id : {0, 777, 128255}) EXPECT_NEAR(token_logprob(logits, id), logits[id] - lse, 2e-5);
  const auto top = top_logprobs(logits, 5);
  std::vector<int32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                    [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(top[i].id, order[i]);
}

}  // namespace
}  // namespace mynah::sampling
