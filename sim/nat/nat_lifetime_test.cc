// Mapping lifetimes at exact simulated instants: RFC 4787 §4.3 (UDP, REQ-5,
// REQ-6) and RFC 5382 §5 REQ-5 (TCP established and transitory), with RFC
// 7857 §2.2 for RST. A mapping is live while now < expires_at.
#include <optional>

#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_presets.h"
#include "sim/nat/nat_test_util.h"
#include "sim/packet.h"

namespace pinhole::sim {
namespace {

using ::pinhole::sim::testing::Behavior;
using ::pinhole::sim::testing::Dropped;
using ::pinhole::sim::testing::In;
using ::pinhole::sim::testing::kT0;
using ::pinhole::sim::testing::Out;
using ::pinhole::sim::testing::Tcp;
using ::pinhole::sim::testing::TestNat;
using ::pinhole::sim::testing::Udp;

constexpr net::Duration kNs = net::Duration::Nanoseconds(1);
constexpr net::Duration kSecond = net::Duration::Seconds(1);

const net::TransportAddress kHost = Udp("10.0.0.1:5000");
const net::TransportAddress kServer = Udp("192.0.2.1:3478");
const net::TransportAddress kMapped = Udp("203.0.113.1:5000");

NatBehavior UdpBehavior(NatBehavior::Refresh refresh) {
  NatBehavior behavior =
      Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
               NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  behavior.set_udp_mapping_lifetime_seconds(60);
  behavior.set_udp_refresh(refresh);
  return behavior;
}

// RFC 4787 §4.3: the mapping lives exactly its lifetime after the last
// refresh: a reply 1 ns before passes, one at the instant is too late.
TEST(NatLifetimeTest, Rfc4787Section4_3_UdpMappingExpiresExactlyAtItsLifetime) {
  TestNat nat(UdpBehavior(NatBehavior::REFRESH_OUTBOUND_ONLY));
  ASSERT_EQ(Out(*nat.nat, kT0, kHost, kServer).packet.source, kMapped);
  EXPECT_EQ(nat.nat->FindMapping(kT0, kHost, kServer)->expires_at,
            kT0 + 60 * kSecond);
  EXPECT_EQ(In(*nat.nat, kT0 + 60 * kSecond - kNs, kServer, kMapped).verdict,
            "forward");
  EXPECT_EQ(In(*nat.nat, kT0 + 60 * kSecond, kServer, kMapped).verdict,
            Dropped(DropReason::kNatMappingExpired));
  EXPECT_EQ(In(*nat.nat, kT0 + 61 * kSecond, kServer, kMapped).verdict,
            Dropped(DropReason::kNatMappingExpired));
  EXPECT_EQ(nat.nat->MappingCount(kT0 + 60 * kSecond), 0u);
  EXPECT_FALSE(nat.nat->FindMapping(kT0 + 60 * kSecond, kHost, kServer));
}

// RFC 4787 §4.3 REQ-6: outbound packets refresh; with outbound-only refresh,
// inbound traffic (the reply above at 59.999999999 s, say) does not.
TEST(NatLifetimeTest, Rfc4787Req6_OutboundRefreshesInboundDoesNot) {
  TestNat nat(UdpBehavior(NatBehavior::REFRESH_OUTBOUND_ONLY));
  Out(*nat.nat, kT0, kHost, kServer);
  EXPECT_EQ(In(*nat.nat, kT0 + 50 * kSecond, kServer, kMapped).verdict,
            "forward");
  EXPECT_EQ(
      nat.nat->FindMapping(kT0 + 50 * kSecond, kHost, kServer)->expires_at,
      kT0 + 60 * kSecond);
  // An outbound packet at 30 s moves the deadline to 90 s.
  Out(*nat.nat, kT0 + 30 * kSecond, kHost, kServer);
  EXPECT_EQ(In(*nat.nat, kT0 + 90 * kSecond - kNs, kServer, kMapped).verdict,
            "forward");
  EXPECT_EQ(In(*nat.nat, kT0 + 90 * kSecond, kServer, kMapped).verdict,
            Dropped(DropReason::kNatMappingExpired));
}

TEST(NatLifetimeTest, Rfc4787Req6_InboundRefreshesWhenEnabled) {
  TestNat nat(UdpBehavior(NatBehavior::REFRESH_OUTBOUND_AND_INBOUND));
  Out(*nat.nat, kT0, kHost, kServer);
  EXPECT_EQ(In(*nat.nat, kT0 + 50 * kSecond, kServer, kMapped).verdict,
            "forward");
  EXPECT_EQ(
      nat.nat->FindMapping(kT0 + 50 * kSecond, kHost, kServer)->expires_at,
      kT0 + 110 * kSecond);
  EXPECT_EQ(In(*nat.nat, kT0 + 110 * kSecond, kServer, kMapped).verdict,
            Dropped(DropReason::kNatMappingExpired));
}

// A refused packet refreshes nothing, even with inbound refresh.
TEST(NatLifetimeTest, Rfc4787Req6_FilteredPacketsDoNotRefresh) {
  TestNat nat(UdpBehavior(NatBehavior::REFRESH_OUTBOUND_AND_INBOUND));
  Out(*nat.nat, kT0, kHost, kServer);
  EXPECT_EQ(
      In(*nat.nat, kT0 + 50 * kSecond, Udp("192.0.2.1:9999"), kMapped).verdict,
      Dropped(DropReason::kNatFilteredByPort));
  EXPECT_EQ(In(*nat.nat, kT0 + 60 * kSecond, kServer, kMapped).verdict,
            Dropped(DropReason::kNatMappingExpired));
}

// RFC 4787 §4.3: after expiry the mapping and its filter state are gone; the
// next outbound packet creates a fresh one (here on the next sequential port).
TEST(NatLifetimeTest,
     Rfc4787Section4_3_OutboundAfterExpiryCreatesAFreshMapping) {
  NatBehavior behavior = UdpBehavior(NatBehavior::REFRESH_OUTBOUND_ONLY);
  behavior.set_port_assignment(NatBehavior::PORT_SEQUENTIAL);
  behavior.mutable_port_range()->set_min(20000);
  behavior.mutable_port_range()->set_max(20009);
  TestNat nat(behavior);
  const net::TransportAddress other = Udp("198.51.100.2:3478");
  EXPECT_EQ(Out(*nat.nat, kT0, kHost, kServer).packet.source,
            Udp("203.0.113.1:20000"));
  const net::Time later = kT0 + 60 * kSecond;
  EXPECT_EQ(Out(*nat.nat, later, kHost, other).packet.source,
            Udp("203.0.113.1:20001"));
  EXPECT_EQ(nat.nat->MappingCount(later), 1u);
  // The old port is gone, and the new mapping never sent to kServer.
  EXPECT_EQ(In(*nat.nat, later, kServer, Udp("203.0.113.1:20000")).verdict,
            Dropped(DropReason::kNatNoMapping));
  EXPECT_EQ(In(*nat.nat, later, kServer, Udp("203.0.113.1:20001")).verdict,
            Dropped(DropReason::kNatFilteredByAddress));
  EXPECT_EQ(In(*nat.nat, later, other, Udp("203.0.113.1:20001")).verdict,
            "forward");
}

// linux_masquerade: 30 s while unreplied, 180 s once a reply has passed
// (conntrack's udp_timeout and udp_timeout_stream); replies refresh too.
TEST(NatLifetimeTest, LinuxMasqueradeUdpLifetimeGrowsOnceReplied) {
  TestNat nat(NatPreset("linux_masquerade").value());
  Out(*nat.nat, kT0, kHost, kServer);
  EXPECT_EQ(nat.nat->FindMapping(kT0, kHost, kServer)->expires_at,
            kT0 + 30 * kSecond);
  ASSERT_EQ(In(*nat.nat, kT0 + 10 * kSecond, kServer, kMapped).verdict,
            "forward");
  EXPECT_EQ(nat.nat->FindMapping(kT0, kHost, kServer)->expires_at,
            kT0 + 190 * kSecond);
  Out(*nat.nat, kT0 + 20 * kSecond, kHost, kServer);
  EXPECT_EQ(nat.nat->FindMapping(kT0, kHost, kServer)->expires_at,
            kT0 + 200 * kSecond);
}

// Linux moves a flow to the stream timeout only when it is "still active
// after two seconds": a reply within 2 s of the first packet refreshes with
// 30 s (what real netfilter shows a STUN Binding: //conformance:
// linux_nat_test); any packet from 2 s on, once replied, with 180 s.
TEST(NatLifetimeTest, LinuxMasqueradeStreamTimeoutNeedsTwoSeconds) {
  TestNat nat(NatPreset("linux_masquerade").value());
  Out(*nat.nat, kT0, kHost, kServer);
  ASSERT_EQ(In(*nat.nat, kT0 + kSecond, kServer, kMapped).verdict, "forward");
  EXPECT_EQ(nat.nat->FindMapping(kT0, kHost, kServer)->expires_at,
            kT0 + 31 * kSecond);
  Out(*nat.nat, kT0 + 2 * kSecond - kNs, kHost, kServer);
  EXPECT_EQ(nat.nat->FindMapping(kT0, kHost, kServer)->expires_at,
            kT0 + 32 * kSecond - kNs);
  Out(*nat.nat, kT0 + 2 * kSecond, kHost, kServer);
  EXPECT_EQ(nat.nat->FindMapping(kT0, kHost, kServer)->expires_at,
            kT0 + 182 * kSecond);
}

// --- TCP (RFC 5382 §5 REQ-5).

const net::TransportAddress kTcpHost = Tcp("10.0.0.1:40000");
const net::TransportAddress kTcpServer = Tcp("192.0.2.1:443");
const net::TransportAddress kTcpMapped = Tcp("203.0.113.1:40000");
constexpr uint8_t kSyn = TcpHeader::kSyn;
constexpr uint8_t kSynAck = TcpHeader::kSyn | TcpHeader::kAck;
constexpr uint8_t kAck = TcpHeader::kAck;
constexpr uint8_t kFin = TcpHeader::kFin | TcpHeader::kAck;
constexpr uint8_t kRst = TcpHeader::kRst;
constexpr net::Duration kEstablished =
    net::Duration::Hours(2) + net::Duration::Minutes(4);
constexpr net::Duration kTransitory = net::Duration::Minutes(4);

NatBehavior TcpBehavior() {
  return Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                  NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
}

std::optional<net::Time> TcpDeadline(TestNat& nat, net::Time now) {
  const auto mapping = nat.nat->FindMapping(now, kTcpHost, kTcpServer);
  if (!mapping) return std::nullopt;
  return mapping->expires_at;
}

// Three-way handshake ending at kT0 + 2 s.
void Handshake(TestNat& nat) {
  ASSERT_EQ(Out(*nat.nat, kT0, kTcpHost, kTcpServer, kSyn).verdict, "forward");
  ASSERT_EQ(
      In(*nat.nat, kT0 + kSecond, kTcpServer, kTcpMapped, kSynAck).verdict,
      "forward");
  ASSERT_EQ(
      Out(*nat.nat, kT0 + 2 * kSecond, kTcpHost, kTcpServer, kAck).verdict,
      "forward");
}

TEST(NatLifetimeTest, Rfc5382Req5_HalfOpenConnectionIsTransitory) {
  TestNat nat(TcpBehavior());
  Out(*nat.nat, kT0, kTcpHost, kTcpServer, kSyn);
  EXPECT_EQ(TcpDeadline(nat, kT0), kT0 + kTransitory);
  TestNat late(TcpBehavior());
  Out(*late.nat, kT0, kTcpHost, kTcpServer, kSyn);
  EXPECT_EQ(
      In(*nat.nat, kT0 + kTransitory - kNs, kTcpServer, kTcpMapped, kSynAck)
          .verdict,
      "forward");
  EXPECT_EQ(
      In(*late.nat, kT0 + kTransitory, kTcpServer, kTcpMapped, kSynAck).verdict,
      Dropped(DropReason::kNatMappingExpired));
}

TEST(NatLifetimeTest,
     Rfc5382Req5_EstablishedConnectionLastsTwoHoursFourMinutes) {
  TestNat nat(TcpBehavior());
  Handshake(nat);
  const net::Time last = kT0 + 2 * kSecond;
  EXPECT_EQ(TcpDeadline(nat, last), last + kEstablished);
  EXPECT_EQ(
      In(*nat.nat, last + kEstablished - kNs, kTcpServer, kTcpMapped, kAck)
          .verdict,
      "forward");

  TestNat idle(TcpBehavior());
  Handshake(idle);
  EXPECT_EQ(
      In(*idle.nat, last + kEstablished, kTcpServer, kTcpMapped, kAck).verdict,
      Dropped(DropReason::kNatMappingExpired));
}

TEST(NatLifetimeTest, Rfc5382Req5_FinBothWaysMakesTheConnectionTransitory) {
  TestNat nat(TcpBehavior());
  Handshake(nat);
  const net::Time fin_out = kT0 + 10 * kSecond;
  const net::Time fin_in = kT0 + 11 * kSecond;
  Out(*nat.nat, fin_out, kTcpHost, kTcpServer, kFin);
  EXPECT_EQ(TcpDeadline(nat, fin_out), fin_out + kEstablished);  // Half-closed.
  ASSERT_EQ(In(*nat.nat, fin_in, kTcpServer, kTcpMapped, kFin).verdict,
            "forward");
  EXPECT_EQ(TcpDeadline(nat, fin_in), fin_in + kTransitory);
}

TEST(NatLifetimeTest, Rfc7857Section2_2_RstMakesTheConnectionTransitory) {
  TestNat nat(TcpBehavior());
  Handshake(nat);
  const net::Time rst = kT0 + 10 * kSecond;
  ASSERT_EQ(In(*nat.nat, rst, kTcpServer, kTcpMapped, kRst).verdict, "forward");
  EXPECT_EQ(TcpDeadline(nat, rst), rst + kTransitory);
  EXPECT_EQ(
      In(*nat.nat, rst + kTransitory, kTcpServer, kTcpMapped, kAck).verdict,
      Dropped(DropReason::kNatMappingExpired));
}

// A new SYN on a closed 4-tuple starts a new connection.
TEST(NatLifetimeTest, Rfc5382Section5_SynAfterCloseStartsANewConnection) {
  TestNat nat(TcpBehavior());
  Handshake(nat);
  const net::Time rst = kT0 + 10 * kSecond;
  In(*nat.nat, rst, kTcpServer, kTcpMapped, kRst);
  const net::Time again = rst + kSecond;
  Out(*nat.nat, again, kTcpHost, kTcpServer, kSyn);
  In(*nat.nat, again, kTcpServer, kTcpMapped, kSynAck);
  EXPECT_EQ(TcpDeadline(nat, again), again + kEstablished);
}

// UDP and TCP timers are independent: TCP's long timeout keeps no UDP mapping.
TEST(NatLifetimeTest, UdpAndTcpMappingsAreSeparate) {
  TestNat nat(TcpBehavior());
  Handshake(nat);
  Out(*nat.nat, kT0, Udp("10.0.0.1:40000"), Udp("192.0.2.1:443"));
  EXPECT_EQ(nat.nat->MappingCount(kT0), 2u);
  const net::Time later = kT0 + net::Duration::Minutes(10);
  EXPECT_EQ(nat.nat->MappingCount(later), 1u);
  EXPECT_EQ(In(*nat.nat, later, Udp("192.0.2.1:443"), Udp("203.0.113.1:40000"))
                .verdict,
            Dropped(DropReason::kNatMappingExpired));
  EXPECT_EQ(In(*nat.nat, later, kTcpServer, kTcpMapped, kAck).verdict,
            "forward");
}

// RFC 5382 §4 REQ-4: unsolicited inbound SYNs are dropped silently (a drop
// verdict, nothing sent back). With INBOUND_SYN_SIMULTANEOUS_OPEN_ONLY even
// endpoint-independent filtering admits a SYN only from where the host sent
// its own SYN.
TEST(NatLifetimeTest, Rfc5382Req4_UnsolicitedInboundSynIsDropped) {
  NatBehavior behavior = Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                                  NatBehavior::FILTERING_ENDPOINT_INDEPENDENT);
  TestNat filtered(behavior);
  behavior.set_inbound_syn(NatBehavior::INBOUND_SYN_SIMULTANEOUS_OPEN_ONLY);
  TestNat strict(behavior);
  const net::TransportAddress stranger = Tcp("198.51.100.7:1234");
  for (TestNat* nat : {&filtered, &strict}) {
    EXPECT_EQ(In(*nat->nat, kT0, stranger, kTcpMapped, kSyn).verdict,
              Dropped(DropReason::kNatNoMapping));
    Out(*nat->nat, kT0, kTcpHost, kTcpServer, kSyn);
    // Simultaneous open from the server passes either way.
    EXPECT_EQ(In(*nat->nat, kT0, kTcpServer, kTcpMapped, kSyn).verdict,
              "forward");
  }
  EXPECT_EQ(In(*filtered.nat, kT0, stranger, kTcpMapped, kSyn).verdict,
            "forward");
  EXPECT_EQ(In(*strict.nat, kT0, stranger, kTcpMapped, kSyn).verdict,
            Dropped(DropReason::kNatFilteredByAddress));
  EXPECT_EQ(
      In(*strict.nat, kT0, Tcp("192.0.2.1:444"), kTcpMapped, kSyn).verdict,
      Dropped(DropReason::kNatFilteredByPort));
}

}  // namespace
}  // namespace pinhole::sim
