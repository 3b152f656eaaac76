#include "sim/simulator.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/time.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;

constexpr Time kStart = Simulator::kEpoch;

TEST(SimulatorTest, ClockStartsAtANonZeroEpoch) {
  Simulator sim(1);
  EXPECT_EQ(sim.Now(), Time::FromNanosecondsSinceEpoch(1000'000'000'000));
  EXPECT_NE(sim.Now(), Time::Epoch());
}

TEST(SimulatorTest, EventsRunByTimeThenByInsertion) {
  Simulator sim(1);
  std::vector<std::string> order;
  sim.Schedule(kStart + Duration::Milliseconds(2),
               [&] { order.push_back("c"); });
  sim.Schedule(kStart + Duration::Milliseconds(1),
               [&] { order.push_back("a"); });
  sim.Schedule(kStart + Duration::Milliseconds(2),
               [&] { order.push_back("d"); });
  sim.Schedule(kStart + Duration::Milliseconds(1),
               [&] { order.push_back("b"); });
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(sim.Now(), kStart + Duration::Milliseconds(2));
  EXPECT_EQ(sim.events_run(), 4u);
}

TEST(SimulatorTest, EachEventSeesItsOwnTime) {
  Simulator sim(1);
  std::vector<Time> seen;
  for (int ms : {30, 10, 20}) {
    sim.ScheduleIn(Duration::Milliseconds(ms),
                   [&] { seen.push_back(sim.Now()); });
  }
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(seen, (std::vector<Time>{kStart + Duration::Milliseconds(10),
                                     kStart + Duration::Milliseconds(20),
                                     kStart + Duration::Milliseconds(30)}));
}

TEST(SimulatorTest, CancelledEventDoesNotRun) {
  Simulator sim(1);
  bool ran = false;
  const EventId id = sim.ScheduleIn(Duration::Seconds(1), [&] { ran = true; });
  EXPECT_TRUE(sim.IsPending(id));
  EXPECT_EQ(sim.pending_events(), 1u);
  EXPECT_TRUE(sim.Cancel(id));
  EXPECT_FALSE(sim.IsPending(id));
  EXPECT_FALSE(sim.Cancel(id));
  EXPECT_EQ(sim.pending_events(), 0u);
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_FALSE(ran);
  EXPECT_EQ(sim.Now(), kStart);  // Nothing ran: the clock did not move.
}

TEST(SimulatorTest, CancelAfterRunAndOfNothingIsHarmless) {
  Simulator sim(1);
  int runs = 0;
  const EventId first = sim.ScheduleIn(Duration::Seconds(1), [&] { ++runs; });
  ASSERT_TRUE(sim.Run().ok());
  // The slot is reused by a new event: the old id must not cancel it.
  const EventId second = sim.ScheduleIn(Duration::Seconds(1), [&] { ++runs; });
  EXPECT_FALSE(sim.Cancel(first));
  EXPECT_FALSE(sim.Cancel(EventId()));
  EXPECT_TRUE(sim.IsPending(second));
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(runs, 2);
}

TEST(SimulatorTest, ManyCancellationsKeepOrderAndCount) {
  Simulator sim(1);
  std::vector<int> ran;
  std::vector<EventId> ids;
  for (int i = 0; i < 5000; ++i) {
    ids.push_back(sim.ScheduleIn(Duration::Microseconds(5000 - i),
                                 [&ran, i] { ran.push_back(i); }));
  }
  for (int i = 0; i < 5000; ++i) {
    if (i % 10 != 0) EXPECT_TRUE(sim.Cancel(ids[i]));
  }
  EXPECT_EQ(sim.pending_events(), 500u);
  ASSERT_TRUE(sim.Run().ok());
  ASSERT_EQ(ran.size(), 500u);
  EXPECT_EQ(ran.front(), 4990);  // Latest scheduled, earliest due.
  EXPECT_EQ(ran.back(), 0);
}

TEST(SimulatorTest, SchedulingInThePastClampsToNowAfterQueuedEvents) {
  Simulator sim(1);
  std::vector<std::string> order;
  sim.ScheduleIn(Duration::Seconds(1), [&] {
    sim.ScheduleIn(Duration::Zero(), [&] { order.push_back("queued first"); });
    sim.Schedule(kStart, [&] {
      order.push_back("from the past");
      EXPECT_EQ(sim.Now(), kStart + Duration::Seconds(1));
    });
    order.push_back("scheduler");
  });
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"scheduler", "queued first",
                                             "from the past"}));
}

