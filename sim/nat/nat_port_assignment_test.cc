// RFC 4787 §4.2 port assignment and §4.1 REQ-2 address pooling, seen from
// outside: which external address:port a new mapping gets.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
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
using ::pinhole::sim::testing::Ip;
using ::pinhole::sim::testing::kT0;
using ::pinhole::sim::testing::Out;
using ::pinhole::sim::testing::TestNat;
using ::pinhole::sim::testing::Udp;

const net::TransportAddress kServer = Udp("192.0.2.1:3478");

// An internal endpoint on host `host` (10.0.0.host) and `port`.
net::TransportAddress Inside(int host, int port) {
  return Udp(absl::StrCat("10.0.0.", host, ":", port).c_str());
}
// Remote endpoint number `n`, each a different address.
net::TransportAddress Remote(int n) {
  return Udp(absl::StrCat("198.51.100.", n, ":3478").c_str());
}

NatBehavior Eim(NatBehavior::PortAssignment assignment, uint32_t min,
                uint32_t max) {
  NatBehavior behavior = Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                                  NatBehavior::FILTERING_ENDPOINT_INDEPENDENT);
  behavior.set_port_assignment(assignment);
  behavior.mutable_port_range()->set_min(min);
  behavior.mutable_port_range()->set_max(max);
  return behavior;
}

uint16_t MappedPort(TestNat& nat, const net::TransportAddress& internal) {
  const auto out = Out(*nat.nat, kT0, internal, kServer);
  EXPECT_EQ(out.verdict, "forward") << internal;
  return out.packet.source.port();
}

// RFC 4787 §4.2.1: preservation keeps the internal port; a second host using
// the same port cannot have it, and gets the fallback's choice.
TEST(NatPortAssignmentTest,
     Rfc4787Section4_2_1_PreservationFallsBackToSequentialWhenTaken) {
  TestNat nat(Eim(NatBehavior::PORT_PRESERVATION, 1024, 65535));
  EXPECT_EQ(MappedPort(nat, Inside(1, 5000)), 5000);
  EXPECT_EQ(MappedPort(nat, Inside(2, 5000)), 1024);
  EXPECT_EQ(MappedPort(nat, Inside(3, 5000)), 1025);
  EXPECT_EQ(MappedPort(nat, Inside(3, 6000)), 6000);
}

TEST(NatPortAssignmentTest,
     Rfc4787Section4_2_1_PreservationFallsBackToRandomWhenTaken) {
  NatBehavior behavior = Eim(NatBehavior::PORT_PRESERVATION, 1024, 65535);
  behavior.set_preservation_fallback(NatBehavior::PORT_RANDOM);
  TestNat nat(behavior, {Ip("203.0.113.1")}, /*seed=*/7);
  EXPECT_EQ(MappedPort(nat, Inside(1, 5000)), 5000);
  // The fallback draws once, uniformly over the range's 64512 ports.
  net::DeterministicRandom same_stream(7);
  const uint16_t expected =
      static_cast<uint16_t>(1024 + same_stream.Uniform(65535 - 1024 + 1));
  ASSERT_NE(expected, 5000);
  EXPECT_EQ(MappedPort(nat, Inside(2, 5000)), expected);
}

TEST(NatPortAssignmentTest,
     Rfc4787Section4_2_1_PreservationNeedsThePortToBeInRange) {
  TestNat nat(Eim(NatBehavior::PORT_PRESERVATION, 40000, 40010));
  EXPECT_EQ(MappedPort(nat, Inside(1, 5000)), 40000);
  EXPECT_EQ(MappedPort(nat, Inside(1, 40005)), 40005);
}

