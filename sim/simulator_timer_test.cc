#include "sim/simulator_timer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "net/time.h"
#include "sim/simulator.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;

constexpr Time kStart = Simulator::kEpoch;

TEST(SimulatorTimerTest, FiresOnceAtItsDeadline) {
  Simulator sim(1);
  std::vector<Time> fired;
  SimulatorTimer timer(sim, [&] { fired.push_back(sim.Now()); });
  EXPECT_EQ(timer.deadline(), std::nullopt);
  timer.SetAt(kStart + Duration::Milliseconds(250));
  EXPECT_EQ(timer.deadline(), kStart + Duration::Milliseconds(250));
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(fired, std::vector<Time>{kStart + Duration::Milliseconds(250)});
  EXPECT_EQ(timer.deadline(), std::nullopt);
}

TEST(SimulatorTimerTest, ADeadlineInThePastFiresLaterNotInsideSetAt) {
  Simulator sim(1);
  sim.RunFor(Duration::Seconds(1));
  int fired = 0;
  SimulatorTimer timer(sim, [&] { ++fired; });
  timer.SetAt(kStart);
  EXPECT_EQ(fired, 0);
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(sim.Now(), kStart + Duration::Seconds(1));
}

TEST(SimulatorTimerTest, ReArmingReplacesTheEarlierDeadline) {
  Simulator sim(1);
  std::vector<Time> fired;
  SimulatorTimer timer(sim, [&] { fired.push_back(sim.Now()); });
  timer.SetAt(kStart + Duration::Milliseconds(100));
  timer.SetAt(kStart + Duration::Milliseconds(300));
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(fired, std::vector<Time>{kStart + Duration::Milliseconds(300)});
}

TEST(SimulatorTimerTest, CancelAndDestructionStopIt) {
  Simulator sim(1);
  int fired = 0;
  SimulatorTimer cancelled(sim, [&] { ++fired; });
  cancelled.SetAt(kStart + Duration::Milliseconds(1));
  cancelled.Cancel();
  EXPECT_EQ(cancelled.deadline(), std::nullopt);
  auto destroyed = std::make_unique<SimulatorTimer>(sim, [&] { ++fired; });
  destroyed->SetAt(kStart + Duration::Milliseconds(1));
  destroyed.reset();
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(fired, 0);
}

TEST(SimulatorTimerTest, MayReArmFromItsCallback) {
  Simulator sim(1);
  std::vector<Time> fired;
  std::unique_ptr<SimulatorTimer> timer;
  timer = std::make_unique<SimulatorTimer>(sim, [&] {
    fired.push_back(sim.Now());
    if (fired.size() < 3) timer->SetAt(sim.Now() + Duration::Milliseconds(500));
  });
  timer->SetAt(kStart + Duration::Milliseconds(500));
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(fired, (std::vector<Time>{kStart + Duration::Milliseconds(500),
                                      kStart + Duration::Milliseconds(1000),
                                      kStart + Duration::Milliseconds(1500)}));
}

TEST(SimulatorTimerTest, MayDestroyItselfFromItsCallback) {
  Simulator sim(1);
  int fired = 0;
  std::unique_ptr<SimulatorTimer> timer;
  timer = std::make_unique<SimulatorTimer>(sim, [&] {
    ++fired;
    timer.reset();
  });
  timer->SetAt(kStart + Duration::Milliseconds(1));
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(timer, nullptr);
}

TEST(SimulatorTimerTest, TimersFireByDeadlineThenByArmingOrder) {
  Simulator sim(1);
  std::vector<std::string> order;
  SimulatorTimer late(sim, [&] { order.push_back("late"); });
  SimulatorTimer second(sim, [&] { order.push_back("second"); });
  SimulatorTimer first(sim, [&] { order.push_back("first"); });
  late.SetAt(kStart + Duration::Seconds(2));
  first.SetAt(kStart + Duration::Seconds(1));
  second.SetAt(kStart + Duration::Seconds(1));
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "late"}));
}

}  // namespace
}  // namespace pinhole::sim