TEST(SimulatorTest, RunUntilStopsWhenThePredicateHolds) {
  Simulator sim(1);
  int count = 0;
  for (int i = 1; i <= 10; ++i) {
    sim.ScheduleIn(Duration::Milliseconds(i), [&] { ++count; });
  }
  EXPECT_TRUE(
      sim.RunUntil([&] { return count == 3; }, kStart + Duration::Seconds(1)));
  EXPECT_EQ(sim.Now(), kStart + Duration::Milliseconds(3));
  EXPECT_EQ(sim.pending_events(), 7u);
}

TEST(SimulatorTest, RunUntilMovesTheClockToTheLimitWhenThePredicateFails) {
  Simulator sim(1);
  int count = 0;
  sim.ScheduleIn(Duration::Milliseconds(5), [&] { ++count; });
  sim.ScheduleIn(Duration::Milliseconds(50), [&] { ++count; });
  EXPECT_FALSE(sim.RunUntil([&] { return count == 2; },
                            kStart + Duration::Milliseconds(20)));
  EXPECT_EQ(count, 1);
  EXPECT_EQ(sim.Now(), kStart + Duration::Milliseconds(20));
}

TEST(SimulatorTest, RunForIncludesEventsAtItsEnd) {
  Simulator sim(1);
  int count = 0;
  sim.ScheduleIn(Duration::Milliseconds(10), [&] { ++count; });
  sim.ScheduleIn(Duration::Milliseconds(10) + Duration::Nanoseconds(1),
                 [&] { ++count; });
  sim.RunFor(Duration::Milliseconds(10));
  EXPECT_EQ(count, 1);
  EXPECT_EQ(sim.Now(), kStart + Duration::Milliseconds(10));
  sim.RunFor(Duration::Milliseconds(10));
  EXPECT_EQ(count, 2);
  EXPECT_EQ(sim.Now(), kStart + Duration::Milliseconds(20));
}

TEST(SimulatorTest, RunFailsOnALivelockInsteadOfHanging) {
  Simulator sim(1);
  std::function<void()> again = [&] {
    sim.ScheduleIn(Duration::Zero(), again);
  };
  sim.ScheduleIn(Duration::Zero(), again);
  const absl::Status status = sim.Run(1000);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(sim.events_run(), 1000u);
}

TEST(SimulatorTest, RunUntilGivesUpOnALivelockAtOneInstant) {
  Simulator sim(1);
  sim.set_event_limit(500);
  std::function<void()> again = [&] {
    sim.ScheduleIn(Duration::Zero(), again);
  };
  sim.ScheduleIn(Duration::Milliseconds(1), again);
  EXPECT_FALSE(
      sim.RunUntil([] { return false; }, kStart + Duration::Seconds(1)));
  EXPECT_EQ(sim.events_run(), 500u);
  EXPECT_EQ(sim.Now(), kStart + Duration::Milliseconds(1));
}

TEST(SimulatorTest, RandomStreamsAreNamedAndSeeded) {
  Simulator a(7);
  Simulator b(7);
  Simulator c(8);
  EXPECT_EQ(a.RandomStream("x").NextUint64(), b.RandomStream("x").NextUint64());
  EXPECT_NE(a.RandomStream("x").NextUint64(), a.RandomStream("y").NextUint64());
  EXPECT_NE(a.RandomStream("x").NextUint64(), c.RandomStream("x").NextUint64());
}

TEST(SimulatorTest, PacketIdsAreUniqueFromOne) {
  Simulator sim(1);
  EXPECT_EQ(sim.NextPacketId(), 1u);
  EXPECT_EQ(sim.NextPacketId(), 2u);
}

}  // namespace
}  // namespace pinhole::sim
