// Same seed, byte-identical trace; another seed, another trace. The
// cross-process half is trace_determinism_cross_process_test.sh.
#include <string>

#include "gtest/gtest.h"
#include "sim/determinism_scenario.h"

namespace pinhole::sim {
namespace {

TEST(TraceDeterminismTest, SameSeedGivesAByteIdenticalTrace) {
  const ScenarioOutcome first = RunDeterminismScenario(7);
  const ScenarioOutcome second = RunDeterminismScenario(7);
  EXPECT_EQ(first.trace, second.trace);
  EXPECT_EQ(first.trace_sha256, second.trace_sha256);
  EXPECT_EQ(first.next_draw, second.next_draw);
  EXPECT_EQ(first.echoes_received, second.echoes_received);
}

// The scenario must exercise what it claims to, or the comparison above
// proves little.
TEST(TraceDeterminismTest, TheScenarioIsBusy) {
  const ScenarioOutcome outcome = RunDeterminismScenario(7);
  EXPECT_GT(outcome.echoes_received, 20);
  EXPECT_LT(outcome.echoes_received, 100);
  for (const char* needle :
       {" reason=link loss", " reason=link down", " duplicated udp ",
        " box forwarded udp ", " router forwarded udp ", " bob delivered udp ",
        " edge event down"}) {
    EXPECT_NE(outcome.trace.find(needle), std::string::npos) << needle;
  }
}

TEST(TraceDeterminismTest, DifferentSeedsGiveDifferentTraces) {
  const ScenarioOutcome a = RunDeterminismScenario(7);
  const ScenarioOutcome b = RunDeterminismScenario(8);
  EXPECT_NE(a.trace, b.trace);
  EXPECT_NE(a.trace_sha256, b.trace_sha256);
  EXPECT_NE(a.next_draw, b.next_draw);
}

}  // namespace
}  // namespace pinhole::sim
