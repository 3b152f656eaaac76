#include "sim/middlebox_node.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/drop_reason.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/middlebox.h"
#include "sim/packet.h"
#include "sim/pass_through_middlebox.h"
#include "sim/simulator.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;

net::IpAddress Ip(const char* text) { return *net::IpAddress::Parse(text); }
TransportAddress Addr(const char* text) {
  return *TransportAddress::Parse(text);
}

// A one-to-one NAT for tests: the inside host 10.0.0.2 appears outside as
// 203.0.113.2; ports are kept. Inside packets to 203.0.113.2 are reflected
// back in (hairpinning); packets to port 666 are dropped by "firewall rule".
class StaticNat : public Middlebox {
 public:
  Verdict Process(Time, Side side, Packet& packet) override {
    if (packet.destination.port() == 666) {
      return Verdict::Drop(DropReason::kFirewallRule);
    }
    if (side == Side::kInside) {
      if (packet.source.ip() == kInside)
        packet.source = Rewrite(packet.source, kOutside);
      if (packet.destination.ip() == kOutside) {
        packet.destination = Rewrite(packet.destination, kInside);
        return Verdict::Reflect();
      }
      return Verdict::Forward();
    }
    if (packet.destination.ip() != kOutside) {
      return Verdict::Drop(DropReason::kNatNoMapping);
    }
    packet.destination = Rewrite(packet.destination, kInside);
    return Verdict::Forward();
  }

 private:
  static TransportAddress Rewrite(const TransportAddress& a,
                                  net::IpAddress ip) {
    return TransportAddress(ip, a.port(), a.protocol());
  }
  const net::IpAddress kInside = Ip("10.0.0.2");
  const net::IpAddress kOutside = Ip("203.0.113.2");
};

struct Got {
  Time time;
  TransportAddress source;
  TransportAddress destination;
};

