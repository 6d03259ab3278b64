// Persistent compute-thread pool: one job at a time, split statically across threads.
// The caller takes part as thread 0. Idle workers spin briefly, then sleep on a futex (C++20 atomic
// wait), so an idle server burns no CPU and a busy neighbour process costs only its share of cores.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace mynah::util {

class ThreadPool {
 public:
  // n_threads includes the calling thread; 0 means one per physical core.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int n_threads() const { return n_threads_; }

  // Runs job(thread_idx, n_threads) on every thread and returns when all have finished.
  // Not re-entrant: a job must not call run() on the same pool.
  void run(const std::function<void(int thread_idx, int n_threads)>& job);

  // Splits [0, n_items) into contiguous chunks, one per thread, and calls fn(begin, end).
  template <class Fn>
  void parallel_for(int64_t n_items, Fn&& fn) {
    if (n_threads_ == 1 || n_items <= 1) {
      fn(int64_t{0}, n_items);
      return;
    }
    run([&](int thread_idx, int n) {
      const int64_t begin = n_items * thread_idx / n;
      const int64_t end = n_items * (thread_idx + 1) / n;
      if (begin < end) fn(begin, end);
    });
  }

  static int physical_cores();

 private:
  void worker_loop(int thread_idx);

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int, int)>* job_ = nullptr;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace mynah::util
