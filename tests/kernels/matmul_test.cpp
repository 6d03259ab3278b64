// matmul against a naive double-precision loop, batch invariance (token count and thread count
// never change a single bit), unsupported types, and get_row.
#include "kernels/matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
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

const GgmlType kTypes[] = {GgmlType::kF32,  GgmlType::kF16,  GgmlType::kBF16, GgmlType::kQ8_0, GgmlType::kQ4_0,
                           GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1, GgmlType::kQ2_K, GgmlType::kQ3_K,
                           GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K};

// Columns of n_blocks weight blocks (32 elements for the float types, so shapes stay comparable).
int64_t cols(GgmlType type, int64_t n_blocks) {
  return n_blocks * std::max<int64_t>(32, gguf::ggml_type_traits(type).block_size);
}

// The activation format the type's kernels use, as a tensor type.
GgmlType activation_type(GgmlType type) {
  switch (weight_kernels(kernels(), type)->activation) {
    case ActivationFormat::kQ8_0: return GgmlType::kQ8_0;
    case ActivationFormat::kQ8_K: return GgmlType::kQ8_K;
    default: return GgmlType::kF32;
  }
}

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
  const GgmlType act = activation_type(p.w.type);
  std::vector<float> xs(p.x);
  if (act != GgmlType::kF32) {
    const std::vector<uint8_t> q = encode_rows(act, p.x, n_cols);
    EXPECT_TRUE(tensor::dequantize_row(act, q.data(), xs.data(), n_cols * n_tokens));
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
    for (auto [n_blocks, n_rows] : {std::pair<int64_t, int64_t>{3, 37}, {8, 64}, {33, 19}}) {
      const int64_t n_cols = cols(type, n_blocks), n_tokens = 5;
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
    using Shape = std::tuple<int64_t, int64_t, int64_t>;  // blocks, rows, tokens (70 > one token chunk)
    for (auto [n_blocks, n_rows, n_tokens] : {Shape{3, 37, 7}, Shape{9, 50, 70}, Shape{33, 21, 13}}) {
      const int64_t n_cols = cols(type, n_blocks);
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

// Every GEMM tile shape (rows x tokens up to kGemmRows x kGemmTokens, via row and token counts
// that leave every remainder) and every partial block group equals the table's dot on that row
// and token, bit for bit: the contract that makes decode and prefill agree.
TEST_P(MatmulPerIsa, EveryOutputEqualsTheTableDot) {
  const KernelTable& table = *kernel_table_for(GetParam());
  uint32_t seed = 90;
  for (GgmlType type : kTypes) {
    const std::optional<WeightKernels> k = weight_kernels(table, type);
    ASSERT_TRUE(k.has_value());
    // Up to 35 blocks: whole and partial groups of the 16-block AVX-512 layout; 19 rows and tokens
    // are more than one call's kGemmRows x kGemmTokens, with remainders.
    for (int64_t n_blocks : {1, 2, 3, 4, 5, 7, 9, 16, 17, 35}) {
      const int64_t n_cols = cols(type, n_blocks), n_rows = n_blocks >= 16 ? 19 : 11, n_tokens = n_blocks >= 16 ? 19 : 9;
      const Problem p = make_problem(type, n_cols, n_rows, n_tokens, seed += 2);
      const std::vector<float> y = run(table, p, p.x.data(), n_tokens, 2);
      const std::vector<uint8_t> xq = encode_rows(activation_type(type), p.x, n_cols);
      const size_t x_row = xq.size() / n_tokens;
      for (int64_t t = 0; t < n_tokens; ++t) {
        for (int64_t r = 0; r < n_rows; ++r) {
          const float want = k->dot(p.w.row(r), xq.data() + x_row * t, n_cols);
          ASSERT_TRUE(same_bits(&y[t * n_rows + r], &want, 1))
              << gguf::ggml_type_name(type) << " blocks=" << n_blocks << " t=" << t << " r=" << r;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, MatmulPerIsa, ::testing::ValuesIn(testing::runnable_isas()),
                         testing::isa_test_name);

TEST(Matmul, UnsupportedTypeIsRefusedWithoutTouchingMemoryItShouldNot) {
  EXPECT_FALSE(matmul_supports(GgmlType::kIQ4_NL));
  EXPECT_FALSE(matmul_supports(GgmlType::kQ8_K));  // an activation format, never a weight
  EXPECT_FALSE(matmul_supports(GgmlType::kI32));
  for (GgmlType type : kTypes) EXPECT_TRUE(matmul_supports(type));
#ifdef NDEBUG  // debug builds assert instead
  std::vector<uint8_t> w(18 * 8 * 2, 0);
  const tensor::TensorView view{GgmlType::kIQ4_NL, w.data(), 256, 2};
  std::vector<float> x(256, 1.0f), y(2, 0.0f);
  util::ThreadPool pool(1);
  matmul(view, x.data(), 1, y.data(), pool);
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]));
#endif
}

TEST(GetRow, DequantizesOneRow) {
  for (GgmlType type : kTypes) {
    const int64_t n = cols(type, 2);
    const Problem p = make_problem(type, n, 3, 1, 7);
    std::vector<float> got(n, 0.0f), want(n, 1.0f);
    ASSERT_TRUE(get_row(p.w, 2, got.data()));
    ASSERT_TRUE(tensor::dequantize_row(type, p.w.row(2), want.data(), n));
    EXPECT_TRUE(same_bits(got.data(), want.data(), n)) << gguf::ggml_type_name(type);
    EXPECT_FALSE(get_row(p.w, 3, got.data()));
    EXPECT_FALSE(get_row(p.w, -1, got.data()));
  }
  std::vector<uint8_t> w(18 * 8, 0);
  std::vector<float> out(256);
  EXPECT_FALSE(get_row(tensor::TensorView{GgmlType::kIQ4_NL, w.data(), 256, 1}, 0, out.data()));
}

}  // namespace
}  // namespace mynah::kernels
