// matmul: activations are quantized once per call, then threads take tiles of output rows from a
// shared counter. A tile's weights stay in cache while every token of a chunk passes over them,
// so prefill reads each weight from memory once per token chunk, not once per token.
#include "kernels/matmul.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include "tensor/dequantize.h"
#include "tensor/quant_blocks.h"
#include "util/status.h"

namespace mynah::kernels {
namespace {

// 16 weight rows of 4096 Q4_0 columns are 36 KiB: a tile stays in L2 while token groups pass.
constexpr int64_t kRowTile = kGemmRows;
// 64 tokens of 4096 Q8_0 columns are 272 KiB: a token chunk of activations stays in L2.
constexpr int64_t kTokenChunk = 64;
// Row tiles a thread takes per grab (64 rows): few enough atomics, small enough to balance.
constexpr int64_t kTilesPerGrab = 4;
// Packed activation bytes per GEMM token chunk.
constexpr size_t kGemmChunkBytes = size_t{512} << 10;
// Below this many multiply-adds (a few tens of microseconds of work) a matmul stays on one thread.
constexpr int64_t kMinParallelMacs = int64_t{1} << 18;

// Grow-only, 64-byte-aligned buffer; one per calling thread, so concurrent callers never share.
class Scratch {
 public:
  void* reserve(size_t n_bytes) {
    if (n_bytes > capacity_) {
      data_.reset(static_cast<uint8_t*>(::operator new[](n_bytes, std::align_val_t{64})));
      capacity_ = n_bytes;
    }
    return data_.get();
  }

