// Persistent compute-thread pool. The caller takes part as thread 0. Idle workers spin for a bounded
// time (tens of microseconds), then sleep on a futex (C++20 atomic wait), so an idle server burns
// no CPU and a busy neighbour process costs only its share of cores.
//
// Two kinds of job:
//   run_shared: threads take work from a shared counter; a worker that has not started by the time
//     the caller has finished its own share is simply left out (it skips the job when it wakes), so
//     a descheduled worker never holds up the call. matmul, attention and parallel_for use this.
//   run: every thread runs job(thread_idx, n_threads) exactly once (a static split); the caller
//     waits for all of them.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <type_traits>
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

  // Calls job() on the caller and on every worker that wakes up before the caller's own call has
  // returned; returns once every thread that joined has returned. The job must take its work from
  // shared state until none is left (any subset of threads, even the caller alone, must finish it).
  // Not re-entrant.
  void run_shared(const std::function<void()>& job);

  // Calls fn(begin, end) over disjoint chunks covering [0, n_items), taken from a shared counter
  // by whichever threads are running (see run_shared).
  template <class Fn>
  void parallel_for(int64_t n_items, Fn&& fn) {
    if (n_threads_ == 1 || n_items <= 1) {
      if (n_items > 0) fn(int64_t{0}, n_items);
      return;
    }
    // A few chunks per thread: a late worker can still help, and chunks stay large.
    struct Shared {
      int64_t n_items, chunk;
      std::remove_reference_t<Fn>* fn;
      std::atomic<int64_t> next;
    } shared{n_items, std::max<int64_t>(1, n_items / (4 * n_threads_)), &fn, {0}};
    // One captured pointer, so std::function stores the lambda inline (no allocation per call).
    run_shared([s = &shared] {
      for (int64_t begin; (begin = s->next.fetch_add(s->chunk, std::memory_order_relaxed)) < s->n_items;) {
        (*s->fn)(begin, std::min(begin + s->chunk, s->n_items));
      }
    });
  }

  static int physical_cores();

 private:
  void worker_loop(int thread_idx);
  void wake_workers(uint32_t kind);
  void join_shared(uint32_t generation);

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int, int)>* job_ = nullptr;  // of the current run()
  const std::function<void()>* shared_job_ = nullptr;   // of the current run_shared()
  // Bit 0: the kind of the current job (kStatic or kShared); the rest counts jobs.
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};  // run(): workers yet to finish
  // run_shared(): generation in the high 32 bits, kClosed, and the count of joined workers.
  std::atomic<uint64_t> shared_state_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace mynah::util
