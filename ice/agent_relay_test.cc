// Relayed candidates with a relay-only policy (as RTCIceTransportPolicy
// "relay"): over UDP and over TCP to the TURN server, the agents gather only
// relayed candidates, select a relay/relay pair and exchange data through
// the server. Over TCP the allocation lives on the connection, and the
// checks and data ride it as Send indications and ChannelData.
#include <cstdint>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "ice/agent.h"
#include "ice/candidate.h"
#include "ice/testing/ice_pair.h"
#include "ice/testing/nat_profiles.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::ice {
namespace {

using testing::IcePair;
using testing::IcePairOptions;

class AgentRelayTest : public ::testing::TestWithParam<net::TransportProtocol> {
};

TEST_P(AgentRelayTest, RelayOnlyAgentsConnectThroughTheServer) {
  IcePairOptions options;
  const std::vector<testing::NatProfile> profiles = testing::MatrixProfiles();
  testing::ApplyLeft(profiles[3], options);   // port_restricted
  testing::ApplyRight(profiles[1], options);  // full_cone
  options.turn_transport = GetParam();
  options.left.candidate_policy = CandidatePolicy::kRelayOnly;
  options.right.candidate_policy = CandidatePolicy::kRelayOnly;
  absl::StatusOr<std::unique_ptr<IcePair>> created = IcePair::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  IcePair& pair = **created;
  ASSERT_TRUE(pair.Start().ok());
  ASSERT_TRUE(pair.RunUntilConnected(net::Duration::Seconds(10)));
  for (const Candidate& candidate : pair.left().local_candidates()) {
    EXPECT_EQ(candidate.type, CandidateType::kRelayed) << candidate.ToString();
  }
  EXPECT_EQ(pair.LeftPairTypes(), "relay/relay");
  EXPECT_EQ(pair.RightPairTypes(), "relay/relay");
  const CandidatePairInfo selected = *pair.left().selected_pair(1);
  EXPECT_EQ(selected.local.address.ip(), sim::TwoNats::ServerIp());
  // The relayed candidate says how it reached the server: its related
  // address is the mapped address of the allocation (the NAT's).
  ASSERT_TRUE(selected.local.related.has_value());
  EXPECT_EQ(selected.local.related->ip(), pair.network().left_public_ip());

  for (uint8_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(pair.SendLeft({0x80, i}).ok());
    ASSERT_TRUE(pair.SendRight({0x81, i}).ok());
  }
  pair.RunFor(net::Duration::Milliseconds(500));
  ASSERT_EQ(pair.right_record().data.size(), 10u);
  ASSERT_EQ(pair.left_record().data.size(), 10u);
  for (uint8_t i = 0; i < 10; ++i) {
    EXPECT_EQ(pair.right_record().data[i], (std::vector<uint8_t>{0x80, i}));
    EXPECT_EQ(pair.left_record().data[i], (std::vector<uint8_t>{0x81, i}));
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, AgentRelayTest,
                         ::testing::Values(net::TransportProtocol::kUdp,
                                           net::TransportProtocol::kTcp),
                         [](const auto& info) {
                           return std::string(
                               net::TransportProtocolName(info.param));
                         });

}  // namespace
}  // namespace pinhole::ice
