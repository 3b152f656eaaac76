// The firewall presets, each refusing what it should with kFirewallRule and
// letting replies to allowed traffic back in; validation of policies.
#include "sim/firewall/firewall.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/firewall/firewall_policy.pb.h"
#include "sim/firewall/firewall_presets.h"
#include "sim/middlebox.h"
#include "sim/nat/nat_test_util.h"
#include "sim/packet.h"

namespace pinhole::sim {
namespace {

using ::pinhole::sim::testing::Dropped;
using ::pinhole::sim::testing::In;
using ::pinhole::sim::testing::kT0;
using ::pinhole::sim::testing::Out;
using ::pinhole::sim::testing::Tcp;
using ::pinhole::sim::testing::Udp;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kRefused = Dropped(DropReason::kFirewallRule);
constexpr uint8_t kSyn = TcpHeader::kSyn;
constexpr uint8_t kSynAck = TcpHeader::kSyn | TcpHeader::kAck;

const net::TransportAddress kHostUdp = Udp("10.0.0.1:5000");
const net::TransportAddress kStun = Udp("192.0.2.1:3478");
const net::TransportAddress kHostTcp = Tcp("10.0.0.1:40000");
const net::TransportAddress kTurnTls = Tcp("192.0.2.1:443");

std::unique_ptr<Firewall> Preset(const char* name) {
  return Firewall::Create(FirewallPreset(name).value()).value();
}

TEST(FirewallTest, PresetsParseAndValidate) {
  EXPECT_THAT(FirewallPresetNames(),
              ElementsAre("block_inbound", "block_udp", "open", "web_only"));
  for (const std::string& name : FirewallPresetNames()) {
    const absl::StatusOr<FirewallPolicy> policy = FirewallPreset(name);
    ASSERT_TRUE(policy.ok()) << name << ": " << policy.status();
    EXPECT_TRUE(Firewall::Create(*policy).ok()) << name;
  }
  EXPECT_EQ(FirewallPreset("closed").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(FirewallTest, OpenLetsEverythingThrough) {
  auto firewall = Preset("open");
  EXPECT_EQ(In(*firewall, kT0, kStun, kHostUdp).verdict, "forward");
  EXPECT_EQ(In(*firewall, kT0, kTurnTls, kHostTcp, kSyn).verdict, "forward");
  EXPECT_EQ(Out(*firewall, kT0, kHostUdp, kStun).verdict, "forward");
}

TEST(FirewallTest, BlockUdpRefusesUdpBothWaysAndLetsTcpOut) {
  auto firewall = Preset("block_udp");
  EXPECT_EQ(Out(*firewall, kT0, kHostUdp, kStun).verdict, kRefused);
  EXPECT_EQ(In(*firewall, kT0, kStun, kHostUdp).verdict, kRefused);
  const auto out = Out(*firewall, kT0, kHostTcp, kTurnTls, kSyn);
  EXPECT_EQ(out.verdict, "forward");
  EXPECT_EQ(out.packet.source, kHostTcp);  // A firewall rewrites nothing.
  EXPECT_EQ(In(*firewall, kT0, kTurnTls, kHostTcp, kSynAck).verdict, "forward");
  EXPECT_EQ(In(*firewall, kT0, Tcp("192.0.2.9:443"), kHostTcp, kSyn).verdict,
            kRefused);
}

TEST(FirewallTest, BlockInboundLetsRepliesInAndRefusesTheUnsolicited) {
  auto firewall = Preset("block_inbound");
  EXPECT_EQ(In(*firewall, kT0, kStun, kHostUdp).verdict, kRefused);
  EXPECT_EQ(Out(*firewall, kT0, kHostUdp, kStun).verdict, "forward");
  EXPECT_EQ(In(*firewall, kT0, kStun, kHostUdp).verdict, "forward");
  // Only the exact flow: another port of the server is unsolicited.
  EXPECT_EQ(In(*firewall, kT0, Udp("192.0.2.1:3479"), kHostUdp).verdict,
            kRefused);
  EXPECT_EQ(In(*firewall, kT0, kTurnTls, kHostTcp, kSyn).verdict, kRefused);
  EXPECT_EQ(Out(*firewall, kT0, kHostTcp, kTurnTls, kSyn).verdict, "forward");
  EXPECT_EQ(In(*firewall, kT0, kTurnTls, kHostTcp, kSynAck).verdict, "forward");
  EXPECT_EQ(firewall->FlowCount(kT0), 2u);
}

// A tracked UDP flow lives 120 s after its last packet (default timeout).
TEST(FirewallTest, StatefulFlowsExpireExactlyAtTheirIdleTimeout) {
  const net::Duration timeout = net::Duration::Seconds(120);
  auto on_time = Preset("block_inbound");
  auto late = Preset("block_inbound");
  Out(*on_time, kT0, kHostUdp, kStun);
  Out(*late, kT0, kHostUdp, kStun);
  EXPECT_EQ(In(*on_time, kT0 + timeout - net::Duration::Nanoseconds(1), kStun,
               kHostUdp)
                .verdict,
            "forward");
  EXPECT_EQ(In(*late, kT0 + timeout, kStun, kHostUdp).verdict, kRefused);
  EXPECT_EQ(late->FlowCount(kT0 + timeout), 0u);
}

TEST(FirewallTest, WebOnlyAllowsTcp80And443OutAndTheirReplies) {
  auto firewall = Preset("web_only");
  EXPECT_EQ(Out(*firewall, kT0, kHostTcp, kTurnTls, kSyn).verdict, "forward");
  EXPECT_EQ(In(*firewall, kT0, kTurnTls, kHostTcp, kSynAck).verdict, "forward");
  EXPECT_EQ(
      Out(*firewall, kT0, Tcp("10.0.0.1:40001"), Tcp("192.0.2.1:80"), kSyn)
          .verdict,
      "forward");
  EXPECT_EQ(
      Out(*firewall, kT0, Tcp("10.0.0.1:40002"), Tcp("192.0.2.1:8443"), kSyn)
          .verdict,
      kRefused);
  EXPECT_EQ(Out(*firewall, kT0, kHostUdp, Udp("192.0.2.1:443")).verdict,
            kRefused);
  EXPECT_EQ(Out(*firewall, kT0, kHostUdp, kStun).verdict, kRefused);
  EXPECT_EQ(In(*firewall, kT0, Tcp("192.0.2.7:443"), kHostTcp, kSyn).verdict,
            kRefused);
}

// Without `stateful`, replies are judged by the inbound rules alone.
TEST(FirewallTest, StatelessPolicyRefusesReplies) {
  FirewallPolicy policy = FirewallPreset("block_inbound").value();
  policy.set_stateful(false);
  auto firewall = Firewall::Create(policy).value();
  EXPECT_EQ(Out(*firewall, kT0, kHostUdp, kStun).verdict, "forward");
  EXPECT_EQ(In(*firewall, kT0, kStun, kHostUdp).verdict, kRefused);
}

TEST(FirewallTest, InvalidPoliciesAreRefused) {
  FirewallPolicy policy;
  policy.set_default_inbound(FirewallRule::ACTION_DENY);
  EXPECT_THAT(Firewall::Create(policy).status().message(),
              HasSubstr("default_outbound must be"));
  policy.set_default_outbound(FirewallRule::ACTION_ALLOW);
  FirewallRule* rule = policy.add_rules();
  EXPECT_THAT(Firewall::Create(policy).status().message(),
              HasSubstr("rules[0].action must be"));
  rule->set_action(FirewallRule::ACTION_DENY);
  FirewallRule::PortRange* range = rule->add_destination_ports();
  range->set_min(443);
  range->set_max(80);
  EXPECT_THAT(Firewall::Create(policy).status().message(),
              HasSubstr("rules[0].destination_ports 443..80"));
  range->set_max(443);
  EXPECT_TRUE(Firewall::Create(policy).ok());
}

}  // namespace
}  // namespace pinhole::sim
