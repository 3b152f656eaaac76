// Same seed, byte-identical trace and pcap files; another seed, another run.
// The cross-process half is nat_chain_determinism_cross_process_test.sh.
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "sim/integration/nat_chain_scenario.h"
#include "sim/pcap/tshark.h"

namespace pinhole::sim {
namespace {

// Keeps `bytes` in the test's outputs, for a person to open.
void Keep(const std::string& name, const std::string& bytes) {
  std::ofstream(pcap::TestOutputDir() + "/" + name, std::ios::binary) << bytes;
}

TEST(NatChainDeterminismTest, SameSeedGivesByteIdenticalTraceAndPcaps) {
  const NatChainOutcome first = RunNatChainScenario(7);
  const NatChainOutcome second = RunNatChainScenario(7);
  ASSERT_EQ(first.error, "");
  ASSERT_EQ(second.error, "");
  EXPECT_EQ(first.trace, second.trace);
  EXPECT_EQ(first.trace_sha256, second.trace_sha256);
  // Byte for byte; EXPECT_TRUE keeps a mismatch from printing the bytes.
  EXPECT_TRUE(first.client_pcap == second.client_pcap);
  EXPECT_TRUE(first.server_pcap == second.server_pcap);
  EXPECT_EQ(first.next_draw, second.next_draw);
  EXPECT_EQ(first.responses, second.responses);
  Keep("nat_chain_seed7_trace.txt", first.trace);
  Keep("nat_chain_seed7_client.pcap", first.client_pcap);
  Keep("nat_chain_seed7_server.pcap", first.server_pcap);
}

// The comparison above proves little unless the randomness is exercised.
TEST(NatChainDeterminismTest, TheScenarioIsBusy) {
  const NatChainOutcome outcome = RunNatChainScenario(7);
  ASSERT_EQ(outcome.error, "");
  EXPECT_GT(outcome.responses, 30);
  EXPECT_LT(outcome.responses, 60);  // Some were lost.
  for (const char* needle :
       {" reason=link loss", " isp duplicated udp ",
        " reason=NAT: filtered by address", " home_nat note udp ",
        " cgn note udp ", " server delivered udp ", " client delivered udp "}) {
    EXPECT_NE(outcome.trace.find(needle), std::string::npos) << needle;
  }
  EXPECT_GT(outcome.client_pcap.size(), 24u * 60);
  EXPECT_GT(outcome.server_pcap.size(), 24u * 30);
}

TEST(NatChainDeterminismTest, DifferentSeedsGiveDifferentRuns) {
  const NatChainOutcome a = RunNatChainScenario(7);
  const NatChainOutcome b = RunNatChainScenario(8);
  EXPECT_NE(a.trace, b.trace);
  EXPECT_NE(a.trace_sha256, b.trace_sha256);
  EXPECT_TRUE(a.client_pcap != b.client_pcap);
  EXPECT_TRUE(a.server_pcap != b.server_pcap);
}

}  // namespace
}  // namespace pinhole::sim
