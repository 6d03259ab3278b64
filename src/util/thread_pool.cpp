// ThreadPool: generation counter + futex waits, with a time-bounded spin to keep per-op dispatch
// cheap without burning a core that a neighbour process could use.
#include "util/thread_pool.h"

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mynah::util {
namespace {

// Spin this long before sleeping: long enough to bridge the gap between two matmuls of one forward
// pass (a few microseconds), short enough that a worker descheduled by a busy neighbour, or an idle
// pool between requests, wastes little. Measured in time, not rounds: `pause` costs 10 to 140
// cycles depending on the CPU.
constexpr auto kSpinTime = std::chrono::microseconds(50);

constexpr uint32_t kStatic = 0, kShared = 1;
constexpr uint64_t kClosed = uint64_t{1} << 31;
constexpr uint64_t kJoinedMask = kClosed - 1;

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until done() or kSpinTime has passed; false on timeout (the caller then sleeps).
template <class Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (int spin = 0;; ++spin) {
    if (done()) return true;
    cpu_relax();
    if ((spin & 63) == 63 && std::chrono::steady_clock::now() > deadline) return false;
  }
}

}  // namespace

int ThreadPool::physical_cores() {
  // Count distinct (physical id, core id) pairs; fall back to the logical count.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::set<std::pair<int, int>> cores;
  std::string line;
  int physical_id = 0;
  while (std::getline(cpuinfo, line)) {
    auto value = [&]() { return std::stoi(line.substr(line.find(':') + 1)); };
    if (line.rfind("physical id", 0) == 0) physical_id = value();
    if (line.rfind("core id", 0) == 0) cores.emplace(physical_id, value());
  }
  int logical = static_cast<int>(std::thread::hardware_concurrency());
  if (cores.empty()) return logical > 0 ? logical : 1;
  return static_cast<int>(cores.size());
}

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads > 0 ? n_threads : physical_cores()) {
  workers_.reserve(n_threads_ - 1);
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(2, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::wake_workers(uint32_t kind) {
  const uint32_t gen = generation_.load(std::memory_order_relaxed);
  generation_.store(((gen >> 1) + 1) << 1 | kind, std::memory_order_release);
  generation_.notify_all();
}

void ThreadPool::run(const std::function<void(int, int)>& job) {
  if (n_threads_ == 1) {
    job(0, 1);
    return;
  }
  job_ = &job;
  pending_.store(n_threads_ - 1, std::memory_order_release);
  wake_workers(kStatic);
  job(0, n_threads_);
  if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
    for (int left; (left = pending_.load(std::memory_order_acquire)) != 0;) pending_.wait(left, std::memory_order_acquire);
  }
}

void ThreadPool::run_shared(const std::function<void()>& job) {
  if (n_threads_ == 1) {
    job();
    return;
  }
  shared_job_ = &job;
  const uint32_t gen = (generation_.load(std::memory_order_relaxed) >> 1) + 1;
  shared_state_.store(uint64_t{gen} << 32, std::memory_order_release);  // open, nobody joined
  wake_workers(kShared);
  job();
  // Close the job: workers that have not joined yet will skip it. Wait only for those that did.
  uint64_t state = shared_state_.fetch_or(kClosed, std::memory_order_acq_rel) | kClosed;
  if (spin_until([&] { return ((state = shared_state_.load(std::memory_order_acquire)) & kJoinedMask) == 0; })) return;
  while ((state & kJoinedMask) != 0) {
    shared_state_.wait(state, std::memory_order_acquire);
    state = shared_state_.load(std::memory_order_acquire);
  }
}

// A worker's attempt to take part in shared job `generation`.
void ThreadPool::join_shared(uint32_t generation) {
  uint64_t state = shared_state_.load(std::memory_order_acquire);
  for (;;) {
    if ((state >> 32) != generation || (state & kClosed) != 0) return;  // finished without us
    if (shared_state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire)) break;
  }
  (*shared_job_)();
  const uint64_t before = shared_state_.fetch_sub(1, std::memory_order_acq_rel);
  if ((before & kClosed) != 0 && (before & kJoinedMask) == 1) shared_state_.notify_one();
}

void ThreadPool::worker_loop(int thread_idx) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t gen = seen;
    if (!spin_until([&] { return (gen = generation_.load(std::memory_order_acquire)) != seen; })) {
      generation_.wait(seen, std::memory_order_acquire);
      gen = generation_.load(std::memory_order_acquire);
    }
    if (gen == seen) continue;  // spurious wake-up
    seen = gen;
    if (stop_.load(std::memory_order_acquire)) return;
    if ((gen & 1) == kShared) {
      join_shared(gen >> 1);
      continue;
    }
    (*job_)(thread_idx, n_threads_);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

}  // namespace mynah::util
