// matmul must not touch the heap once warmed up (decode calls it hundreds of times per token).
// Its own executable: replacing the global operator new is process-wide.
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/matmul.h"
#include "test_data.h"
#include "util/thread_pool.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace mynah::kernels {
namespace {

using gguf::GgmlType;

TEST(MatmulAlloc, SteadyStateCallsDoNotAllocate) {
  const int64_t n_cols = 512, n_rows = 96, n_tokens = 8;
  const std::vector<float> x = testing::random_floats(n_cols * n_tokens, 3);
  std::vector<float> y(static_cast<size_t>(n_rows * n_tokens));
  util::ThreadPool pool(2);
  for (GgmlType type : {GgmlType::kQ4_0, GgmlType::kQ8_0, GgmlType::kF16}) {
    const std::vector<float> values = testing::random_floats(n_cols * n_rows, 4);
    const std::vector<uint8_t> w = testing::encode_rows(type, values, n_cols);
    const tensor::TensorView view{type, w.data(), n_cols, n_rows};
    matmul(view, x.data(), n_tokens, y.data(), pool);  // warm-up: the activation scratch grows here
    const long before = g_allocations.load();
    for (int i = 0; i < 20; ++i) {
      matmul(view, x.data(), 1, y.data(), pool);
      matmul(view, x.data(), n_tokens, y.data(), pool);
    }
    EXPECT_EQ(g_allocations.load() - before, 0) << gguf::ggml_type_name(type);
  }
}

}  // namespace
}  // namespace mynah::kernels
