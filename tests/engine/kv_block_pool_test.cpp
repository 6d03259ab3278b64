#include "engine/kv_block_pool.h"

#include <gtest/gtest.h>

namespace mynah::engine {
namespace {

TEST(KvBlockPool, AllocatesUntilEmptyAndReuses) {
  KvBlockPool pool(3, 4);
  auto a = pool.allocate(), b = pool.allocate(), c = pool.allocate();
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(pool.allocate());
  EXPECT_EQ(pool.n_used(), 3);
  pool.release(*b);
  EXPECT_EQ(pool.n_available(), 1);
  EXPECT_EQ(pool.allocate(), b);
}

TEST(KvBlockPool, PublishedBlocksSurviveReleaseUntilEvicted) {
  KvBlockPool pool(2, 2);
  const std::vector<int32_t> t1 = {1, 2}, t2 = {3, 4};
  auto a = *pool.allocate();
  pool.publish(a, 0, t1);
  pool.release(a);
  EXPECT_EQ(pool.n_used(), 0);
  auto hit = pool.lookup(0, t1);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit, a);
  EXPECT_EQ(pool.ref_count(a), 1);
  EXPECT_FALSE(pool.lookup(0, t2));
  EXPECT_FALSE(pool.lookup(7, t1));  // same tokens after a different prefix
  pool.release(a);
  auto b = *pool.allocate();  // the never-used block goes first
  EXPECT_NE(b, a);
  auto c = *pool.allocate();  // then the cached one is evicted
  EXPECT_EQ(c, a);
  EXPECT_FALSE(pool.lookup(0, t1));
}

TEST(KvBlockPool, SharedBlocksNeedEveryRelease) {
  KvBlockPool pool(1, 2);
  auto a = *pool.allocate();
  pool.retain(a);
  pool.release(a);
  EXPECT_EQ(pool.n_used(), 1);
  pool.release(a);
  EXPECT_EQ(pool.n_used(), 0);
}

}  // namespace
}  // namespace mynah::engine