// inside (10.0.0.2) --2 ms-- [box] --8 ms-- outside (198.51.100.7)
class MiddleboxNodeTest : public ::testing::Test {
 protected:
  void Build(Middlebox* box) {
    lan_ = *Link::Create(sim_, "lan", {.latency = Duration::Milliseconds(2)});
    wan_ = *Link::Create(sim_, "wan", {.latency = Duration::Milliseconds(8)});
    node_ = *MiddleboxNode::Create(sim_, "box", box);
    ASSERT_TRUE(node_->Attach(Side::kInside, *lan_, LinkEnd::kB).ok());
    ASSERT_TRUE(node_->Attach(Side::kOutside, *wan_, LinkEnd::kA).ok());
    inside_ = *Host::Create(sim_, "inside");
    outside_ = *Host::Create(sim_, "outside");
    ASSERT_TRUE(
        inside_->AddInterface(*lan_, LinkEnd::kA, {Ip("10.0.0.2")}).ok());
    ASSERT_TRUE(
        outside_->AddInterface(*wan_, LinkEnd::kB, {Ip("198.51.100.7")}).ok());
    ASSERT_TRUE(inside_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(outside_->SetDefaultRoute(0).ok());
    auto record = [this](std::vector<Got>* into) {
      return [this, into](const net::DatagramView& d) {
        into->push_back({sim_.Now(), d.source, d.destination});
      };
    };
    in_socket_ = *inside_->BindUdp(Addr("0.0.0.0:5000"), record(&at_inside_));
    out_socket_ =
        *outside_->BindUdp(Addr("0.0.0.0:3478"), record(&at_outside_));
  }

  Simulator sim_{1};
  std::unique_ptr<Link> lan_, wan_;
  std::unique_ptr<MiddleboxNode> node_;
  std::unique_ptr<Host> inside_, outside_;
  std::unique_ptr<net::UdpSocket> in_socket_, out_socket_;
  std::vector<Got> at_inside_, at_outside_;
};

TEST_F(MiddleboxNodeTest, PassThroughForwardsBothWays) {
  PassThroughMiddlebox box;
  Build(&box);
  ASSERT_TRUE(in_socket_->SendTo(Addr("198.51.100.7:3478"), {1}).ok());
  ASSERT_TRUE(out_socket_->SendTo(Addr("10.0.0.2:5000"), {2}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_outside_.size(), 1u);
  EXPECT_EQ(at_outside_[0].time,
            Simulator::kEpoch + Duration::Milliseconds(10));
  EXPECT_EQ(at_outside_[0].source, Addr("10.0.0.2:5000"));
  ASSERT_EQ(at_inside_.size(), 1u);
  EXPECT_EQ(at_inside_[0].source, Addr("198.51.100.7:3478"));
}

TEST_F(MiddleboxNodeTest, RewrittenAddressesReachTheOtherSideAndTheTrace) {
  StaticNat nat;
  Build(&nat);
  ASSERT_TRUE(in_socket_->SendTo(Addr("198.51.100.7:3478"), {1}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_outside_.size(), 1u);
  EXPECT_EQ(at_outside_[0].source, Addr("203.0.113.2:5000"));
  // The reply goes to the public address and is translated back.
  ASSERT_TRUE(out_socket_->SendTo(at_outside_[0].source, {2}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_inside_.size(), 1u);
  EXPECT_EQ(at_inside_[0].time, Simulator::kEpoch + Duration::Milliseconds(20));
  EXPECT_EQ(at_inside_[0].destination, Addr("10.0.0.2:5000"));
  EXPECT_NE(sim_.trace().ToText().find(
                "1000.002000000 box forwarded udp 203.0.113.2:5000 "
                "198.51.100.7:3478 id=1 size=29\n"),
            std::string::npos);
}

// Every rewrite is a note about the packet as it arrived, before the
// `forwarded` record of the packet as it leaves (format: middlebox_node.h).
TEST_F(MiddleboxNodeTest, EveryTranslationIsNotedBeforeAndAfter) {
  StaticNat nat;
  Build(&nat);
  ASSERT_TRUE(in_socket_->SendTo(Addr("198.51.100.7:3478"), {1}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_TRUE(out_socket_->SendTo(Addr("203.0.113.2:5000"), {2, 3}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().ToText(),
            "1000.000000000 inside sent udp 10.0.0.2:5000 198.51.100.7:3478 "
            "id=1 size=29\n"
            "1000.002000000 box note udp 10.0.0.2:5000 198.51.100.7:3478 "
            "id=1 size=29 text=translated 10.0.0.2:5000 198.51.100.7:3478 "
            "-> 203.0.113.2:5000 198.51.100.7:3478\n"
            "1000.002000000 box forwarded udp 203.0.113.2:5000 "
            "198.51.100.7:3478 id=1 size=29\n"
            "1000.010000000 outside delivered udp 203.0.113.2:5000 "
            "198.51.100.7:3478 id=1 size=29\n"
            "1000.010000000 outside sent udp 198.51.100.7:3478 "
            "203.0.113.2:5000 id=2 size=30\n"
            "1000.018000000 box note udp 198.51.100.7:3478 203.0.113.2:5000 "
            "id=2 size=30 text=translated 198.51.100.7:3478 203.0.113.2:5000 "
            "-> 198.51.100.7:3478 10.0.0.2:5000\n"
            "1000.018000000 box forwarded udp 198.51.100.7:3478 "
            "10.0.0.2:5000 id=2 size=30\n"
            "1000.020000000 inside delivered udp 198.51.100.7:3478 "
            "10.0.0.2:5000 id=2 size=30\n");
}

TEST_F(MiddleboxNodeTest, AHairpinShowsBothEndpointsRewritten) {
  StaticNat nat;
  Build(&nat);
  ASSERT_TRUE(in_socket_->SendTo(Addr("203.0.113.2:5000"), {1}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_NE(sim_.trace().ToText().find(
                "1000.002000000 box note udp 10.0.0.2:5000 203.0.113.2:5000 "
                "id=1 size=29 text=translated 10.0.0.2:5000 203.0.113.2:5000 "
                "-> 203.0.113.2:5000 10.0.0.2:5000\n"
                "1000.002000000 box forwarded udp 203.0.113.2:5000 "
                "10.0.0.2:5000 id=1 size=29\n"),
            std::string::npos)
      << sim_.trace().ToText();
}

TEST_F(MiddleboxNodeTest, NoNoteWithoutATranslationOrForADrop) {
  PassThroughMiddlebox pass;
  Build(&pass);
  ASSERT_TRUE(in_socket_->SendTo(Addr("198.51.100.7:3478"), {1}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().ToText().find(" note "), std::string::npos);

  Simulator sim(1);
  StaticNat nat;
  auto wan = *Link::Create(sim, "wan", {});
  auto node = *MiddleboxNode::Create(sim, "box", &nat);
  ASSERT_TRUE(node->Attach(Side::kOutside, *wan, LinkEnd::kA).ok());
  auto outside = *Host::Create(sim, "outside");
  ASSERT_TRUE(
      outside->AddInterface(*wan, LinkEnd::kB, {Ip("198.51.100.7")}).ok());
  ASSERT_TRUE(outside->SetDefaultRoute(0).ok());
  {
    // Translated inbound, then refused: the inside side is not attached.
    auto socket = *outside->BindUdp(Addr("0.0.0.0:1"), [](auto&) {});
    ASSERT_TRUE(socket->SendTo(Addr("203.0.113.2:5000"), {1}).ok());
    ASSERT_TRUE(sim.Run().ok());
  }
  EXPECT_EQ(sim.trace().CountDrops(DropReason::kNoRoute), 1u);
  EXPECT_EQ(sim.trace().ToText().find(" note "), std::string::npos)
      << sim.trace().ToText();
}

// Moves the source port up by one: a translation of IPv6 packets.
class PortShift : public Middlebox {
 public:
  Verdict Process(Time, Side, Packet& packet) override {
    packet.source = TransportAddress(
        packet.source.ip(), packet.source.port() + 1, packet.source.protocol());
    return Verdict::Forward();
  }
};

TEST(MiddleboxNodeIpv6Test, NotesWriteIpv6AddressesInBrackets) {
  Simulator sim(1);
  PortShift shift;
  auto lan = *Link::Create(sim, "lan", {});
  auto wan = *Link::Create(sim, "wan", {});
  auto node = *MiddleboxNode::Create(sim, "box", &shift);
  ASSERT_TRUE(node->Attach(Side::kInside, *lan, LinkEnd::kB).ok());
  ASSERT_TRUE(node->Attach(Side::kOutside, *wan, LinkEnd::kA).ok());
  auto a = *Host::Create(sim, "a");
  auto b = *Host::Create(sim, "b");
  ASSERT_TRUE(a->AddInterface(*lan, LinkEnd::kA, {Ip("2001:db8::2")}).ok());
  ASSERT_TRUE(b->AddInterface(*wan, LinkEnd::kB, {Ip("2001:db8:1::7")}).ok());
  ASSERT_TRUE(a->SetDefaultRoute(0).ok());
  auto socket = *a->BindUdp(Addr("[::]:5000"), [](const auto&) {});
  ASSERT_TRUE(socket->SendTo(Addr("[2001:db8:1::7]:9"), {1}).ok());
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_NE(sim.trace().ToText().find(
                "1000.000000000 box note udp [2001:db8::2]:5000 "
                "[2001:db8:1::7]:9 id=1 size=49 text=translated "
                "[2001:db8::2]:5000 [2001:db8:1::7]:9 -> [2001:db8::2]:5001 "
                "[2001:db8:1::7]:9\n"),
            std::string::npos)
      << sim.trace().ToText();
}

TEST_F(MiddleboxNodeTest, ADisabledTraceGetsNoNotes) {
  StaticNat nat;
  Build(&nat);
  sim_.trace().set_enabled(false);
  ASSERT_TRUE(in_socket_->SendTo(Addr("198.51.100.7:3478"), {1}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_outside_.size(), 1u);
  EXPECT_EQ(sim_.trace().record_count(), 0u);
}

TEST_F(MiddleboxNodeTest, ReflectSendsBackTheWayItCame) {
  StaticNat nat;
  Build(&nat);
  ASSERT_TRUE(in_socket_->SendTo(Addr("203.0.113.2:5000"), {1}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_inside_.size(), 1u);
  EXPECT_EQ(at_inside_[0].time, Simulator::kEpoch + Duration::Milliseconds(4));
  EXPECT_EQ(at_inside_[0].source, Addr("203.0.113.2:5000"));
  EXPECT_TRUE(at_outside_.empty());
}

TEST_F(MiddleboxNodeTest, DropsAreRecordedWithTheMiddleboxReason) {
  StaticNat nat;
  Build(&nat);
  ASSERT_TRUE(in_socket_->SendTo(Addr("198.51.100.7:666"), {1}).ok());
  ASSERT_TRUE(out_socket_->SendTo(Addr("203.0.113.99:5000"), {2}).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kFirewallRule), 1u);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kNatNoMapping), 1u);
  EXPECT_TRUE(at_inside_.empty());
  EXPECT_TRUE(at_outside_.empty());
}

TEST(MiddleboxNodeSetupTest, RefusesNoMiddleboxAndDoubleAttachment) {
  Simulator sim(1);
  EXPECT_EQ(MiddleboxNode::Create(sim, "none", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  PassThroughMiddlebox box;
  auto node = *MiddleboxNode::Create(sim, "box", &box);
  auto a = *Link::Create(sim, "a", {});
  auto b = *Link::Create(sim, "b", {});
  ASSERT_TRUE(node->Attach(Side::kInside, *a, LinkEnd::kA).ok());
  EXPECT_EQ(node->Attach(Side::kInside, *b, LinkEnd::kA).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(node->Attach(Side::kOutside, *a, LinkEnd::kA).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace pinhole::sim
