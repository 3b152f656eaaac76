// The mapping table: limits, reboot, address families, validation, and NATs in
// a chain (a home NAT behind a carrier-grade NAT).
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/middlebox.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_presets.h"
#include "sim/nat/nat_test_util.h"
#include "sim/packet.h"

namespace pinhole::sim {
namespace {

using ::pinhole::sim::testing::Behavior;
using ::pinhole::sim::testing::Describe;
using ::pinhole::sim::testing::Dropped;
using ::pinhole::sim::testing::In;
using ::pinhole::sim::testing::Ip;
using ::pinhole::sim::testing::kT0;
using ::pinhole::sim::testing::MakePacket;
using ::pinhole::sim::testing::Out;
using ::pinhole::sim::testing::Tcp;
using ::pinhole::sim::testing::TestNat;
using ::pinhole::sim::testing::Udp;
using ::testing::HasSubstr;

const net::TransportAddress kServer = Udp("192.0.2.1:3478");

NatBehavior Symmetric() {
  return Behavior(NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
                  NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
}

// A new flow past the limit is refused with kNatTableFull; existing flows go
// on; an expired mapping frees its place.
TEST(NatTableTest, MappingLimitRefusesNewFlowsOnly) {
  NatBehavior behavior = Symmetric();
  behavior.set_max_mappings(2);
  behavior.set_udp_mapping_lifetime_seconds(60);
  TestNat nat(behavior);
  const net::TransportAddress host = Udp("10.0.0.1:5000");
  ASSERT_EQ(Out(*nat.nat, kT0, host, Udp("192.0.2.1:1")).verdict, "forward");
  const net::Time t1 = kT0 + net::Duration::Seconds(10);
  ASSERT_EQ(Out(*nat.nat, t1, host, Udp("192.0.2.1:2")).verdict, "forward");
  EXPECT_EQ(Out(*nat.nat, t1, host, Udp("192.0.2.1:3")).verdict,
            Dropped(DropReason::kNatTableFull));
  EXPECT_EQ(Out(*nat.nat, t1, host, Udp("192.0.2.1:1")).verdict, "forward");
  // The second mapping expires at t1 + 60 s; the first was refreshed at t1.
  const net::Time t2 = t1 + net::Duration::Seconds(60);
  EXPECT_EQ(Out(*nat.nat, t2 - net::Duration::Nanoseconds(1), host,
                Udp("192.0.2.1:3"))
                .verdict,
            Dropped(DropReason::kNatTableFull));
  EXPECT_EQ(Out(*nat.nat, t2, host, Udp("192.0.2.1:3")).verdict, "forward");
}

// A RST shortens a connection's life to the transitory timeout (RFC 7857
// §2.2); a full table gets that place back at exactly that instant.
TEST(NatTableTest, MappingLimitReclaimsAConnectionClosedByRst) {
  NatBehavior behavior = Symmetric();
  behavior.set_max_mappings(1);
  TestNat nat(behavior);
  const net::TransportAddress host = Tcp("10.0.0.1:40000");
  const net::TransportAddress server = Tcp("192.0.2.1:443");
  const auto syn = Out(*nat.nat, kT0, host, server, TcpHeader::kSyn);
  ASSERT_EQ(syn.verdict, "forward");
  ASSERT_EQ(In(*nat.nat, kT0, server, syn.packet.source,
               TcpHeader::kSyn | TcpHeader::kAck)
                .verdict,
            "forward");
  const net::Time rst = kT0 + net::Duration::Seconds(10);
  const net::TransportAddress other = Tcp("192.0.2.2:443");
  EXPECT_EQ(Out(*nat.nat, rst, host, other, TcpHeader::kSyn).verdict,
            Dropped(DropReason::kNatTableFull));
  ASSERT_EQ(
      In(*nat.nat, rst, server, syn.packet.source, TcpHeader::kRst).verdict,
      "forward");
  const net::Time reusable = rst + net::Duration::Minutes(4);
  EXPECT_EQ(Out(*nat.nat, reusable - net::Duration::Nanoseconds(1), host, other,
                TcpHeader::kSyn)
                .verdict,
            Dropped(DropReason::kNatTableFull));
  EXPECT_EQ(Out(*nat.nat, reusable, host, other, TcpHeader::kSyn).verdict,
            "forward");
}

// RFC 6888 REQ-4: a per-subscriber limit stops one host without stopping
// others.
TEST(NatTableTest, Rfc6888Req4_PerSubscriberLimit) {
  NatBehavior behavior = Symmetric();
  behavior.set_max_mappings_per_internal_address(2);
  TestNat nat(behavior);
  const net::TransportAddress a = Udp("10.0.0.1:5000");
  EXPECT_EQ(Out(*nat.nat, kT0, a, Udp("192.0.2.1:1")).verdict, "forward");
  EXPECT_EQ(Out(*nat.nat, kT0, a, Udp("192.0.2.1:2")).verdict, "forward");
  EXPECT_EQ(Out(*nat.nat, kT0, a, Udp("192.0.2.1:3")).verdict,
            Dropped(DropReason::kNatTableFull));
  EXPECT_EQ(
      Out(*nat.nat, kT0, Udp("10.0.0.2:5000"), Udp("192.0.2.1:3")).verdict,
      "forward");
}

// A sequential NAT over 20000-20099 that has mapped 10.0.0.1:5000 to 20000
// and 10.0.0.1:5001 to 20001.
NatBehavior SequentialBehavior() {
  NatBehavior behavior = Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                                  NatBehavior::FILTERING_ENDPOINT_INDEPENDENT);
  behavior.set_port_assignment(NatBehavior::PORT_SEQUENTIAL);
  behavior.mutable_port_range()->set_min(20000);
  behavior.mutable_port_range()->set_max(20099);
  return behavior;
}

void MapTwo(Nat& nat) {
  Out(nat, kT0, Udp("10.0.0.1:5000"), kServer);
  EXPECT_EQ(Out(nat, kT0, Udp("10.0.0.1:5001"), kServer).packet.source,
            Udp("203.0.113.1:20001"));
}

// A reboot loses every mapping: replies find nothing, and the next outbound
// packet starts over (sequential assignment from the start of the range).
TEST(NatTableTest, RebootLosesAllMappings) {
  TestNat nat(SequentialBehavior());
  MapTwo(*nat.nat);
  nat.nat->Reboot();
  EXPECT_EQ(nat.nat->MappingCount(kT0), 0u);
  EXPECT_EQ(In(*nat.nat, kT0, kServer, Udp("203.0.113.1:20001")).verdict,
            Dropped(DropReason::kNatNoMapping));
  EXPECT_EQ(Out(*nat.nat, kT0, Udp("10.0.0.1:5001"), kServer).packet.source,
            Udp("203.0.113.1:20000"));
}

// A flush (conntrack -F) loses every mapping too, but port assignment goes
// on from where it was: the next mapping gets a new port, so a peer that
// still sends to the old one is refused.
TEST(NatTableTest, FlushLosesMappingsButNotThePortCursor) {
  TestNat nat(SequentialBehavior());
  MapTwo(*nat.nat);
  nat.nat->FlushMappings();
  EXPECT_EQ(nat.nat->MappingCount(kT0), 0u);
  EXPECT_EQ(In(*nat.nat, kT0, kServer, Udp("203.0.113.1:20001")).verdict,
            Dropped(DropReason::kNatNoMapping));
  EXPECT_EQ(Out(*nat.nat, kT0, Udp("10.0.0.1:5001"), kServer).packet.source,
            Udp("203.0.113.1:20002"));
}

TEST(NatTableTest, UdpAndTcpShareNoMapping) {
  TestNat nat(Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                       NatBehavior::FILTERING_ENDPOINT_INDEPENDENT));
  EXPECT_EQ(Out(*nat.nat, kT0, Udp("10.0.0.1:5000"), kServer).packet.source,
            Udp("203.0.113.1:5000"));
  EXPECT_EQ(In(*nat.nat, kT0, Tcp("192.0.2.1:3478"), Tcp("203.0.113.1:5000"),
               TcpHeader::kSyn)
                .verdict,
            Dropped(DropReason::kNatNoMapping));
  // The same port is free for TCP.
  EXPECT_EQ(Out(*nat.nat, kT0, Tcp("10.0.0.2:5000"), Tcp("192.0.2.1:443"),
                TcpHeader::kSyn)
                .packet.source,
            Tcp("203.0.113.1:5000"));
}

TEST(NatTableTest, InboundToAnotherAddressFindsNoMapping) {
  TestNat nat(Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                       NatBehavior::FILTERING_ENDPOINT_INDEPENDENT));
  Out(*nat.nat, kT0, Udp("10.0.0.1:5000"), kServer);
  EXPECT_EQ(In(*nat.nat, kT0, kServer, Udp("203.0.113.9:5000")).verdict,
            Dropped(DropReason::kNatNoMapping));
}

