// util::ThreadPool::run_shared, the dispatch matmul and attention rely on: every item of the shared
// work is done exactly once, by whichever threads joined, over many back-to-back jobs (a late
// worker must skip a finished job, never run it twice or run the next one's work early), and
// parallel_for covers its range exactly once.
#include <atomic>
#include <vector>

#include <gtest/gtest.h>

#include "util/thread_pool.h"

namespace mynah::util {
namespace {

TEST(SharedDispatch, EveryItemOnceOverManyJobs) {
  for (int n_threads : {1, 2, 3}) {
    ThreadPool pool(n_threads);
    for (int round = 0; round < 2000; ++round) {
      const int n_items = round % 7;  // includes jobs with no work at all
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n_items));
      std::atomic<int> next{0};
      pool.run_shared([&] {
        for (int i; (i = next.fetch_add(1)) < n_items;) hits[i].fetch_add(1);
      });
      for (auto& h : hits) ASSERT_EQ(h.load(), 1) << "threads=" << n_threads << " round=" << round;
    }
  }
}

TEST(SharedDispatch, StaticAndSharedJobsInterleave) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> per_thread(3);
  for (int round = 0; round < 500; ++round) {
    pool.run([&](int idx, int) { per_thread[idx].fetch_add(1); });
    std::atomic<int> next{0}, done{0};
    pool.run_shared([&] {
      while (next.fetch_add(1) < 10) done.fetch_add(1);
    });
    ASSERT_EQ(done.load(), 10);
  }
  for (auto& h : per_thread) EXPECT_EQ(h.load(), 500);
}

TEST(SharedDispatch, ParallelForCoversRangeOnce) {
  ThreadPool pool(2);
  for (int64_t n : {0, 1, 2, 9, 1000, 4097}) {
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
    pool.parallel_for(n, [&](int64_t begin, int64_t end) {
      ASSERT_LT(begin, end);
      for (int64_t i = begin; i < end; ++i) seen[i].fetch_add(1);
    });
    for (auto& s : seen) ASSERT_EQ(s.load(), 1) << n;
  }
}

}  // namespace
}  // namespace mynah::util
