#include "sim/host.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/drop_reason.h"
#include "sim/link.h"
#include "sim/packet.h"
#include "sim/simulator.h"
#include "sim/tcp_handler.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;

constexpr Time kStart = Simulator::kEpoch;

net::IpAddress Ip(const char* text) { return *net::IpAddress::Parse(text); }
TransportAddress Addr(const char* text) {
  return *TransportAddress::Parse(text);
}

struct Received {
  Time time;
  TransportAddress source;
  TransportAddress destination;
  std::string payload;
};

std::vector<uint8_t> Bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// alice (10.0.0.1, 2001:db8::1) --10 ms-- bob (10.0.0.2, 2001:db8::2)
class HostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link_ =
        *Link::Create(sim_, "wire", {.latency = Duration::Milliseconds(10)});
    alice_ = *Host::Create(sim_, "alice");
    bob_ = *Host::Create(sim_, "bob");
    ASSERT_TRUE(alice_
                    ->AddInterface(*link_, LinkEnd::kA,
                                   {Ip("10.0.0.1"), Ip("2001:db8::1")})
                    .ok());
    ASSERT_TRUE(bob_->AddInterface(*link_, LinkEnd::kB,
                                   {Ip("10.0.0.2"), Ip("2001:db8::2")})
                    .ok());
    ASSERT_TRUE(alice_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(bob_->SetDefaultRoute(0).ok());
  }

  std::unique_ptr<net::UdpSocket> Bind(Host& host, const char* address,
                                       std::vector<Received>* into) {
    absl::StatusOr<std::unique_ptr<net::UdpSocket>> socket =
        host.BindUdp(Addr(address), [this, into](const net::DatagramView& d) {
          into->push_back({sim_.Now(), d.source, d.destination,
                           std::string(d.payload.begin(), d.payload.end())});
        });
    EXPECT_TRUE(socket.ok()) << socket.status();
    return socket.ok() ? *std::move(socket) : nullptr;
  }

  Simulator sim_{1};
  std::unique_ptr<Link> link_;
  std::unique_ptr<Host> alice_;
  std::unique_ptr<Host> bob_;
};

TEST_F(HostTest, DeliversADatagramAfterTheLinkLatency) {
  std::vector<Received> got;
  auto a = Bind(*alice_, "10.0.0.1:5000", nullptr);
  auto b = Bind(*bob_, "10.0.0.2:6000", &got);
  ASSERT_TRUE(a->SendTo(Addr("10.0.0.2:6000"), Bytes("hello")).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].time, kStart + Duration::Milliseconds(10));
  EXPECT_EQ(got[0].source, Addr("10.0.0.1:5000"));
  EXPECT_EQ(got[0].destination, Addr("10.0.0.2:6000"));
  EXPECT_EQ(got[0].payload, "hello");
  EXPECT_EQ(sim_.trace().ToText(),
            "1000.000000000 alice sent udp 10.0.0.1:5000 10.0.0.2:6000 id=1 "
            "size=33\n"
            "1000.010000000 bob delivered udp 10.0.0.1:5000 10.0.0.2:6000 id=1 "
            "size=33\n");
}

TEST_F(HostTest, WildcardSocketsSeeTheAddressTheDatagramWasSentTo) {
  std::vector<Received> got;
  auto b4 = Bind(*bob_, "0.0.0.0:7000", &got);
  auto b6 = Bind(*bob_, "[::]:7000", &got);
  auto a = Bind(*alice_, "0.0.0.0:0", nullptr);
  auto a6 = Bind(*alice_, "[::]:0", nullptr);
  ASSERT_TRUE(a->SendTo(Addr("10.0.0.2:7000"), Bytes("v4")).ok());
  ASSERT_TRUE(a6->SendTo(Addr("[2001:db8::2]:7000"), Bytes("v6")).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].source, Addr("10.0.0.1:49152"));  // Source chosen by route.
  EXPECT_EQ(got[0].destination, Addr("10.0.0.2:7000"));
  EXPECT_EQ(got[1].source, Addr("[2001:db8::1]:49153"));
  EXPECT_EQ(got[1].destination, Addr("[2001:db8::2]:7000"));
}

