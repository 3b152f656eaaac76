#include "stun/server/bounded_queue.h"

#include <deque>
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

// Against a model, through every mix of pushes and pops while the ring grows
// and after it is full: order, size and evictions always match.
TEST(BoundedQueueTest, MatchesADequeWhileGrowing) {
  constexpr size_t kCapacity = 5;
  BoundedQueue<int> queue(kCapacity);
  std::deque<int> model;
  int next = 0;
  // A fixed pattern: 1 = push, 0 = pop.
  const char pattern[] = "1101110011111110001111111111000000011011";
  for (const char step : pattern) {
    if (step == '\0') break;
    if (step == '1') {
      const bool evicts = model.size() == kCapacity;
      if (evicts) model.pop_front();
      model.push_back(next);
      EXPECT_EQ(queue.PushEvictingOldest(next), evicts);
      ++next;
    } else {
      const std::optional<int> popped = queue.Pop();
      if (model.empty()) {
        EXPECT_FALSE(popped.has_value());
      } else {
        EXPECT_EQ(popped, model.front());
        model.pop_front();
      }
    }
    EXPECT_EQ(queue.size(), model.size());
  }
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
