// The runner as a user relies on it: expectations judged on simulated time,
// a failing one explained with the seed and the command that reproduces it,
// outputs written, and the same seed giving the same trace.
#include "scenarios/runner.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scenarios/report.h"
#include "scenarios/scenario_loader.h"

namespace pinhole::scenarios {
namespace {

using ::testing::HasSubstr;

// Two port-restricted home NATs, STUN, a call: connects through
// server-reflexive candidates; alice's uplink dies at 10 s for good.
constexpr char kCall[] = R"pb(
  duration: "60s"
  networks {
    name: "left"
    middleboxes { nat_preset: "port_restricted_cone" }
  }
  networks {
    name: "right"
    middleboxes { nat_preset: "port_restricted_cone" }
  }
  networks { name: "dc" }
  hosts {
    name: "alice"
    interfaces { network: "left" }
  }
  hosts {
    name: "bob"
    interfaces { network: "right" }
  }
  hosts {
    name: "server"
    interfaces { network: "dc" }
  }
  stun_servers { name: "stun" host: "server" }
  agents { name: "alice" host: "alice" stun: "stun" }
  agents { name: "bob" host: "bob" stun: "stun" }
  calls { name: "call" controlling: "alice" controlled: "bob" }
  timeline {
    at: "2s"
    send { from: "alice" count: 10 interval: "100ms" }
  }
  timeline { at: "10s" link_down: "left-uplink" }
)pb";

Scenario Load(const std::string& extra) {
  absl::StatusOr<Scenario> scenario =
      ParseScenario("call.textproto", std::string(kCall) + extra);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  return *scenario;
}

RunResult RunIt(const Scenario& scenario, uint64_t seed = 1,
                const std::string& out = "") {
  RunOptions options;
  options.seed = seed;
  options.output_dir = out;
  absl::StatusOr<RunResult> result = RunScenario(scenario, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return *result;
}

TEST(RunnerTest, JudgesExpectationsOnSimulatedTime) {
  const RunResult result = RunIt(Load(R"pb(
    expect { state { agent: "alice" state: CONNECTED by: "1s" } }
    expect { selected_pair { agent: "alice" local: SRFLX remote: SRFLX } }
    expect { data { from: "alice" to: "bob" } }
    expect { consent_lost { agent: "alice" after: "10s" by: "45s" } }
    expect { drop_seen { reason: "link down" node: "left-uplink" } }
    expect { drop_not_seen { reason: "NAT: table full" } }
  )pb"));
  for (const ExpectationResult& r : result.expectations) {
    EXPECT_TRUE(r.met) << r.expectation << ": " << r.outcome;
  }
  const AgentReport& alice = *result.agent("alice");
  ASSERT_TRUE(alice.connected_at.has_value());
  // Consent is lost 30 s after the last answered check (one every 5 s
  // +-20 %): between 35 s and 40 s.
  ASSERT_FALSE(alice.states.empty());
  EXPECT_EQ(alice.states.back().state, ice::ConnectionState::kFailed);
  EXPECT_GE(alice.states.back().at, net::Duration::Seconds(35));
  EXPECT_LE(alice.states.back().at, net::Duration::Seconds(41));
  EXPECT_EQ(result.agent("bob")->messages_received, 10u);
}

TEST(RunnerTest, AFailingExpectationSaysWhatHappenedInstead) {
  const RunResult result =
      RunIt(Load(R"pb(
              expect { state { agent: "alice" state: CONNECTED by: "50ms" } }
              expect { never_state { agent: "bob" state: FAILED } }
            )pb"),
            42);
  ASSERT_EQ(result.expectations.size(), 2u);
  EXPECT_FALSE(result.expectations[0].met);
  EXPECT_THAT(result.expectations[0].outcome, HasSubstr("completed at"));
  EXPECT_FALSE(result.expectations[1].met);
  EXPECT_FALSE(result.passed());
  const std::string text = ResultText(result, "call.textproto",
                                      "pinhole run call.textproto --seed=42");
  EXPECT_THAT(text, HasSubstr("[NOT MET] alice connected in [0.000s, 0.050s]"));
  EXPECT_THAT(text, HasSubstr("(seed 42)"));
  EXPECT_THAT(text,
              HasSubstr("reproduce: pinhole run call.textproto --seed=42"));
}

TEST(RunnerTest, SameSeedSameTraceOtherSeedOtherTrace) {
  const Scenario scenario = Load("");
  const RunResult a = RunIt(scenario, 5);
  const RunResult b = RunIt(scenario, 5);
  const RunResult c = RunIt(scenario, 6);
  EXPECT_EQ(a.trace_sha256, b.trace_sha256);
  EXPECT_EQ(SummaryJson(a), SummaryJson(b));
  EXPECT_NE(a.trace_sha256, c.trace_sha256);
}

TEST(RunnerTest, WritesTraceSummaryTimelineAndPcaps) {
  const std::string dir = ::testing::TempDir();
  const RunResult result = RunIt(Load(""), 1, dir);
  auto read = [&](const std::string& name) {
    std::ifstream in(dir + "/" + name, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  EXPECT_THAT(read("trace.txt"), HasSubstr("reason=link down"));
  EXPECT_THAT(read("summary.json"), HasSubstr("\"trace_sha256\": \""));
  EXPECT_THAT(read("timeline.html"), HasSubstr("<svg"));
  const std::string pcap = read("alice-eth0.pcap");
  ASSERT_GE(pcap.size(), 24u);
  // The classic pcap magic, little-endian microseconds or nanoseconds.
  EXPECT_TRUE(pcap.compare(0, 4, "\xd4\xc3\xb2\xa1") == 0 ||
              pcap.compare(0, 4, "\x4d\x3c\xb2\xa1") == 0);
  EXPECT_EQ(result.outputs.size(), 6u);  // 3 pcaps, trace, timeline, summary.
}

TEST(RunnerTest, TrickleNoneStillConnectsAfterGathering) {
  Scenario scenario = Load(R"pb(
    expect { state { agent: "alice" state: CONNECTED by: "2s" } }
  )pb");
  scenario.mutable_calls(0)->set_trickle(TRICKLE_NONE);
  scenario.mutable_calls(0)->set_signalling_delay("300ms");
  const RunResult result = RunIt(scenario);
  EXPECT_TRUE(result.passed()) << result.expectations[0].outcome;
  // Candidates wait for gathering (a 60 ms STUN round trip), then 300 ms of
  // signalling, then two 60 ms check round trips (valid, then nominated):
  // nothing can connect before 0.48 s.
  EXPECT_GE(*result.agent("alice")->connected_at,
            net::Duration::Milliseconds(480));
}

}  // namespace
}  // namespace pinhole::scenarios