TEST_F(HostTest, PortZeroTakesEphemeralPortsInOrder) {
  auto first = Bind(*alice_, "10.0.0.1:0", nullptr);
  auto taken = Bind(*alice_, "10.0.0.1:49153", nullptr);
  auto second = Bind(*alice_, "10.0.0.1:0", nullptr);
  EXPECT_EQ(first->local_address(), Addr("10.0.0.1:49152"));
  EXPECT_EQ(second->local_address(), Addr("10.0.0.1:49154"));  // Skips 49153.
}

TEST_F(HostTest, BindFailsForForeignAddressesTakenPortsAndTcp) {
  auto noop = [](const net::DatagramView&) {};
  EXPECT_EQ(alice_->BindUdp(Addr("10.0.0.2:1"), noop).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(alice_->BindUdp(Addr("10.0.0.1:1/tcp"), noop).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto specific = Bind(*alice_, "10.0.0.1:3478", nullptr);
  EXPECT_EQ(alice_->BindUdp(Addr("10.0.0.1:3478"), noop).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(alice_->BindUdp(Addr("0.0.0.0:3478"), noop).status().code(),
            absl::StatusCode::kAlreadyExists);
  // IPv6 wildcards cover IPv6 only.
  EXPECT_TRUE(alice_->BindUdp(Addr("[::]:3478"), noop).ok());
  auto wildcard = Bind(*alice_, "0.0.0.0:3479", nullptr);
  EXPECT_EQ(alice_->BindUdp(Addr("10.0.0.1:3479"), noop).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(HostTest, DestroyingASocketUnbindsIt) {
  auto socket = Bind(*alice_, "10.0.0.1:3478", nullptr);
  socket.reset();
  EXPECT_NE(Bind(*alice_, "10.0.0.1:3478", nullptr), nullptr);
  auto wildcard = Bind(*alice_, "0.0.0.0:4000", nullptr);
  wildcard.reset();
  EXPECT_NE(Bind(*alice_, "10.0.0.1:4000", nullptr), nullptr);
}

TEST_F(HostTest, DatagramToAPortWithoutSocketIsPortUnreachable) {
  auto a = Bind(*alice_, "10.0.0.1:5000", nullptr);
  ASSERT_TRUE(a->SendTo(Addr("10.0.0.2:9"), Bytes("x")).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(sim_.trace().CountDrops(DropReason::kPortUnreachable), 1u);
  const Trace::Record& drop = sim_.trace().last_record();
  EXPECT_EQ(drop.time, kStart + Duration::Milliseconds(10));
  EXPECT_EQ(sim_.trace().node_name(drop.node), "bob");
}

TEST_F(HostTest, SendToFailsForWrongFamilyProtocolOrSize) {
  auto a = Bind(*alice_, "10.0.0.1:5000", nullptr);
  EXPECT_EQ(a->SendTo(Addr("[2001:db8::2]:1"), Bytes("x")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a->SendTo(Addr("10.0.0.2:1/tcp"), Bytes("x")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a->SendTo(Addr("10.0.0.2:0"), Bytes("x")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a->SendTo(Addr("10.0.0.2:1"), std::vector<uint8_t>(65508)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(a->SendTo(Addr("10.0.0.2:1"), std::vector<uint8_t>(1000)).ok());
}

TEST(HostRoutingTest, SendToFailsWithoutARoute) {
  Simulator sim(1);
  auto link = *Link::Create(sim, "wire", {});
  auto host = *Host::Create(sim, "h");
  ASSERT_TRUE(host->AddInterface(*link, LinkEnd::kA, {Ip("10.0.0.1")}).ok());
  ASSERT_TRUE(host->AddRoute(*net::IpPrefix::Parse("10.0.0.0/24"), 0).ok());
  auto socket =
      *host->BindUdp(Addr("0.0.0.0:0"), [](const net::DatagramView&) {});
  EXPECT_TRUE(socket->SendTo(Addr("10.0.0.9:1"), Bytes("x")).ok());
  EXPECT_EQ(socket->SendTo(Addr("192.0.2.1:1"), Bytes("x")).code(),
            absl::StatusCode::kUnavailable);
  auto socket6 =
      *host->BindUdp(Addr("[::]:0"), [](const net::DatagramView&) {});
  EXPECT_EQ(socket6->SendTo(Addr("[2001:db8::9]:1"), Bytes("x")).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(host->AddRoute(*net::IpPrefix::Parse("10.0.0.0/24"), 0).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(host->AddRoute(*net::IpPrefix::Parse("10.1.0.0/24"), 1).code(),
            absl::StatusCode::kInvalidArgument);
}

// A host with two interfaces sends by longest prefix, from the address of the
// interface it picks.
TEST(HostRoutingTest, PicksTheInterfaceAndSourceByRoute) {
  Simulator sim(1);
  auto lan = *Link::Create(sim, "lan", {.latency = Duration::Milliseconds(1)});
  auto wan = *Link::Create(sim, "wan", {.latency = Duration::Milliseconds(20)});
  auto multi = *Host::Create(sim, "multi");
  auto near = *Host::Create(sim, "near");
  auto far = *Host::Create(sim, "far");
  ASSERT_TRUE(
      multi->AddInterface(*wan, LinkEnd::kA, {Ip("198.51.100.1")}).ok());
  ASSERT_TRUE(multi->AddInterface(*lan, LinkEnd::kA, {Ip("192.168.1.1")}).ok());
  ASSERT_TRUE(near->AddInterface(*lan, LinkEnd::kB, {Ip("192.168.1.2")}).ok());
  ASSERT_TRUE(far->AddInterface(*wan, LinkEnd::kB, {Ip("203.0.113.9")}).ok());
  ASSERT_TRUE(multi->SetDefaultRoute(0).ok());
  ASSERT_TRUE(multi->AddRoute(*net::IpPrefix::Parse("192.168.1.0/24"), 1).ok());
  std::vector<std::pair<Time, TransportAddress>> got;
  auto record = [&](const net::DatagramView& d) {
    got.push_back({sim.Now(), d.source});
  };
  auto near_socket = *near->BindUdp(Addr("0.0.0.0:7"), record);
  auto far_socket = *far->BindUdp(Addr("0.0.0.0:7"), record);
  auto socket =
      *multi->BindUdp(Addr("0.0.0.0:1000"), [](const net::DatagramView&) {});
  ASSERT_TRUE(socket->SendTo(Addr("203.0.113.9:7"), Bytes("far")).ok());
  ASSERT_TRUE(socket->SendTo(Addr("192.168.1.2:7"), Bytes("near")).ok());
  ASSERT_TRUE(sim.Run().ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, kStart + Duration::Milliseconds(1));
  EXPECT_EQ(got[0].second, Addr("192.168.1.1:1000"));
  EXPECT_EQ(got[1].first, kStart + Duration::Milliseconds(20));
  EXPECT_EQ(got[1].second, Addr("198.51.100.1:1000"));
}

// A host on two networks (Wi-Fi and cellular), with the default route on
// the first: a socket bound to the second's address reaches the Internet
// through the second; a more specific route still decides for its prefix.
TEST(HostRoutingTest, DefaultRouteTrafficLeavesByTheBoundAddresssInterface) {
  Simulator sim(1);
  auto wifi =
      *Link::Create(sim, "wifi", {.latency = Duration::Milliseconds(1)});
  auto lte = *Link::Create(sim, "lte", {.latency = Duration::Milliseconds(30)});
  auto phone = *Host::Create(sim, "phone");
  auto via_wifi = *Host::Create(sim, "via-wifi");
  auto via_lte = *Host::Create(sim, "via-lte");
  ASSERT_TRUE(
      phone->AddInterface(*wifi, LinkEnd::kA, {Ip("192.168.1.2")}).ok());
  ASSERT_TRUE(phone->AddInterface(*lte, LinkEnd::kA, {Ip("10.20.0.2")}).ok());
  ASSERT_TRUE(
      via_wifi->AddInterface(*wifi, LinkEnd::kB, {Ip("203.0.113.9")}).ok());
  ASSERT_TRUE(
      via_lte->AddInterface(*lte, LinkEnd::kB, {Ip("198.51.100.9")}).ok());
  ASSERT_TRUE(phone->SetDefaultRoute(0).ok());
  ASSERT_TRUE(phone->AddRoute(*net::IpPrefix::Parse("203.0.113.0/24"), 0).ok());
  std::vector<std::string> got;
  auto record = [&](const std::string& who) {
    return [&got, who](const net::DatagramView& d) {
      got.push_back(who + " " + d.source.ToString());
    };
  };
  auto wifi_end = *via_wifi->BindUdp(Addr("0.0.0.0:7"), record("wifi"));
  auto lte_end = *via_lte->BindUdp(Addr("0.0.0.0:7"), record("lte"));
  auto on_lte =
      *phone->BindUdp(Addr("10.20.0.2:1000"), [](const net::DatagramView&) {});
  // Only the default route leads to 198.51.100.9: out by LTE.
  ASSERT_TRUE(on_lte->SendTo(Addr("198.51.100.9:7"), Bytes("a")).ok());
  // 203.0.113.0/24 is routed by Wi-Fi: that route wins.
  ASSERT_TRUE(on_lte->SendTo(Addr("203.0.113.9:7"), Bytes("b")).ok());
  ASSERT_TRUE(sim.Run().ok());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"lte 10.20.0.2:1000/udp",
                                           "wifi 10.20.0.2:1000/udp"}));
}

TEST_F(HostTest, DatagramsToItselfArriveInALaterEventOfTheSameInstant) {
  std::vector<Received> got;
  auto receiver = Bind(*alice_, "10.0.0.1:7000", &got);
  auto sender = Bind(*alice_, "0.0.0.0:7001", nullptr);
  ASSERT_TRUE(sender->SendTo(Addr("10.0.0.1:7000"), Bytes("me")).ok());
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].time, kStart);
  EXPECT_EQ(got[0].source, Addr("10.0.0.1:7001"));
}

TEST_F(HostTest, ASocketMayDestroyItselfFromItsCallback) {
  std::unique_ptr<net::UdpSocket> b;
  int received = 0;
  b = *bob_->BindUdp(Addr("10.0.0.2:6000"), [&](const net::DatagramView&) {
    ++received;
    b.reset();
  });
  auto a = Bind(*alice_, "10.0.0.1:5000", nullptr);
  ASSERT_TRUE(a->SendTo(Addr("10.0.0.2:6000"), Bytes("1")).ok());
  ASSERT_TRUE(a->SendTo(Addr("10.0.0.2:6000"), Bytes("2")).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(received, 1);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kPortUnreachable), 1u);
}

TEST_F(HostTest, NetworkSeamGivesClockTimersRandomAndAddresses) {
  net::Network& network = *alice_;
  EXPECT_EQ(&network.clock(), &sim_);
  EXPECT_EQ(network.random().NextUint64(),
            sim_.RandomStream("host/alice").NextUint64());
  EXPECT_EQ(network.LocalAddresses(),
            (std::vector<net::IpAddress>{Ip("10.0.0.1"), Ip("2001:db8::1")}));
  std::vector<Time> fired;
  std::unique_ptr<net::Timer> timer =
      network.CreateTimer([&] { fired.push_back(sim_.Now()); });
  timer->SetAt(kStart + Duration::Milliseconds(7));
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(fired, std::vector<Time>{kStart + Duration::Milliseconds(7)});
}

TEST_F(HostTest, AddInterfaceRefusesBadAddressesAndTakenLinkEnds) {
  auto other = *Link::Create(sim_, "other", {});
  EXPECT_EQ(alice_->AddInterface(*other, LinkEnd::kA, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(alice_->AddInterface(*other, LinkEnd::kA, {Ip("0.0.0.0")})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(alice_->AddInterface(*other, LinkEnd::kA, {Ip("10.0.0.1")})
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(alice_->AddInterface(*link_, LinkEnd::kA, {Ip("10.9.9.9")})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Host::Create(sim_, "alice").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(HostTest, InterfaceTapsSeeBothDirections) {
  std::vector<uint64_t> seen;
  ASSERT_TRUE(alice_
                  ->AddInterfaceTap(
                      0, [&](Time, const Packet& p) { seen.push_back(p.id); })
                  .ok());
  EXPECT_FALSE(alice_->AddInterfaceTap(3, [](Time, const Packet&) {}).ok());
  std::vector<Received> ignored;
  auto a = Bind(*alice_, "10.0.0.1:5000", &ignored);
  auto b = Bind(*bob_, "10.0.0.2:6000", &ignored);
  ASSERT_TRUE(a->SendTo(Addr("10.0.0.2:6000"), Bytes("ping")).ok());
  ASSERT_TRUE(b->SendTo(Addr("10.0.0.1:5000"), Bytes("pong")).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));
}

class RecordingTcpHandler : public TcpHandler {
 public:
  void HandlePacket(Packet packet) override {
    packets.push_back(std::move(packet));
  }
  absl::StatusOr<std::unique_ptr<net::TcpListener>> Listen(
      const TransportAddress&, net::TcpListener::AcceptCallback) override {
    return absl::PermissionDeniedError("listen reached the handler");
  }
  absl::StatusOr<std::unique_ptr<net::TcpStream>> Connect(
      const TransportAddress&, const TransportAddress&,
      net::TcpStream::Callbacks) override {
    return absl::PermissionDeniedError("connect reached the handler");
  }
  std::vector<Packet> packets;
};

TEST_F(HostTest, TcpIsUnimplementedWithoutAHandler) {
  EXPECT_EQ(alice_->ListenTcp(Addr("10.0.0.1:80/tcp"), nullptr).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(
      alice_->ConnectTcp(Addr("0.0.0.0:0/tcp"), Addr("10.0.0.2:80/tcp"), {})
          .status()
          .code(),
      absl::StatusCode::kUnimplemented);
  Packet syn;
  syn.source = Addr("0.0.0.0:40000/tcp");
  syn.destination = Addr("10.0.0.2:80/tcp");
  syn.tcp.flags = TcpHeader::kSyn;
  ASSERT_TRUE(alice_->SendPacket(syn).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kPortUnreachable), 1u);
}

TEST_F(HostTest, SendPacketRefusesMismatchedPackets) {
  Packet p;
  p.source = Addr("10.0.0.1:1/tcp");
  p.destination = Addr("10.0.0.2:2/udp");
  EXPECT_EQ(alice_->SendPacket(p).code(), absl::StatusCode::kInvalidArgument);
  p.destination = Addr("[2001:db8::2]:2/tcp");
  EXPECT_EQ(alice_->SendPacket(p).code(), absl::StatusCode::kInvalidArgument);
  p.source = Addr("10.0.0.1:1/tls");
  p.destination = Addr("10.0.0.2:2/tls");
  EXPECT_EQ(alice_->SendPacket(p).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sim_.trace().record_count(), 0u);
}

TEST_F(HostTest, TcpGoesToTheHandler) {
  auto handler = std::make_unique<RecordingTcpHandler>();
  RecordingTcpHandler* bob_tcp = handler.get();
  bob_->SetTcpHandler(std::move(handler));
  EXPECT_EQ(bob_->ListenTcp(Addr("10.0.0.2:80/tcp"), nullptr).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(bob_->ConnectTcp(Addr("0.0.0.0:0/tcp"), Addr("10.0.0.1:80/tcp"), {})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  Packet syn;
  syn.source = Addr("0.0.0.0:40000/tcp");
  syn.destination = Addr("10.0.0.2:80/tcp");
  syn.tcp.flags = TcpHeader::kSyn;
  ASSERT_TRUE(alice_->SendPacket(syn).ok());
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(bob_tcp->packets.size(), 1u);
  EXPECT_EQ(bob_tcp->packets[0].source, Addr("10.0.0.1:40000/tcp"));
  EXPECT_EQ(bob_tcp->packets[0].tcp.flags, TcpHeader::kSyn);
  EXPECT_EQ(bob_tcp->packets[0].id, 1u);
}

}  // namespace
}  // namespace pinhole::sim
