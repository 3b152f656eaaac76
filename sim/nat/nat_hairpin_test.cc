// RFC 4787 §6 (and RFC 5382 §7.1) hairpinning: two hosts behind one NAT
// reaching each other through their external mappings.
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_test_util.h"

namespace pinhole::sim {
namespace {

using ::pinhole::sim::testing::Behavior;
using ::pinhole::sim::testing::Dropped;
using ::pinhole::sim::testing::kT0;
using ::pinhole::sim::testing::Out;
using ::pinhole::sim::testing::TestNat;
using ::pinhole::sim::testing::Udp;

const net::TransportAddress kAlice = Udp("10.0.0.1:5000");
const net::TransportAddress kBob = Udp("10.0.0.2:6000");
const net::TransportAddress kStun = Udp("192.0.2.1:3478");
const net::TransportAddress kAliceMapped = Udp("203.0.113.1:5000");
const net::TransportAddress kBobMapped = Udp("203.0.113.1:6000");

NatBehavior Hairpinning(NatBehavior::Hairpinning hairpinning,
                        NatBehavior::Filtering filtering =
                            NatBehavior::FILTERING_ENDPOINT_INDEPENDENT) {
  NatBehavior behavior =
      Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT, filtering);
  behavior.set_hairpinning(hairpinning);
  return behavior;
}

// REQ-9 a: the packet comes back inside with Bob's external mapped address as
// its source, so Alice sees the same address Bob's STUN server reported.
TEST(NatHairpinTest, Rfc4787Req9_HairpinnedPacketCarriesTheExternalSource) {
  TestNat nat(Hairpinning(NatBehavior::HAIRPINNING_EXTERNAL_SOURCE));
  ASSERT_EQ(Out(*nat.nat, kT0, kAlice, kStun).packet.source, kAliceMapped);
  const auto hairpinned = Out(*nat.nat, kT0, kBob, kAliceMapped);
  EXPECT_EQ(hairpinned.verdict, "reflect");
  EXPECT_EQ(hairpinned.packet.source, kBobMapped);
  EXPECT_EQ(hairpinned.packet.destination, kAlice);
  // Bob got a mapping on the way, and Alice's reply hairpins back to him.
  const auto reply = Out(*nat.nat, kT0, kAlice, kBobMapped);
  EXPECT_EQ(reply.verdict, "reflect");
  EXPECT_EQ(reply.packet.source, kAliceMapped);
  EXPECT_EQ(reply.packet.destination, kBob);
}

// The common departure from REQ-9 a: the internal source is kept.
TEST(NatHairpinTest,
     Rfc4787Section6_InternalSourceVariantKeepsTheInternalAddress) {
  TestNat nat(Hairpinning(NatBehavior::HAIRPINNING_INTERNAL_SOURCE));
  Out(*nat.nat, kT0, kAlice, kStun);
  const auto hairpinned = Out(*nat.nat, kT0, kBob, kAliceMapped);
  EXPECT_EQ(hairpinned.verdict, "reflect");
  EXPECT_EQ(hairpinned.packet.source, kBob);
  EXPECT_EQ(hairpinned.packet.destination, kAlice);
}

TEST(NatHairpinTest, Rfc4787Section6_WithoutHairpinningThePacketIsDropped) {
  TestNat nat(Hairpinning(NatBehavior::HAIRPINNING_OFF));
  Out(*nat.nat, kT0, kAlice, kStun);
  EXPECT_EQ(Out(*nat.nat, kT0, kBob, kAliceMapped).verdict,
            Dropped(DropReason::kNatHairpinUnsupported));
  EXPECT_EQ(nat.nat->MappingCount(kT0), 1u);  // Bob got no mapping.
}

TEST(NatHairpinTest, Rfc4787Section6_HairpinToAnUnmappedPortFindsNoMapping) {
  TestNat nat(Hairpinning(NatBehavior::HAIRPINNING_EXTERNAL_SOURCE));
  EXPECT_EQ(Out(*nat.nat, kT0, kBob, Udp("203.0.113.1:7777")).verdict,
            Dropped(DropReason::kNatNoMapping));
}

// RFC 4787 §6: filtering applies to the hairpinned packet as to any inbound
// one, against the sender's external mapped address. Once each side has sent
// to the other's mapped address, the hole is open both ways (ICE over a
// hairpin).
TEST(NatHairpinTest, Rfc4787Section6_FilteringAppliesToHairpinnedPackets) {
  TestNat nat(Hairpinning(NatBehavior::HAIRPINNING_EXTERNAL_SOURCE,
                          NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT));
  Out(*nat.nat, kT0, kAlice, kStun);
  Out(*nat.nat, kT0, kBob, kStun);
  // Alice never sent to the NAT's own address: refused by address.
  EXPECT_EQ(Out(*nat.nat, kT0, kBob, kAliceMapped).verdict,
            Dropped(DropReason::kNatFilteredByAddress));
  // Bob's attempt opened his filter for Alice's mapped address.
  EXPECT_EQ(Out(*nat.nat, kT0, kAlice, kBobMapped).verdict, "reflect");
  EXPECT_EQ(Out(*nat.nat, kT0, kBob, kAliceMapped).verdict, "reflect");
  // A third endpoint of the NAT, from another port, is refused by port.
  const net::TransportAddress carol = Udp("10.0.0.3:7000");
  EXPECT_EQ(Out(*nat.nat, kT0, carol, kStun).packet.source,
            Udp("203.0.113.1:7000"));
  EXPECT_EQ(Out(*nat.nat, kT0, carol, kAliceMapped).verdict,
            Dropped(DropReason::kNatFilteredByPort));
}

}  // namespace
}  // namespace pinhole::sim