// Sequential: each new mapping takes the next free port, wrapping inside the
// range; when every port is held by a live mapping, new flows are refused.
TEST(NatPortAssignmentTest, Rfc4787Section4_2_1_SequentialWrapsAndRunsOut) {
  TestNat nat(Eim(NatBehavior::PORT_SEQUENTIAL, 20000, 20002));
  EXPECT_EQ(MappedPort(nat, Inside(1, 5000)), 20000);
  EXPECT_EQ(MappedPort(nat, Inside(1, 5001)), 20001);
  EXPECT_EQ(MappedPort(nat, Inside(2, 5000)), 20002);
  EXPECT_EQ(Out(*nat.nat, kT0, Inside(2, 5001), kServer).verdict,
            Dropped(DropReason::kNatTableFull));
  // Once the first mapping has expired (default 300 s), its port is reused.
  const net::Time later = kT0 + net::Duration::Seconds(300);
  const auto out = Out(*nat.nat, later, Inside(3, 7000), kServer);
  ASSERT_EQ(out.verdict, "forward");
  EXPECT_EQ(out.packet.source.port(), 20000);
}

TEST(NatPortAssignmentTest,
     Rfc4787Section4_2_1_RandomStaysInRangeAndIsReproducible) {
  const NatBehavior behavior = Eim(NatBehavior::PORT_RANDOM, 30000, 30999);
  TestNat a(behavior, {Ip("203.0.113.1")}, /*seed=*/11);
  TestNat b(behavior, {Ip("203.0.113.1")}, /*seed=*/11);
  TestNat c(behavior, {Ip("203.0.113.1")}, /*seed=*/12);
  std::vector<uint16_t> ports_a, ports_b, ports_c;
  for (int i = 0; i < 50; ++i) {
    ports_a.push_back(MappedPort(a, Inside(1, 5000 + i)));
    ports_b.push_back(MappedPort(b, Inside(1, 5000 + i)));
    ports_c.push_back(MappedPort(c, Inside(1, 5000 + i)));
  }
  const std::set<uint16_t> distinct(ports_a.begin(), ports_a.end());
  EXPECT_EQ(distinct.size(), 50u);
  EXPECT_GE(*distinct.begin(), 30000);
  EXPECT_LE(*distinct.rbegin(), 30999);
  EXPECT_EQ(ports_a, ports_b);  // Same seed, same ports.
  EXPECT_NE(ports_a, ports_c);
  // Not sequential: some consecutive mappings are far apart.
  int jumps = 0;
  for (size_t i = 1; i < ports_a.size(); ++i) {
    if (ports_a[i] != ports_a[i - 1] + 1) ++jumps;
  }
  EXPECT_GT(jumps, 40);
}

// RFC 4787 §4.2.2 REQ-4: parity preserved in every mode.
TEST(NatPortAssignmentTest, Rfc4787Section4_2_2_ParityIsPreserved) {
  for (const auto assignment :
       {NatBehavior::PORT_SEQUENTIAL, NatBehavior::PORT_RANDOM}) {
    NatBehavior behavior = Eim(assignment, 2000, 2999);
    behavior.set_preserve_port_parity(true);
    TestNat nat(behavior);
    for (int port = 5000; port < 5040; ++port) {
      EXPECT_EQ(MappedPort(nat, Inside(1, port)) % 2, port % 2)
          << NatBehavior::PortAssignment_Name(assignment) << " " << port;
    }
  }
  NatBehavior behavior = Eim(NatBehavior::PORT_SEQUENTIAL, 2000, 2010);
  behavior.set_preserve_port_parity(true);
  TestNat nat(behavior);
  EXPECT_EQ(MappedPort(nat, Inside(1, 5001)), 2001);
  EXPECT_EQ(MappedPort(nat, Inside(1, 5000)), 2002);  // Even, after 2001.
  EXPECT_EQ(MappedPort(nat, Inside(1, 5003)), 2003);
}

