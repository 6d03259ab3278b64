// matmul against a naive double-precision loop, batch invariance (token count and thread count
// never change a single bit), unsupported types, and get_row.
#include "kernels/matmul.h"

#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tensor/dequantize.h"
#include "test_data.h"
#include "util/thread_pool.h"

namespace mynah::kernels {
namespace {

using gguf::GgmlType;
using testing::encode_rows;
using testing::random_floats;

const GgmlType kTypes[] = {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0,
                           GgmlType::kQ4_0};

struct Problem {
  std::vector<uint8_t> w_bytes;
  tensor::TensorView w;
  std::vector<float> x;  // [n_tokens][n_cols]
};

Problem make_problem(GgmlType type, int64_t n_cols, int64_t n_rows, int64_t n_tokens, uint32_t seed) {
  Problem p;
  p.w_bytes = encode_rows(type, random_floats(n_cols * n_rows, seed, 0.05f), n_cols);
  p.w = tensor::TensorView{type, p.w_bytes.data(), n_cols, n_rows};
  p.x = random_floats(n_cols * n_tokens, seed + 1);
  return p;
}

// y[t][r] in double from the dequantized weights and the activations as the kernels see them
// (Q8_0-rounded for quantized weights); also returns sum |terms| per output for the tolerance.
void naive_matmul(const Problem& p, int64_t n_tokens, std::vector<double>& y, std::vector<double>& mag) {
  const int64_t n_cols = p.w.n_cols, n_rows = p.w.n_rows;
  const bool q8 = p.w.type == GgmlType::kQ8_0 || p.w.type == GgmlType::kQ4_0;
  std::vector<float> xs(p.x);
  if (q8) {
    const std::vector<uint8_t> q = encode_rows(GgmlType::kQ8_0, p.x, n_cols);
    EXPECT_TRUE(tensor::dequantize_row(GgmlType::kQ8_0, q.data(), xs.data(), n_cols * n_tokens));
  }
  std::vector<float> wf(static_cast<size_t>(n_cols));
  y.assign(static_cast<size_t>(n_tokens * n_rows), 0.0);
  mag.assign(y.size(), 0.0);
  for (int64_t r = 0; r < n_rows; ++r) {
    EXPECT_TRUE(tensor::dequantize_row(p.w.type, p.w.row(r), wf.data(), n_cols));
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int64_t c = 0; c < n_cols; ++c) {
        const double term = static_cast<double>(wf[c]) * xs[t * n_cols + c];
        y[t * n_rows + r] += term;
        mag[t * n_rows + r] += std::fabs(term);
      }
    }
  }
}

std::vector<float> run(const KernelTable& table, const Problem& p, const float* x, int64_t n_tokens,
                       int n_threads) {
  util::ThreadPool pool(n_threads);
  std::vector<float> y(static_cast<size_t>(n_tokens * p.w.n_rows), -1.0f);
  matmul(table, p.w, x, n_tokens, y.data(), pool);
  return y;
}

bool same_bits(const float* a, const float* b, int64_t n) {
  return std::memcmp(a, b, static_cast<size_t>(n) * sizeof(float)) == 0;
}

class MatmulPerIsa : public ::testing::TestWithParam<Isa> {};

TEST_P(MatmulPerIsa, MatchesNaiveDoubleLoop) {
  const KernelTable& table = *kernel_table_for(GetParam());
  uint32_t seed = 10;
  for (GgmlType type : kTypes) {
    for (auto [n_cols, n_rows] : {std::pair<int64_t, int64_t>{96, 37}, {256, 64}, {1056, 19}}) {
      const int64_t n_tokens = 5;
      const Problem p = make_problem(type, n_cols, n_rows, n_tokens, seed += 2);
      const std::vector<float> y = run(table, p, p.x.data(), n_tokens, 2);
      std::vector<double> want, mag;
      naive_matmul(p, n_tokens, want, mag);
      for (size_t i = 0; i < y.size(); ++i) {
        ASSERT_NEAR(y[i], want[i], 1e-5 * mag[i] + 1e-30)
            << gguf::ggml_type_name(type) << " " << n_cols << "x" << n_rows << " output " << i;
      }
    }
  }
}

TEST_P(MatmulPerIsa, BatchInvariantAcrossTokenAndThreadCounts) {
  const KernelTable& table = *kernel_table_for(GetParam());
  uint32_t seed = 50;
  for (GgmlType type : kTypes) {
    using Shape = std::tuple<int64_t, int64_t, int64_t>;  // cols, rows, tokens (70 > one token chunk)
    for (auto [n_cols, n_rows, n_tokens] : {Shape{96, 37, 7}, Shape{288, 50, 70}}) {
      const Problem p = make_problem(type, n_cols, n_rows, n_tokens, seed += 2);
      const std::vector<float> batch = run(table, p, p.x.data(), n_tokens, 1);
      for (int n_threads : {2, 3}) {
        const std::vector<float> other = run(table, p, p.x.data(), n_tokens, n_threads);
        EXPECT_TRUE(same_bits(batch.data(), other.data(), n_tokens * n_rows))
            << gguf::ggml_type_name(type) << " threads=" << n_threads;
      }
      for (int64_t t = 0; t < n_tokens; t += (n_tokens > 10 ? 9 : 1)) {
        for (int n_threads : {1, 2, 3}) {
          const std::vector<float> one = run(table, p, p.x.data() + t * n_cols, 1, n_threads);
          EXPECT_TRUE(same_bits(one.data(), batch.data() + t * n_rows, n_rows))
              << gguf::ggml_type_name(type) << " token " << t << " threads=" << n_threads;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, MatmulPerIsa, ::testing::ValuesIn(testing::runnable_isas()),
                         testing::isa_test_name);

TEST(Matmul, UnsupportedTypeIsRefusedWithoutTouchingMemoryItShouldNot) {
  EXPECT_FALSE(matmul_supports(GgmlType::kQ4_K));
  EXPECT_FALSE(matmul_supports(GgmlType::kI32));
  for (GgmlType type : kTypes) EXPECT_TRUE(matmul_supports(type));
#ifdef NDEBUG  // debug builds assert instead
  std::vector<uint8_t> w(144 * 2, 0);
  const tensor::TensorView view{GgmlType::kQ4_K, w.data(), 256, 2};
  std::vector<float> x(256, 1.0f), y(2, 0.0f);
  util::ThreadPool pool(1);
  matmul(view, x.data(), 1, y.data(), pool);
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]));
#endif
}

TEST(GetRow, DequantizesOneRow) {
  for (GgmlType type : kTypes) {
    const Problem p = make_problem(type, 64, 3, 1, 7);
    std::vector<float> got(64, 0.0f), want(64, 1.0f);
    ASSERT_TRUE(get_row(p.w, 2, got.data()));
    ASSERT_TRUE(tensor::dequantize_row(type, p.w.row(2), want.data(), 64));
    EXPECT_TRUE(same_bits(got.data(), want.data(), 64)) << gguf::ggml_type_name(type);
    EXPECT_FALSE(get_row(p.w, 3, got.data()));
    EXPECT_FALSE(get_row(p.w, -1, got.data()));
  }
  std::vector<uint8_t> w(144, 0);
  std::vector<float> out(256);
  EXPECT_FALSE(get_row(tensor::TensorView{GgmlType::kQ4_K, w.data(), 256, 1}, 0, out.data()));
}

}  // namespace
}  // namespace mynah::kernels
