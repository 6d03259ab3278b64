// CandidateList: dense start, allowed-token masks, compaction in id order, weights, and the draw.
#include "sampling/candidates.h"

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::candidates_for;
using testing::probs_of;

std::vector<uint64_t> mask_of(const std::vector<int32_t>& ids, size_t n_vocab) {
  std::vector<uint64_t> mask((n_vocab + 63) / 64, 0);
  for (int32_t id : ids) mask[static_cast<size_t>(id) / 64] |= 1ull << (id % 64);
  return mask;
}

std::vector<int32_t> ids_left(const CandidateList& c) {
  std::vector<int32_t> out;
  for (size_t pos = 0; pos < c.size(); ++pos) {
    if (c.logits()[pos] > -INFINITY) out.push_back(c.id(pos));
  }
  return out;
}

TEST(CandidateList, AssignIsDenseOverTheWholeRow) {
  auto c = candidates_for({0.25f, 0.25f, 0.5f});
  EXPECT_TRUE(c.dense());
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c.id(2), 2);
  auto p = probs_of(c);
  EXPECT_NEAR(p[2], 0.5f, 1e-6);
}

TEST(CandidateList, RestrictToMask) {
  struct Case {
    const char* name;
    size_t n_vocab;
    std::vector<int32_t> allowed;
    size_t mask_words;  // 0: as many as the vocabulary needs
  };
  const std::vector<Case> cases = {
      {"few allowed: gathered", 200, {3, 64, 130, 199}, 0},
      {"most allowed: marked", 130, {}, 0},  // filled below with all but three
      {"mask shorter than vocab", 200, {1, 2}, 1},
      {"nothing allowed", 70, {}, 0},
  };
  for (auto tc : cases) {
    if (std::string_view(tc.name) == "most allowed: marked") {
      for (int32_t id = 0; id < 130; ++id) {
        if (id != 5 && id != 64 && id != 129) tc.allowed.push_back(id);
      }
    }
    CandidateList c;
    c.assign(std::vector<float>(tc.n_vocab, 0.0f));
    auto mask = mask_of(tc.allowed, tc.n_vocab);
    if (tc.mask_words > 0) mask.resize(tc.mask_words);
    c.restrict_to(mask);
    EXPECT_EQ(ids_left(c), tc.allowed) << tc.name;
  }
}

TEST(CandidateList, KeepPositionsCompactsInIdOrderAndCarriesWeights) {
  auto c = candidates_for({0.1f, 0.2f, 0.3f, 0.4f});
  c.compute_weights();
  const std::vector<int32_t> keep = {1, 3};
  c.keep_positions(keep);
  EXPECT_FALSE(c.dense());
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c.id(0), 1);
  EXPECT_EQ(c.id(1), 3);
  EXPECT_TRUE(c.has_weights());
  auto p = probs_of(c);
  EXPECT_NEAR(p[1], 0.2f / 0.6f, 1e-6);
  EXPECT_NEAR(p[3], 0.4f / 0.6f, 1e-6);
}

TEST(CandidateList, KeepAtLeastCompactsOrMarksWithTheSameSurvivors) {
  for (size_t n_keep : {3u, 900u}) {  // few survivors: compaction; most: marked in place
    CandidateList c;
    std::vector<float> logits(1000, -5.0f);
    for (size_t i = 0; i < n_keep; ++i) logits[(i * 7) % 1000] = 0.0f;
    c.assign(logits);
    c.compute_weights();
    c.keep_weights_at_least(0.5f);
    EXPECT_EQ(ids_left(c).size(), n_keep);
    EXPECT_NEAR(c.mass(), static_cast<double>(n_keep), 1e-3);
    EXPECT_EQ(c.dense(), n_keep == 900u);
    c.keep_logits_at_least(1.0f);  // nothing qualifies: a list of removed candidates
    EXPECT_TRUE(ids_left(c).empty());
  }
}

TEST(CandidateList, KeepWeightsAtLeastDropsRemoved) {
  auto c = candidates_for({0.5f, 0.25f, 0.25f});
  c.compute_weights();
  c.remove(1);
  c.keep_weights_at_least(0.4f);  // weights relative to the max: 1, 0, 0.5
  EXPECT_EQ(ids_left(c), (std::vector<int32_t>{0, 2}));
}

TEST(CandidateList, RemoveMarksAndRenormalises) {
  auto c = candidates_for({0.5f, 0.25f, 0.25f});
  c.compute_weights();
  c.remove(0);
  auto p = probs_of(c);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NEAR(p[1], 0.5f, 1e-6);
  EXPECT_EQ(c.logits()[0], -INFINITY);
}

TEST(CandidateList, SamplePositionIsInverseCdfInIdOrder) {
  struct Case {
    std::vector<float> probs;
    double u;
    size_t expected;
  };
  const std::vector<Case> cases = {
      {{0.1f, 0.6f, 0.3f}, 0.05, 0}, {{0.1f, 0.6f, 0.3f}, 0.11, 1}, {{0.1f, 0.6f, 0.3f}, 0.69, 1},
      {{0.1f, 0.6f, 0.3f}, 0.71, 2}, {{0.1f, 0.6f, 0.3f}, 0.999999, 2},
      {{0.5f, 0.0f, 0.5f}, 0.5, 2},  // a zero-probability token is never drawn
      {{0.5f, 0.5f, 0.0f}, 0.9999999999, 1},
  };
  for (const auto& tc : cases) {
    auto c = candidates_for(tc.probs);
    c.compute_weights();
    EXPECT_EQ(c.sample_position(tc.u), tc.expected) << "u=" << tc.u;
  }
}

TEST(CandidateList, SamplePositionAcrossBlocks) {
  const size_t n = 1000;  // several 256-entry draw blocks and a tail
  CandidateList c;
  c.assign(std::vector<float>(n, 0.0f));
  c.compute_weights();
  for (size_t k : {0u, 255u, 256u, 511u, 700u, 999u}) {
    EXPECT_EQ(c.sample_position((static_cast<double>(k) + 0.5) / n), k);
  }
}

}  // namespace
}  // namespace mynah::sampling