// RFC 4787 §4.2.1 REQ-3: ports below 1024 stay below 1024 and others stay
// above, when the behaviour asks for it.
TEST(NatPortAssignmentTest, Rfc4787Req3_KeepsPrivilegedPortsPrivileged) {
  NatBehavior behavior = Eim(NatBehavior::PORT_PRESERVATION, 1, 65535);
  behavior.set_keep_port_class(true);
  TestNat nat(behavior);
  EXPECT_EQ(MappedPort(nat, Inside(1, 500)), 500);
  EXPECT_EQ(MappedPort(nat, Inside(2, 500)), 1);  // Sequential in 1..1023.
  EXPECT_EQ(MappedPort(nat, Inside(1, 5000)), 5000);
  EXPECT_EQ(MappedPort(nat, Inside(2, 5000)), 1024);  // In 1024..65535.
}

// RFC 4787 §4.1 REQ-2: with paired pooling every mapping of one internal
// address uses one external address; new internal addresses are spread
// round-robin.
TEST(NatPortAssignmentTest,
     Rfc4787Req2_PairedPoolingKeepsOneExternalAddressPerHost) {
  NatBehavior behavior =
      Behavior(NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
               NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  behavior.set_address_pooling(NatBehavior::ADDRESS_POOLING_PAIRED);
  TestNat nat(behavior, {Ip("203.0.113.1"), Ip("203.0.113.2")});
  for (int n = 1; n <= 4; ++n) {
    EXPECT_EQ(Out(*nat.nat, kT0, Inside(1, 5000), Remote(n)).packet.source.ip(),
              Ip("203.0.113.1"));
    EXPECT_EQ(Out(*nat.nat, kT0, Inside(2, 5000), Remote(n)).packet.source.ip(),
              Ip("203.0.113.2"));
  }
}

TEST(NatPortAssignmentTest,
     Rfc4787Req2_ArbitraryPoolingSpreadsOneHostsMappings) {
  NatBehavior behavior =
      Behavior(NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
               NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  behavior.set_address_pooling(NatBehavior::ADDRESS_POOLING_ARBITRARY);
  TestNat nat(behavior, {Ip("203.0.113.1"), Ip("203.0.113.2")});
  std::vector<std::string> used;
  for (int n = 1; n <= 4; ++n) {
    used.push_back(Out(*nat.nat, kT0, Inside(1, 5000), Remote(n))
                       .packet.source.ToString());
  }
  EXPECT_EQ(used, (std::vector<std::string>{
                      "203.0.113.1:5000/udp", "203.0.113.2:5000/udp",
                      "203.0.113.1:1/udp", "203.0.113.2:1/udp"}));
}

// With one port per address: arbitrary pooling moves to another address,
// paired pooling refuses rather than break the pairing.
TEST(NatPortAssignmentTest, Rfc4787Req2_PairedRefusesWhereArbitraryMovesOn) {
  for (const bool paired : {true, false}) {
    NatBehavior behavior =
        Behavior(NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
                 NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
    behavior.set_address_pooling(paired
                                     ? NatBehavior::ADDRESS_POOLING_PAIRED
                                     : NatBehavior::ADDRESS_POOLING_ARBITRARY);
    behavior.mutable_port_range()->set_min(6000);
    behavior.mutable_port_range()->set_max(6000);
    TestNat nat(behavior, {Ip("203.0.113.1"), Ip("203.0.113.2")});
    EXPECT_EQ(Out(*nat.nat, kT0, Inside(1, 6000), Remote(1)).packet.source,
              Udp("203.0.113.1:6000"));
    const auto second = Out(*nat.nat, kT0, Inside(1, 6000), Remote(2));
    if (paired) {
      EXPECT_EQ(second.verdict, Dropped(DropReason::kNatTableFull));
      // Another host is paired with the other address.
      EXPECT_EQ(Out(*nat.nat, kT0, Inside(2, 6000), Remote(1)).packet.source,
                Udp("203.0.113.2:6000"));
    } else {
      EXPECT_EQ(second.packet.source, Udp("203.0.113.2:6000"));
      EXPECT_EQ(Out(*nat.nat, kT0, Inside(1, 6000), Remote(3)).verdict,
                Dropped(DropReason::kNatTableFull));
    }
  }
}

}  // namespace
}  // namespace pinhole::sim
