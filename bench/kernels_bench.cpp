// bench_kernels: GEMV (decode, 1 token) and GEMM (prefill, 32 tokens) through kernels::matmul for
// every runnable ISA, weight type, shape and thread count. bytes_per_second counts weight bytes.
//   gemv_hot:  one matrix reused every call (2048x2048 Q4_0 is 2.4 MB: served from L2/L3).
//   gemv_cold: cycles through copies totalling >= 64 MB, so weights stream from DRAM as in decode.
//   gemm32:    32 tokens per call; GFLOPS = 2 * rows * cols * tokens per second.
// gemv_cold also reports stream_GBps, a plain streaming read of the same bytes on the same threads
// measured in the same run, and ratio = the GEMV's weight GB/s over it.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/attention.h"
#include "kernels/matmul.h"
#include "tensor/quantize.h"
#include "util/thread_pool.h"

namespace {

using mynah::gguf::GgmlType;
using mynah::kernels::Isa;
using mynah::kernels::KernelTable;
namespace kernels = mynah::kernels;
namespace tensor = mynah::tensor;

constexpr size_t kColdBytes = size_t{64} << 20;

struct Weights {
  std::vector<std::vector<uint8_t>> copies;  // each [n_rows][row_bytes]
  size_t bytes = 0;                          // of one copy
};

// Random weights, built once per (type, shape, copies) and shared by all ISAs and thread counts.
const Weights& weights(GgmlType type, int64_t n_rows, int64_t n_cols, bool cold) {
  static std::map<std::tuple<GgmlType, int64_t, int64_t, bool>, Weights> cache;
  Weights& w = cache[{type, n_rows, n_cols, cold}];
  if (!w.copies.empty()) return w;
  const size_t row_bytes = tensor::TensorView{type, nullptr, n_cols, n_rows}.row_bytes();
  w.bytes = row_bytes * static_cast<size_t>(n_rows);
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 0.02f);
  std::vector<float> row(static_cast<size_t>(n_cols));
  do {
    std::vector<uint8_t> bytes(w.bytes);
    for (int64_t r = 0; r < n_rows; ++r) {
      for (float& v : row) v = dist(rng);
      if (!tensor::quantize_row(type, row.data(), bytes.data() + row_bytes * r, n_cols)) std::abort();
    }
    w.copies.push_back(std::move(bytes));
  } while (cold && w.copies.size() * w.bytes < kColdBytes);
  return w;
}

mynah::util::ThreadPool& pool(int n_threads) {
  static std::map<int, std::unique_ptr<mynah::util::ThreadPool>> pools;
  auto& p = pools[n_threads];
  if (!p) p = std::make_unique<mynah::util::ThreadPool>(n_threads);
  return *p;
}

struct Case {
  const KernelTable* table;
  GgmlType type;
  int64_t n_rows, n_cols, n_tokens;
  int n_threads;
  bool cold;
};

// A plain streaming read of the same copies on the same threads: what the memory system gives a
// loop that only loads and adds (the bound a GEMV is measured against). Returns bytes per second.
double stream_read_bytes_per_second(const Weights& w, int n_threads) {
  constexpr int kPasses = 8;
  const size_t words = w.bytes / sizeof(uint64_t);
  std::atomic<uint64_t> sink{0};
  const auto t0 = std::chrono::steady_clock::now();
  for (int pass = 0; pass < kPasses; ++pass) {
    const auto* data = reinterpret_cast<const uint64_t*>(w.copies[pass % w.copies.size()].data());
    pool(n_threads).parallel_for(static_cast<int64_t>(words), [&](int64_t begin, int64_t end) {
      uint64_t a = 0, b = 0, c = 0, d = 0;  // four chains so the adds never limit the loads
      int64_t i = begin;
      for (; i + 4 <= end; i += 4) {
        a += data[i];
        b += data[i + 1];
        c += data[i + 2];
        d += data[i + 3];
      }
      for (; i < end; ++i) a += data[i];
      sink.fetch_add(a + b + c + d, std::memory_order_relaxed);
    });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  benchmark::DoNotOptimize(sink.load());
  return static_cast<double>(w.bytes) * kPasses / seconds;
}

void run(benchmark::State& state, Case c) {
  const Weights& w = weights(c.type, c.n_rows, c.n_cols, c.cold);
  std::vector<float> x(static_cast<size_t>(c.n_cols * c.n_tokens), 0.5f);
  std::vector<float> y(static_cast<size_t>(c.n_rows * c.n_tokens));
  size_t copy = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const tensor::TensorView view{c.type, w.copies[copy].data(), c.n_cols, c.n_rows};
    kernels::matmul(*c.table, view, x.data(), c.n_tokens, y.data(), pool(c.n_threads));
    benchmark::DoNotOptimize(y.data());
    copy = (copy + 1) % w.copies.size();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const auto iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(iterations * static_cast<double>(w.bytes)));
  if (c.cold) {
    // Weight GB/s of the GEMV over a streaming read of the same bytes, measured right after it.
    const double gemv = iterations * static_cast<double>(w.bytes) / std::chrono::duration<double>(elapsed).count();
    const double stream = stream_read_bytes_per_second(w, c.n_threads);
    state.counters["stream_GBps"] = stream * 1e-9;
    state.counters["ratio"] = gemv / stream;
  }
  const double flops = 2.0 * static_cast<double>(c.n_rows * c.n_cols * c.n_tokens);
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9 * iterations, benchmark::Counter::kIsRate);
}

