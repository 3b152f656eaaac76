#include "stun/server/bounded_queue.h"

#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace pinhole::stun {
namespace {

TEST(BoundedQueueTest, EmptyPopsNothing) {
  BoundedQueue<int> queue(3);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.Pop(), std::nullopt);
}

TEST(BoundedQueueTest, FirstInFirstOutAcrossTheRingsEnd) {
  BoundedQueue<int> queue(3);
  for (int round = 0; round < 5; ++round) {
    EXPECT_FALSE(queue.PushEvictingOldest(2 * round));
    EXPECT_FALSE(queue.PushEvictingOldest(2 * round + 1));
    EXPECT_EQ(queue.Pop(), 2 * round);
    EXPECT_EQ(queue.Pop(), 2 * round + 1);
  }
  EXPECT_TRUE(queue.empty());
}

TEST(BoundedQueueTest, FullQueueEvictsTheOldest) {
  BoundedQueue<std::string> queue(2);
  EXPECT_FALSE(queue.PushEvictingOldest("a"));
  EXPECT_FALSE(queue.PushEvictingOldest("b"));
  EXPECT_TRUE(queue.full());
  EXPECT_TRUE(queue.PushEvictingOldest("c"));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.Pop(), "b");
  EXPECT_EQ(queue.Pop(), "c");
  EXPECT_EQ(queue.Pop(), std::nullopt);
}

TEST(BoundedQueueTest, HoldsMoveOnlyValues) {
  BoundedQueue<std::unique_ptr<int>> queue(1);
  queue.PushEvictingOldest(std::make_unique<int>(7));
  std::optional<std::unique_ptr<int>> out = queue.Pop();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(**out, 7);
}

}  // namespace
}  // namespace pinhole::stun
