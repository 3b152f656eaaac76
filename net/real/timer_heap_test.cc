#include "net/real/timer_heap.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "net/deterministic_random.h"
#include "net/time.h"

namespace pinhole::net::real {
namespace {

class TestNode final : public TimerHeap::Node {
 public:
  explicit TestNode(int id) : id(id) {}
  void Expire() override {}
  const int id;
};

Time At(int64_t ms) { return Time::FromNanosecondsSinceEpoch(ms * 1000'000); }

std::vector<int> Drain(TimerHeap& heap) {
  std::vector<int> order;
  while (TimerHeap::Node* top = heap.Top()) {
    order.push_back(static_cast<TestNode*>(top)->id);
    heap.Remove(*top);
  }
  return order;
}

TEST(TimerHeapTest, OrdersByDeadlineThenByArming) {
  TimerHeap heap;
  TestNode a(0), b(1), c(2), d(3);
  heap.Schedule(a, At(30));
  heap.Schedule(b, At(10));
  heap.Schedule(c, At(30));
  heap.Schedule(d, At(20));
  EXPECT_EQ(Drain(heap), (std::vector<int>{1, 3, 0, 2}));
  EXPECT_FALSE(a.queued());
}

TEST(TimerHeapTest, RescheduleMovesANodeAndRemoveTakesItOut) {
  TimerHeap heap;
  TestNode a(0), b(1), c(2);
  heap.Schedule(a, At(10));
  heap.Schedule(b, At(20));
  heap.Schedule(c, At(30));
  heap.Schedule(a, At(40));
  heap.Remove(b);
  heap.Remove(b);  // Not queued: nothing happens.
  EXPECT_EQ(heap.size(), 2u);
  EXPECT_EQ(Drain(heap), (std::vector<int>{2, 0}));
}

// Random schedules, moves and removals agree with an ordered set.
TEST(TimerHeapTest, AgreesWithAnOrderedSet) {
  DeterministicRandom random(7);
  TimerHeap heap;
  std::vector<std::unique_ptr<TestNode>> nodes;
  for (int i = 0; i < 200; ++i) nodes.push_back(std::make_unique<TestNode>(i));
  // (deadline, sequence, id) of every queued node.
  std::set<std::tuple<Time, uint64_t, int>> expected;
  std::vector<std::optional<std::pair<Time, uint64_t>>> entry(nodes.size());
  for (int step = 0; step < 20000; ++step) {
    const int id = static_cast<int>(random.Uniform(nodes.size()));
    TestNode& node = *nodes[id];
    if (entry[id].has_value()) {
      expected.erase({entry[id]->first, entry[id]->second, id});
      entry[id].reset();
    }
    if (random.Bernoulli(Ratio::Percent(70))) {
      const Time deadline = At(static_cast<int64_t>(random.Uniform(50)));
      const uint64_t sequence = heap.next_sequence();
      heap.Schedule(node, deadline);
      entry[id] = {deadline, sequence};
      expected.insert({deadline, sequence, id});
    } else {
      heap.Remove(node);
    }
    ASSERT_EQ(heap.size(), expected.size());
    if (!expected.empty()) {
      ASSERT_EQ(static_cast<TestNode*>(heap.Top())->id,
                std::get<2>(*expected.begin()));
    }
  }
  std::vector<int> order;
  for (const auto& e : expected) order.push_back(std::get<2>(e));
  EXPECT_EQ(Drain(heap), order);
}

}  // namespace
}  // namespace pinhole::net::real
