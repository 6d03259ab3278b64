// Row operations and partial selection: exact against std:: references, on rows whose lengths are
// not multiples of the vector and block sizes.
#include "sampling/row_ops.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "sampling/exp_sum.h"
#include "sampling/top_n.h"

namespace mynah::sampling {
namespace {

std::vector<float> random_row(size_t n, uint32_t seed, float scale = 3.0f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> row(n);
  for (float& x : row) x = dist(gen);
  return row;
}

TEST(RowOps, ExpMatchesStdExpToFloatPrecision) {
  std::vector<float> xs;
  for (float x = -87.0f; x <= 0.0f; x += 0.0137f) xs.push_back(x);
  xs.push_back(-INFINITY);
  xs.push_back(-1000.0f);
  std::vector<float> out(xs.size());
  exp_shifted(xs, 0.0f, out);
  for (size_t i = 0; i + 2 < xs.size(); ++i) {
    const double ref = std::exp(static_cast<double>(xs[i]));
    ASSERT_NEAR(out[i] / ref, 1.0, 3e-7) << "x=" << xs[i];
  }
  EXPECT_EQ(out[xs.size() - 2], 0.0f);  // exp(-inf)
  EXPECT_EQ(out.back(), 0.0f);          // below float range
}

TEST(RowOps, ExpSumMatchesDoubleReference) {
  for (size_t n : {1u, 7u, 255u, 256u, 257u, 1000u, 128256u}) {
    const auto row = random_row(n, static_cast<uint32_t>(n));
    const float shift = max_value(row);
    double ref = 0.0;
    for (float x : row) ref += std::exp(static_cast<double>(x) - shift);
    std::vector<float> out(n);
    EXPECT_NEAR(exp_shifted(row, shift, out) / ref, 1.0, 1e-6) << "n=" << n;
    EXPECT_NEAR(sum(out) / ref, 1.0, 1e-6) << "n=" << n;
  }
}

TEST(RowOps, Avx2AndBaselineExpAgreeBitForBit) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU";
  auto row = random_row(128256 + 37, 9, 6.0f);
  row[5] = -INFINITY;
  const float shift = max_value(row);
  std::vector<float> base(row.size()), wide(row.size());
  const double base_sum = exp_sum_impl<F32x4, I32x4, true>(row.data(), shift, base.data(), row.size());
  const double wide_sum = avx2::exp_sum(row.data(), shift, wide.data(), row.size());
  EXPECT_EQ(base_sum, wide_sum);
  EXPECT_EQ(base, wide);
}

TEST(RowOps, MaxAndArgmaxOnAwkwardLengths) {
  for (size_t n : {1u, 3u, 8u, 9u, 17u, 1001u}) {
    for (size_t peak : {size_t{0}, n / 2, n - 1}) {
      std::vector<float> row(n, -INFINITY);
      row[peak] = 1.0f;
      EXPECT_EQ(max_value(row), 1.0f);
      EXPECT_EQ(argmax_position(row), peak) << "n=" << n;
    }
  }
  EXPECT_EQ(max_value(std::vector<float>{}), -INFINITY);
  EXPECT_EQ(argmax_position(std::vector<float>{2.0f, 5.0f, 5.0f, 1.0f, 5.0f}), 1u);  // lowest on ties
}

TEST(RowOps, SumAtLeastCountsOnlyValuesAtOrAboveTheFloor) {
  std::vector<float> row(300, 0.25f);
  row[7] = 1.0f;
  row[299] = 0.5f;
  EXPECT_DOUBLE_EQ(sum_at_least(row, 0.5f), 1.5);
  EXPECT_DOUBLE_EQ(sum_at_least(row, 0.0f), 1.5 + 298 * 0.25);
}

TEST(RowOps, ThresholdCountsScansAndFills) {
  for (size_t n : {5u, 16u, 37u, 1000u}) {
    auto row = random_row(n, static_cast<uint32_t>(n) + 100);
    row[n / 2] = -INFINITY;
    const float floor = 1.0f;
    std::vector<int32_t> expected;
    for (size_t i = 0; i < n; ++i) {
      if (row[i] >= floor) expected.push_back(static_cast<int32_t>(i));
    }
    EXPECT_EQ(count_at_least(row, floor), expected.size()) << "n=" << n;
    std::vector<int32_t> out(n);
    out.resize(positions_at_least(row, floor, out));
    EXPECT_EQ(out, expected) << "n=" << n;
    std::vector<float> target(n, 7.0f);
    fill_below(row, floor, target, -1.0f);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(target[i], row[i] >= floor ? 7.0f : -1.0f) << "n=" << n;
  }
}

TEST(RowOps, LogSumExp) {
  EXPECT_NEAR(log_sum_exp(std::vector<float>{1.0f, 2.0f, 3.0f}), 3.40760596, 1e-6);
  EXPECT_NEAR(log_sum_exp(std::vector<float>{0.0f, -INFINITY}), 0.0, 1e-7);
  EXPECT_EQ(log_sum_exp(std::vector<float>{-INFINITY, -INFINITY}), -INFINITY);
}

std::vector<RankedValue> full_sort_reference(const std::vector<float>& row, size_t n) {
  std::vector<RankedValue> all;
  for (size_t i = 0; i < row.size(); ++i) all.push_back({row[i], static_cast<int32_t>(i)});
  std::sort(all.begin(), all.end(), ranks_before);
  all.resize(std::min(n, all.size()));
  return all;
}

TEST(TopN, MatchesFullSortForHeapAndNthElementPaths) {
  auto row = random_row(20000, 5);
  for (size_t i = 0; i < row.size(); i += 97) row[i] = 4.0f;  // many ties
  std::vector<RankedValue> out;
  for (size_t n : {1u, 2u, 40u, 1024u, 1025u, 5000u, 20000u, 30000u}) {
    select_top_n(row, n, out);
    const auto ref = full_sort_reference(row, n);
    ASSERT_EQ(out.size(), ref.size()) << "n=" << n;
    for (size_t i = 0; i < ref.size(); ++i) {
      ASSERT_EQ(out[i].pos, ref[i].pos) << "n=" << n << " i=" << i;
    }
  }
}

TEST(TopN, TiesGoToLowerPositions) {
  std::vector<RankedValue> out;
  select_top_n(std::vector<float>{1.0f, 3.0f, 3.0f, 2.0f, 3.0f}, 2, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].pos, 1);
  EXPECT_EQ(out[1].pos, 2);
  select_top_n(std::vector<float>{1.0f}, 0, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace mynah::sampling