// Prompt attention: kMaxAttentionQueries queries (8 positions x a GQA group of 8 heads) over
// n_pos cached positions in 256-position blocks, head_dim 64, kv_dim 256 (TinyLlama's shape).
void attention(benchmark::State& state, const KernelTable* table, int32_t n_pos) {
  constexpr int kHeadDim = 64, kKvDim = 256, kBlock = 256;
  const int32_t n_blocks = (n_pos + kBlock - 1) / kBlock;
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> k(static_cast<size_t>(n_blocks) * kBlock * kKvDim), v(k.size());
  for (float& f : k) f = dist(rng);
  for (float& f : v) f = dist(rng);
  std::vector<int32_t> table_ids(n_blocks);
  for (int32_t i = 0; i < n_blocks; ++i) table_ids[i] = n_blocks - 1 - i;
  std::vector<float> q(kernels::kMaxAttentionQueries * kHeadDim), out(q.size());
  for (float& f : q) f = dist(rng);
  std::vector<const float*> qp;
  std::vector<float*> op;
  std::vector<int32_t> n_pos_of;
  for (int i = 0; i < kernels::kMaxAttentionQueries; ++i) {
    qp.push_back(&q[i * kHeadDim]);
    op.push_back(&out[i * kHeadDim]);
    n_pos_of.push_back(n_pos - (kernels::kMaxAttentionQueries - 1 - i) / 8);
  }
  kernels::AttentionQueries a;
  a.kv = {k.data(), v.data(), table_ids.data(), kBlock, kKvDim};
  a.kv_offset = kHeadDim;
  a.head_dim = kHeadDim;
  a.scale = 0.125f;
  a.n_queries = kernels::kMaxAttentionQueries;
  a.q = qp.data();
  a.out = op.data();
  a.n_pos = n_pos_of.data();
  for (auto _ : state) {
    table->attend(a);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["ns_per_query_pos"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kernels::kMaxAttentionQueries * n_pos,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void register_all() {
  for (Isa isa : kernels::kAllIsas) {
    const KernelTable* table = kernels::kernel_table_for(isa);
    if (table == nullptr) continue;
    for (int32_t n_pos : {64, 512}) {
      const std::string name = "attention/" + std::string(kernels::isa_name(isa)) + "/n_pos:" + std::to_string(n_pos);
      benchmark::RegisterBenchmark(name.c_str(), attention, table, n_pos)->Unit(benchmark::kMicrosecond);
    }
  }
  const std::pair<GgmlType, const char*> types[] = {
      {GgmlType::kQ4_0, "q4_0"}, {GgmlType::kQ8_0, "q8_0"}, {GgmlType::kQ4_K, "q4_k"},
      {GgmlType::kQ6_K, "q6_k"},  {GgmlType::kF16, "f16"}};
  const std::pair<int64_t, int64_t> shapes[] = {{2048, 2048}, {5632, 2048}};
  struct Mode {
    const char* name;
    int64_t n_tokens;
    bool cold;
  };
  const Mode modes[] = {{"gemv_hot", 1, false}, {"gemv_cold", 1, true}, {"gemm32", 32, false}};
  for (const Mode& m : modes) {
    for (Isa isa : kernels::kAllIsas) {
      const KernelTable* table = kernels::kernel_table_for(isa);
      if (table == nullptr) continue;
      for (const auto& [type, type_name] : types) {
        for (const auto& [rows, cols] : shapes) {
          for (int threads : {1, 2}) {
            const std::string name = std::string(m.name) + "/" + std::string(kernels::isa_name(isa)) + "/" +
                                     type_name + "/" + std::to_string(rows) + "x" + std::to_string(cols) +
                                     "/threads:" + std::to_string(threads);
            const Case c{table, type, rows, cols, m.n_tokens, threads, m.cold};
            benchmark::RegisterBenchmark(name.c_str(), run, c)
                ->UseRealTime()
                ->Unit(benchmark::kMicrosecond);
          }
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