TEST(NatTableTest, PacketsOfTheOtherFamilyHaveNoRoute) {
  TestNat nat(Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                       NatBehavior::FILTERING_ENDPOINT_INDEPENDENT));
  EXPECT_EQ(Out(*nat.nat, kT0, Udp("[fd00::1]:5000"), Udp("[2001:db8::1]:3478"))
                .verdict,
            Dropped(DropReason::kNoRoute));
}

TEST(NatTableTest, Ipv6ToIpv6Translates) {
  TestNat nat(Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                       NatBehavior::FILTERING_ADDRESS_DEPENDENT),
              {Ip("2001:db8:ffff::1")});
  const auto out =
      Out(*nat.nat, kT0, Udp("[fd00::1]:5000"), Udp("[2001:db8::1]:3478"));
  EXPECT_EQ(out.packet.source, Udp("[2001:db8:ffff::1]:5000"));
  EXPECT_EQ(In(*nat.nat, kT0, Udp("[2001:db8::1]:9"), out.packet.source)
                .packet.destination,
            Udp("[fd00::1]:5000"));
}

TEST(NatTableTest, InvalidExternalAddressesAreRefused) {
  net::DeterministicRandom random(1);
  const NatBehavior behavior = Symmetric();
  struct Case {
    std::vector<net::IpAddress> addresses;
    const char* error;
  };
  const Case kCases[] = {
      {{}, "at least one external address"},
      {{Ip("203.0.113.1"), Ip("2001:db8::1")}, "mix IPv4 and IPv6"},
      {{Ip("0.0.0.0")}, "unspecified"},
      {{Ip("203.0.113.1"), Ip("203.0.113.1")}, "repeated"},
  };
  for (const Case& c : kCases) {
    const auto nat = Nat::Create(behavior, c.addresses, random);
    ASSERT_FALSE(nat.ok()) << c.error;
    EXPECT_EQ(nat.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(nat.status().message(), HasSubstr(c.error));
  }
  NatBehavior inverted = behavior;
  inverted.mutable_port_range()->set_min(2000);
  inverted.mutable_port_range()->set_max(1000);
  EXPECT_THAT(
      Nat::Create(inverted, {Ip("203.0.113.1")}, random).status().message(),
      HasSubstr("inverted"));
}

// A home NAT behind a carrier-grade NAT: each is an ordinary Nat; the packet
// crosses the home NAT then the CGN outbound, and the reply the CGN then the
// home NAT inbound.
TEST(NatTableTest, HomeNatBehindCarrierGradeNat) {
  TestNat home(NatPreset("port_restricted_cone").value(), {Ip("100.64.0.2")});
  TestNat cgn(NatPreset("carrier_grade").value(),
              {Ip("198.51.100.1"), Ip("198.51.100.2")}, /*seed=*/5);
  const net::TransportAddress laptop = Udp("192.168.1.10:5000");

  Packet packet = MakePacket(laptop, kServer);
  ASSERT_EQ(Describe(home.nat->Process(kT0, Side::kInside, packet)), "forward");
  EXPECT_EQ(packet.source, Udp("100.64.0.2:5000"));
  ASSERT_EQ(Describe(cgn.nat->Process(kT0, Side::kInside, packet)), "forward");
  const net::TransportAddress public_mapping = packet.source;
  EXPECT_EQ(public_mapping.ip(), Ip("198.51.100.1"));
  EXPECT_GE(public_mapping.port(), 1024);
  EXPECT_EQ(public_mapping.port() % 2, 0);  // carrier_grade keeps parity.

  Packet reply = MakePacket(kServer, public_mapping);
  ASSERT_EQ(Describe(cgn.nat->Process(kT0, Side::kOutside, reply)), "forward");
  EXPECT_EQ(reply.destination, Udp("100.64.0.2:5000"));
  ASSERT_EQ(Describe(home.nat->Process(kT0, Side::kOutside, reply)), "forward");
  EXPECT_EQ(reply.destination, laptop);
  EXPECT_EQ(reply.source, kServer);

  // A stranger passes the CGN (endpoint-independent filtering) but not the
  // home NAT (address-and-port-dependent).
  Packet probe = MakePacket(Udp("203.0.113.50:4000"), public_mapping);
  ASSERT_EQ(Describe(cgn.nat->Process(kT0, Side::kOutside, probe)), "forward");
  EXPECT_EQ(Describe(home.nat->Process(kT0, Side::kOutside, probe)),
            Dropped(DropReason::kNatFilteredByAddress));
}

}  // namespace
}  // namespace pinhole::sim
