// attend() on every ISA against a double-precision two-pass softmax over a shuffled paged cache,
// for head sizes around the SIMD widths and positions around the chunk size; and the property
// batch invariance rests on: a query's output is the same bits alone or in any group.
#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/kernel_table.h"
#include "test_data.h"

namespace mynah::kernels {
namespace {

using testing::random_floats;

// A paged cache of n_rows positions, kv_dim columns, in blocks of block_size in shuffled order.
struct Cache {
  int32_t block_size = 0;
  int64_t kv_dim = 0;
  std::vector<float> k, v;
  std::vector<int32_t> table;

  Cache(int32_t n_pos, int32_t bs, int64_t dim, uint32_t seed) : block_size(bs), kv_dim(dim) {
    const int32_t n_blocks = (n_pos + bs - 1) / bs + 1;  // one spare block nobody owns
    k = random_floats(static_cast<int64_t>(n_blocks) * bs * dim, seed);
    v = random_floats(static_cast<int64_t>(n_blocks) * bs * dim, seed + 1);
    table.resize(n_blocks - 1);
    std::iota(table.begin(), table.end(), 1);
    std::shuffle(table.begin(), table.end(), std::mt19937(seed));
  }
  KvPages pages() const { return {k.data(), v.data(), table.data(), block_size, kv_dim}; }
  const float* row(const std::vector<float>& m, int32_t p) const {
    return m.data() + (static_cast<int64_t>(table[p / block_size]) * block_size + p % block_size) * kv_dim;
  }
};

// Double-precision reference for one query.
std::vector<double> reference(const Cache& c, int64_t off, const float* q, int hd, int32_t n_pos, float scale) {
  std::vector<double> s(n_pos);
  for (int32_t p = 0; p < n_pos; ++p) {
    double dot = 0.0;
    for (int d = 0; d < hd; ++d) dot += static_cast<double>(q[d]) * c.row(c.k, p)[off + d];
    s[p] = dot * scale;
  }
  const double max = *std::max_element(s.begin(), s.end());
  double sum = 0.0;
  for (double& x : s) sum += (x = std::exp(x - max));
  std::vector<double> out(hd, 0.0);
  for (int32_t p = 0; p < n_pos; ++p) {
    for (int d = 0; d < hd; ++d) out[d] += s[p] / sum * c.row(c.v, p)[off + d];
  }
  return out;
}

struct Group {
  std::vector<float> q, out;
  std::vector<const float*> qp;
  std::vector<float*> op;
  std::vector<int32_t> n_pos;
  AttentionQueries a;
};

Group make_group(const Cache& c, int64_t off, int hd, const std::vector<int32_t>& n_pos, uint32_t seed) {
  Group g;
  const int n = static_cast<int>(n_pos.size());
  g.q = random_floats(static_cast<int64_t>(n) * hd, seed, 0.5f);
  g.out.assign(g.q.size(), -1.0f);
  for (int i = 0; i < n; ++i) {
    g.qp.push_back(&g.q[static_cast<size_t>(i) * hd]);
    g.op.push_back(&g.out[static_cast<size_t>(i) * hd]);
  }
  g.n_pos = n_pos;
  g.a.kv = c.pages();
  g.a.kv_offset = off;
  g.a.head_dim = hd;
  g.a.scale = 1.0f / std::sqrt(static_cast<float>(hd));
  g.a.n_queries = n;
  g.a.q = g.qp.data();
  g.a.out = g.op.data();
  g.a.n_pos = g.n_pos.data();
  return g;
}

class AttentionPerIsa : public ::testing::TestWithParam<Isa> {};

TEST_P(AttentionPerIsa, MatchesDoubleReference) {
  const KernelTable& t = *kernel_table_for(GetParam());
  uint32_t seed = 1;
  for (int hd : {8, 15, 16, 17, 64, 80, 128}) {
    const int64_t kv_dim = 3 * hd + 5;  // the head sits at an odd column offset
    for (int32_t bs : {7, 16, 256}) {
      const Cache c(200, bs, kv_dim, ++seed);
      const std::vector<int32_t> n_pos = {1, 2, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200};
      Group g = make_group(c, hd + 3, hd, n_pos, ++seed);
      t.attend(g.a);
      for (size_t i = 0; i < n_pos.size(); ++i) {
        const std::vector<double> want = reference(c, hd + 3, g.qp[i], hd, n_pos[i], g.a.scale);
        for (int d = 0; d < hd; ++d) {
          ASSERT_NEAR(g.op[i][d], want[d], 2e-5 * (1.0 + std::fabs(want[d])))
              << "hd=" << hd << " block=" << bs << " n_pos=" << n_pos[i] << " d=" << d;
        }
      }
    }
  }
}

TEST_P(AttentionPerIsa, LargeScoresStayFinite) {
  const KernelTable& t = *kernel_table_for(GetParam());
  const Cache c(100, 16, 64, 7);
  Group g = make_group(c, 0, 64, {1, 50, 100}, 8);
  for (float& x : g.q) x *= 400.0f;  // scores in the thousands: exp would overflow without the max
  t.attend(g.a);
  for (float x : g.out) ASSERT_TRUE(std::isfinite(x));
}

TEST_P(AttentionPerIsa, QueryResultDoesNotDependOnItsGroup) {
  const KernelTable& t = *kernel_table_for(GetParam());
  const Cache c(300, 16, 64 * 4, 11);
  const std::vector<int32_t> n_pos = {300, 1, 77, 64, 129, 250, 5, 300, 33};
  Group all = make_group(c, 64, 64, n_pos, 12);
  t.attend(all.a);
  for (size_t i = 0; i < n_pos.size(); ++i) {
    Group one = make_group(c, 64, 64, {n_pos[i]}, 99);
    std::copy_n(all.qp[i], 64, one.q.begin());
    t.attend(one.a);
    EXPECT_EQ(std::memcmp(one.op[0], all.op[i], 64 * sizeof(float)), 0) << "query " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, AttentionPerIsa, ::testing::ValuesIn(testing::runnable_isas()),
                         testing::isa_test_name);

TEST(Attention, SimdMatchesScalarTwin) {
  const KernelTable& ref = *kernel_table_for(Isa::kScalar);
  const Cache c(150, 16, 192, 21);
  for (Isa isa : testing::runnable_simd_isas()) {
    Group a = make_group(c, 64, 64, {3, 64, 65, 150}, 22), b = a;
    b.qp.clear();
    b.op.clear();
    for (size_t i = 0; i < a.qp.size(); ++i) {
      b.qp.push_back(&b.q[i * 64]);
      b.op.push_back(&b.out[i * 64]);
    }
    b.a.q = b.qp.data();
    b.a.out = b.op.data();
    b.a.n_pos = b.n_pos.data();
    ref.attend(a.a);
    kernel_table_for(isa)->attend(b.a);
    for (size_t i = 0; i < a.out.size(); ++i) ASSERT_NEAR(a.out[i], b.out[i], 1e-5f) << isa_name(isa) << " " << i;
  }
}

}  // namespace
}  // namespace mynah::kernels