 private:
  struct AlignedDelete {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<uint8_t, AlignedDelete> data_;
  size_t capacity_ = 0;
};

thread_local Scratch t_activations;

struct Job {
  WeightKernels kernels;
  const uint8_t* w = nullptr;
  size_t w_stride = 0;  // bytes per weight row
  const uint8_t* x = nullptr;
  size_t x_stride = 0;  // bytes per activation row (fp32, Q8_0 blocks or the GEMM's packed layout)
  int64_t n_cols = 0;
  int64_t n_rows = 0;
  int64_t n_tokens = 0;
  int64_t token_chunk = kTokenChunk;
  bool gemm = false;  // packed activations through kernels.gemm, else dot4 per token
  float* y = nullptr;
};

struct Dispatch {
  const Job* job;
  int64_t n_tiles;
  std::atomic<int64_t> next_tile;
};

// Rows [r0, r1) of tokens [t0, t1): groups of kDotRows rows share each activation row's loads.
void run_tile_dot(const Job& job, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  for (int64_t t = t0; t < t1; ++t) {
    const uint8_t* xt = job.x + job.x_stride * t;
    float* yt = job.y + job.n_rows * t;
    int64_t r = r0;
    for (; r + kDotRows <= r1; r += kDotRows) {
      job.kernels.dot4(job.w + job.w_stride * r, job.w_stride, xt, job.n_cols, yt + r);
    }
    for (; r < r1; ++r) yt[r] = job.kernels.dot(job.w + job.w_stride * r, xt, job.n_cols);
  }
}

// The same through GEMM calls of up to kGemmRows rows (a row tile) by kGemmTokens tokens: the
// tile's weights stay in L2 while the chunk's tokens pass over them.
void run_tile_gemm(const Job& job, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  for (int64_t r = r0; r < r1; r += kGemmRows) {
    const int n_rows = static_cast<int>(std::min<int64_t>(kGemmRows, r1 - r));
    for (int64_t t = t0; t < t1; t += kGemmTokens) {
      const int n_tokens = static_cast<int>(std::min<int64_t>(kGemmTokens, t1 - t));
      job.kernels.gemm(job.w + job.w_stride * r, job.w_stride, n_rows, job.x + job.x_stride * t, job.x_stride,
                       n_tokens, job.n_cols, job.y + job.n_rows * t + r, static_cast<size_t>(job.n_rows));
    }
  }
}

// Row tiles [tile_begin, tile_end) for every token.
void run_rows(const Job& job, int64_t tile_begin, int64_t tile_end) {
  for (int64_t t0 = 0; t0 < job.n_tokens; t0 += job.token_chunk) {
    const int64_t t1 = std::min(t0 + job.token_chunk, job.n_tokens);
    for (int64_t tile = tile_begin; tile < tile_end; ++tile) {
      const int64_t r0 = tile * kRowTile, r1 = std::min((tile + 1) * kRowTile, job.n_rows);
      if (job.gemm) {
        run_tile_gemm(job, r0, r1, t0, t1);
      } else {
        run_tile_dot(job, r0, r1, t0, t1);
      }
    }
  }
}

// Below this many activations, quantizing them is not worth a second thread.
constexpr int64_t kMinParallelConvert = int64_t{1} << 15;

// Converts every token row of x with `convert` (quantize or pack) into the caller's scratch.
template <class Convert>
const uint8_t* convert_activations(const float* x, int64_t n_cols, int64_t n_tokens, size_t x_stride,
                                   util::ThreadPool& pool, Convert convert) {
  auto* q = static_cast<uint8_t*>(t_activations.reserve(x_stride * static_cast<size_t>(n_tokens)));
  const auto run = [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) convert(x + t * n_cols, q + x_stride * t, n_cols);
  };
  if (n_tokens >= 2 * pool.n_threads() && n_tokens * n_cols >= kMinParallelConvert) {
    pool.parallel_for(n_tokens, run);
  } else {
    run(0, n_tokens);
  }
  return q;
}

}  // namespace

bool matmul_supports(gguf::GgmlType type) { return weight_kernels(kernels(), type).has_value(); }

void matmul(const tensor::TensorView& w, const float* x, int64_t n_tokens, float* y,
            util::ThreadPool& pool) {
  matmul(kernels(), w, x, n_tokens, y, pool);
}

void matmul(const KernelTable& table, const tensor::TensorView& w, const float* x, int64_t n_tokens,
            float* y, util::ThreadPool& pool) {
  if (n_tokens <= 0 || w.n_rows <= 0) return;
  const std::optional<WeightKernels> k = weight_kernels(table, w.type);
  MYNAH_DCHECK(k.has_value());
  if (!k || w.n_cols % k->block_size != 0) {
    std::fill_n(y, n_tokens * w.n_rows, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  Job job;
  job.kernels = *k;
  job.w = static_cast<const uint8_t*>(w.data);
  job.w_stride = w.row_bytes();
  job.n_cols = w.n_cols;
  job.n_rows = w.n_rows;
  job.n_tokens = n_tokens;
  job.y = y;
  // A type with a GEMM uses it for every token count (decode is the one-token tile), so a
  // token's outputs never depend on how many tokens share the call.
  job.gemm = k->gemm != nullptr;
  if (job.gemm) {
    // Packed rows are multiples of 64 bytes, so every row starts cache-line aligned. The chunk
    // keeps a chunk's packed tokens within half of a 1-2 MiB L2.
    job.x_stride = k->packed_bytes(w.n_cols);
    job.token_chunk = std::clamp<int64_t>(static_cast<int64_t>(kGemmChunkBytes / job.x_stride) / kGemmTokens * kGemmTokens,
                                          kGemmTokens, 256);
    job.x = convert_activations(x, w.n_cols, n_tokens, job.x_stride, pool, k->pack);
  } else if (k->activation == ActivationFormat::kQ8_0) {
    job.x_stride = static_cast<size_t>(w.n_cols / tensor::kQk8_0) * sizeof(tensor::BlockQ8_0);
    job.x = convert_activations(x, w.n_cols, n_tokens, job.x_stride, pool, table.quantize_row_q8_0);
  } else if (k->activation == ActivationFormat::kQ8_K) {
    job.x_stride = static_cast<size_t>(w.n_cols / tensor::kQkK) * sizeof(tensor::BlockQ8_K);
    job.x = convert_activations(x, w.n_cols, n_tokens, job.x_stride, pool, table.quantize_row_q8_k);
  } else {
    job.x_stride = static_cast<size_t>(w.n_cols) * sizeof(float);
    job.x = reinterpret_cast<const uint8_t*>(x);
  }
  // Threads grab row tiles from a shared counter instead of taking fixed halves, so a thread that
  // is descheduled or on a slower core does not hold up the call. Which thread computes an output
  // never changes its value.
  // The lambda captures one pointer so std::function stores it inline (no allocation per call).
  Dispatch dispatch{&job, (w.n_rows + kRowTile - 1) / kRowTile, {0}};
  const auto work = [d = &dispatch] {
    for (;;) {
      const int64_t begin = d->next_tile.fetch_add(kTilesPerGrab, std::memory_order_relaxed);
      if (begin >= d->n_tiles) return;
      run_rows(*d->job, begin, std::min(begin + kTilesPerGrab, d->n_tiles));
    }
  };
  // Waking a sleeping worker costs more than a small matmul gains from it (the 260K model's
  // matrices are 64 x 64); those run on the caller alone.
  if (w.n_rows * w.n_cols * n_tokens < kMinParallelMacs || dispatch.n_tiles == 1) {
    work();
  } else {
    pool.run_shared(work);
  }
}

bool get_row(const tensor::TensorView& w, int64_t row, float* out) {
  if (row < 0 || row >= w.n_rows || !tensor::dequantize_supports(w.type)) return false;
  return tensor::dequantize_row(w.type, w.row(row), out, w.n_cols);
}

}  // namespace mynah::kernels
