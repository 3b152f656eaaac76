// Same seed, byte-identical packet trace and agent events; another seed,
// others. The cross-process half is ice_determinism_cross_process_test.
#include "gtest/gtest.h"
#include "ice/testing/ice_scenario.h"

namespace pinhole::ice {
namespace {

using testing::IceScenarioOutcome;
using testing::RunIceScenario;

TEST(IceDeterminismTest, SameSeedGivesByteIdenticalTraceAndEvents) {
  const IceScenarioOutcome first = RunIceScenario(7);
  const IceScenarioOutcome second = RunIceScenario(7);
  EXPECT_EQ(first.trace, second.trace);
  EXPECT_EQ(first.events, second.events);
  EXPECT_EQ(first.next_draw, second.next_draw);
}

// The scenario must do what it claims, or the comparison proves little.
TEST(IceDeterminismTest, TheScenarioIsBusy) {
  const IceScenarioOutcome outcome = RunIceScenario(7);
  EXPECT_TRUE(outcome.connected);
  EXPECT_TRUE(outcome.reconnected);
  EXPECT_GT(outcome.received, 40);
  for (const char* needle : {" reason=link loss", "198.51.100.1:3478"}) {
    EXPECT_NE(outcome.trace.find(needle), std::string::npos) << needle;
  }
  for (const char* needle :
       {" candidate relay ", " selected 1 ", " state completed", " data 80"}) {
    EXPECT_NE(outcome.events.find(needle), std::string::npos) << needle;
  }
}

TEST(IceDeterminismTest, DifferentSeedsGiveDifferentRuns) {
  const IceScenarioOutcome a = RunIceScenario(7);
  const IceScenarioOutcome b = RunIceScenario(8);
  EXPECT_NE(a.trace, b.trace);
  EXPECT_NE(a.events, b.events);
  EXPECT_NE(a.next_draw, b.next_draw);
}

}  // namespace
}  // namespace pinhole::ice
