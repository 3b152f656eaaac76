// HostTcp across middleboxes: a stream through a home NAT behind a
// carrier-grade NAT, and firewall presets that refuse or admit connections,
// each refusal visible in the trace with its reason.
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/drop_reason.h"
#include "sim/firewall/firewall.h"
#include "sim/firewall/firewall_presets.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/middlebox.h"
#include "sim/middlebox_node.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_presets.h"
#include "sim/router.h"
#include "sim/simulator.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tcp/stream_recorder.h"

namespace pinhole::sim::tcp {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;

constexpr Time kT0 = Simulator::kEpoch;
// The SYN retry schedule of the default Config: connect gives up at 127 s,
// after 7 SYNs.
constexpr Duration kConnectTimeout = Duration::Seconds(127);
constexpr size_t kSynsSent = 7;

net::IpAddress Ip(const char* text) { return *net::IpAddress::Parse(text); }
TransportAddress Addr(const char* text) {
  return *TransportAddress::Parse(text, net::TransportProtocol::kTcp);
}
absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

// Accepts every stream at one address, recording what each one reports.
class Server {
 public:
  Server(Host& host, const char* local) : host_(host) {
    listener_ = *host.ListenTcp(
        Addr(local), [this](std::unique_ptr<net::TcpStream> stream) {
          logs_.push_back(std::make_unique<StreamRecorder>(host_.clock()));
          stream->SetCallbacks(logs_.back()->Callbacks());
          streams_.push_back(std::move(stream));
        });
  }
  size_t accepted() const { return streams_.size(); }
  net::TcpStream& stream(size_t i) { return *streams_[i]; }
  StreamRecorder& log(size_t i) { return *logs_[i]; }

 private:
  Host& host_;
  std::vector<std::unique_ptr<StreamRecorder>> logs_;
  std::unique_ptr<net::TcpListener> listener_;
  std::vector<std::unique_ptr<net::TcpStream>> streams_;
};

// client 192.168.1.2 ──lan 1 ms── home NAT (port_restricted_cone, outside
// 100.64.0.2) ──access 2 ms── CGN (carrier_grade, outside 203.0.113.1)
// ──wan 5 ms── router ──dmz 2 ms── server 198.51.100.1. One way: 10 ms.
class NatChainTest : public ::testing::Test {
 protected:
  static constexpr Duration kOneWay = Duration::Milliseconds(10);

  void SetUp() override {
    lan_ = Wire("lan", 1);
    access_ = Wire("access", 2);
    wan_ = Wire("wan", 5);
    dmz_ = Wire("dmz", 2);
    home_nat_ = *Nat::Create(*NatPreset("port_restricted_cone"),
                             {Ip("100.64.0.2")}, home_random_);
    cgn_ = *Nat::Create(*NatPreset("carrier_grade"), {Ip("203.0.113.1")},
                        cgn_random_);
    home_ = *MiddleboxNode::Create(sim_, "home", home_nat_.get());
    cgn_node_ = *MiddleboxNode::Create(sim_, "cgn", cgn_.get());
    ASSERT_TRUE(home_->Attach(Side::kInside, *lan_, LinkEnd::kB).ok());
    ASSERT_TRUE(home_->Attach(Side::kOutside, *access_, LinkEnd::kA).ok());
    ASSERT_TRUE(cgn_node_->Attach(Side::kInside, *access_, LinkEnd::kB).ok());
    ASSERT_TRUE(cgn_node_->Attach(Side::kOutside, *wan_, LinkEnd::kA).ok());
    router_ = *Router::Create(sim_, "router");
    ASSERT_TRUE(router_
                    ->AddInterface(*wan_, LinkEnd::kB,
                                   {*net::IpPrefix::Parse("203.0.113.0/24")})
                    .ok());
    ASSERT_TRUE(router_
                    ->AddInterface(*dmz_, LinkEnd::kA,
                                   {*net::IpPrefix::Parse("198.51.100.0/24")})
                    .ok());
    client_ = *Host::Create(sim_, "client");
    server_ = *Host::Create(sim_, "server");
    ASSERT_TRUE(
        client_->AddInterface(*lan_, LinkEnd::kA, {Ip("192.168.1.2")}).ok());
    ASSERT_TRUE(
        server_->AddInterface(*dmz_, LinkEnd::kB, {Ip("198.51.100.1")}).ok());
    ASSERT_TRUE(client_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(server_->SetDefaultRoute(0).ok());
    InstallTcp(*client_);
    InstallTcp(*server_);
  }

  std::unique_ptr<Link> Wire(const char* name, int ms) {
    return *Link::Create(sim_, name, {.latency = Duration::Milliseconds(ms)});
  }

  Simulator sim_{3};
  net::DeterministicRandom home_random_ = sim_.RandomStream("nat/home");
  net::DeterministicRandom cgn_random_ = sim_.RandomStream("nat/cgn");
  std::unique_ptr<Link> lan_, access_, wan_, dmz_;
  std::unique_ptr<Nat> home_nat_, cgn_;
  std::unique_ptr<MiddleboxNode> home_, cgn_node_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Host> client_, server_;
};

TEST_F(NatChainTest, StreamCrossesHomeNatAndCarrierGradeNat) {
  Server server(*server_, "0.0.0.0:443");
  StreamRecorder log(sim_);
  auto client = *client_->ConnectTcp(Addr("0.0.0.0:0"),
                                     Addr("198.51.100.1:443"), log.Callbacks());
  ASSERT_TRUE(client->Write(Bytes("GET / HTTP/1.0\r\n\r\n")).ok());
  ASSERT_TRUE(sim_.RunUntil(
      [&] { return server.accepted() == 1 && !server.log(0).data.empty(); },
      kT0 + Duration::Seconds(10)));
  EXPECT_EQ(log.connected_at, kT0 + 2 * kOneWay);
  EXPECT_EQ(server.log(0).data, "GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(client->local_address(), Addr("192.168.1.2:49152"));

  // The server sees the CGN's external address, at the port the CGN mapped
  // the home NAT's mapping to.
  const TransportAddress peer = server.stream(0).remote_address();
  EXPECT_EQ(peer.ip(), Ip("203.0.113.1"));
  const std::optional<Nat::MappingView> home_mapping = home_nat_->FindMapping(
      sim_.Now(), Addr("192.168.1.2:49152"), Addr("198.51.100.1:443"));
  ASSERT_TRUE(home_mapping.has_value());
  EXPECT_EQ(home_mapping->external.ip(), Ip("100.64.0.2"));
  const std::optional<Nat::MappingView> cgn_mapping = cgn_->FindMapping(
      sim_.Now(), home_mapping->external, Addr("198.51.100.1:443"));
  ASSERT_TRUE(cgn_mapping.has_value());
  EXPECT_EQ(cgn_mapping->external, peer);

  // The reply comes back through both NATs.
  const std::string reply(5000, 'r');
  ASSERT_TRUE(server.stream(0).Write(Bytes(reply)).ok());
  server.stream(0).Close();
  ASSERT_TRUE(sim_.RunUntil([&] { return log.is_closed(); },
                            sim_.Now() + Duration::Seconds(10)));
  EXPECT_EQ(log.data, reply);
  EXPECT_TRUE(log.closed->ok()) << *log.closed;
  client->Close();
  ASSERT_TRUE(sim_.RunUntil([&] { return server.log(0).is_closed(); },
                            sim_.Now() + Duration::Seconds(10)));
  EXPECT_TRUE(server.log(0).closed->ok());
  for (DropReason reason :
       {DropReason::kNatNoMapping, DropReason::kNatFilteredByAddress,
        DropReason::kNatFilteredByPort, DropReason::kNoRoute}) {
    EXPECT_EQ(sim_.trace().CountDrops(reason), 0u) << reason;
  }
}

TEST_F(NatChainTest, UnsolicitedConnectionsAreDroppedByTheRightNat) {
  Server server(*server_, "0.0.0.0:443");
  Server client_server(*client_, "0.0.0.0:49152");  // Would accept, if asked.
  StreamRecorder log(sim_);
  auto client = *client_->ConnectTcp(Addr("0.0.0.0:0"),
                                     Addr("198.51.100.1:443"), log.Callbacks());
  ASSERT_TRUE(sim_.RunUntil([&] { return server.accepted() == 1; },
                            kT0 + Duration::Seconds(1)));
  const TransportAddress mapped = server.stream(0).remote_address();

  // To a CGN port with no mapping: the CGN drops it.
  StreamRecorder unmapped(sim_);
  const TransportAddress no_mapping(mapped.ip(), mapped.port() == 1 ? 2 : 1,
                                    net::TransportProtocol::kTcp);
  auto a =
      *server_->ConnectTcp(Addr("0.0.0.0:0"), no_mapping, unmapped.Callbacks());
  // To the mapped port, from another server port: the CGN filters
  // independently of the endpoint and lets it in; the home NAT filters by
  // address and port and drops it.
  StreamRecorder filtered(sim_);
  auto b = *server_->ConnectTcp(Addr("198.51.100.1:8443"), mapped,
                                filtered.Callbacks());
  const Time start = sim_.Now();
  ASSERT_TRUE(sim_.RunUntil(
      [&] { return unmapped.is_closed() && filtered.is_closed(); },
      start + Duration::Seconds(200)));
  EXPECT_EQ(unmapped.closed_at, start + kConnectTimeout);
  EXPECT_EQ(unmapped.closed->code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(filtered.closed_at, start + kConnectTimeout);
  EXPECT_EQ(filtered.closed->code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kNatNoMapping), kSynsSent);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kNatFilteredByPort), kSynsSent);
  EXPECT_NE(sim_.trace().ToText().find(" home dropped tcp 198.51.100.1:8443 "
                                       "100.64.0.2:"),
            std::string::npos);
  EXPECT_EQ(client_server.accepted(), 0u);
  EXPECT_FALSE(log.is_closed());  // The first connection is unharmed.
}

// inside 10.0.0.2 ──lan 2 ms── firewall ──wan 8 ms── outside 198.51.100.7.
struct FirewallCase {
  const char* preset;
  bool inbound;   // Outside connects to inside; otherwise inside to outside.
  uint16_t port;  // Listened on by the callee.
  bool connects;
};

std::ostream& operator<<(std::ostream& os, const FirewallCase& c) {
  return os << c.preset << (c.inbound ? "_inbound_" : "_outbound_") << c.port;
}

class FirewallTest : public ::testing::TestWithParam<FirewallCase> {
 protected:
  static constexpr Duration kOneWay = Duration::Milliseconds(10);

  void SetUp() override {
    firewall_ = *Firewall::Create(*FirewallPreset(GetParam().preset));
    lan_ = *Link::Create(sim_, "lan", {.latency = Duration::Milliseconds(2)});
    wan_ = *Link::Create(sim_, "wan", {.latency = Duration::Milliseconds(8)});
    node_ = *MiddleboxNode::Create(sim_, "fw", firewall_.get());
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
    InstallTcp(*inside_);
    InstallTcp(*outside_);
  }

  Simulator sim_{5};
  std::unique_ptr<Firewall> firewall_;
  std::unique_ptr<Link> lan_, wan_;
  std::unique_ptr<MiddleboxNode> node_;
  std::unique_ptr<Host> inside_, outside_;
};

TEST_P(FirewallTest, ConnectsOrIsRefusedWithItsReasonInTheTrace) {
  const FirewallCase& c = GetParam();
  Host& caller = c.inbound ? *outside_ : *inside_;
  Host& callee = c.inbound ? *inside_ : *outside_;
  const net::IpAddress callee_ip =
      c.inbound ? Ip("10.0.0.2") : Ip("198.51.100.7");
  Server listening(callee,
                   (std::string("0.0.0.0:") + std::to_string(c.port)).c_str());
  StreamRecorder log(sim_);
  auto stream = *caller.ConnectTcp(
      Addr("0.0.0.0:0"),
      TransportAddress(callee_ip, c.port, net::TransportProtocol::kTcp),
      log.Callbacks());
  ASSERT_TRUE(stream->Write(Bytes("ping")).ok());
  ASSERT_TRUE(sim_.RunUntil(
      [&] {
        return log.is_closed() ||
               (listening.accepted() == 1 && listening.log(0).data == "ping");
      },
      kT0 + Duration::Seconds(200)));
  if (c.connects) {
    EXPECT_EQ(log.connected_at, kT0 + 2 * kOneWay);
    ASSERT_TRUE(listening.stream(0).Write(Bytes("pong")).ok());
    ASSERT_TRUE(sim_.RunUntil([&] { return log.data == "pong"; },
                              sim_.Now() + Duration::Seconds(1)));
    EXPECT_EQ(sim_.trace().CountDrops(DropReason::kFirewallRule), 0u);
    return;
  }
  EXPECT_EQ(log.closed_at, kT0 + kConnectTimeout);
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(listening.accepted(), 0u);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kFirewallRule), kSynsSent);
  const std::string first_drop = std::string("1000.00") +
                                 (c.inbound ? "8" : "2") +
                                 "000000 fw dropped tcp " +
                                 (c.inbound ? "198.51.100.7:49152 10.0.0.2:"
                                            : "10.0.0.2:49152 198.51.100.7:") +
                                 std::to_string(c.port);
  const std::string text = sim_.trace().ToText();
  const size_t at = text.find(first_drop);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_NE(text.find("reason=firewall rule\n", at), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Presets, FirewallTest,
    ::testing::Values(FirewallCase{"open", true, 80, true},
                      FirewallCase{"block_inbound", true, 80, false},
                      FirewallCase{"block_inbound", false, 80, true},
                      FirewallCase{"web_only", false, 3478, false},
                      FirewallCase{"web_only", false, 443, true},
                      FirewallCase{"web_only", true, 443, false},
                      FirewallCase{"block_udp", false, 3478, true},
                      FirewallCase{"block_udp", true, 3478, false}),
    [](const ::testing::TestParamInfo<FirewallCase>& info) {
      std::ostringstream name;
      name << info.param;
      return name.str();
    });

// block_udp: the same port that TCP reaches refuses UDP.
TEST(FirewallUdpTest, BlockUdpRefusesDatagramsButNotStreams) {
  Simulator sim(9);
  auto firewall = *Firewall::Create(*FirewallPreset("block_udp"));
  auto lan = *Link::Create(sim, "lan", {.latency = Duration::Milliseconds(2)});
  auto wan = *Link::Create(sim, "wan", {.latency = Duration::Milliseconds(8)});
  auto node = *MiddleboxNode::Create(sim, "fw", firewall.get());
  ASSERT_TRUE(node->Attach(Side::kInside, *lan, LinkEnd::kB).ok());
  ASSERT_TRUE(node->Attach(Side::kOutside, *wan, LinkEnd::kA).ok());
  auto inside = *Host::Create(sim, "inside");
  auto outside = *Host::Create(sim, "outside");
  ASSERT_TRUE(inside->AddInterface(*lan, LinkEnd::kA, {Ip("10.0.0.2")}).ok());
  ASSERT_TRUE(
      outside->AddInterface(*wan, LinkEnd::kB, {Ip("198.51.100.7")}).ok());
  ASSERT_TRUE(inside->SetDefaultRoute(0).ok());
  ASSERT_TRUE(outside->SetDefaultRoute(0).ok());
  InstallTcp(*inside);
  InstallTcp(*outside);
  int datagrams = 0;
  auto udp_server =
      *outside->BindUdp(*TransportAddress::Parse("0.0.0.0:3478"),
                        [&](const net::DatagramView&) { ++datagrams; });
  auto udp_client =
      *inside->BindUdp(*TransportAddress::Parse("0.0.0.0:0"), nullptr);
  ASSERT_TRUE(udp_client
                  ->SendTo(*TransportAddress::Parse("198.51.100.7:3478"),
                           Bytes("binding"))
                  .ok());
  Server tcp_server(*outside, "0.0.0.0:3478");
  StreamRecorder log(sim);
  auto stream = *inside->ConnectTcp(Addr("0.0.0.0:0"),
                                    Addr("198.51.100.7:3478"), log.Callbacks());
  ASSERT_TRUE(sim.RunUntil([&] { return log.connected_count == 1; },
                           kT0 + Duration::Seconds(1)));
  EXPECT_EQ(datagrams, 0);
  EXPECT_EQ(sim.trace().CountDrops(DropReason::kFirewallRule), 1u);
  EXPECT_NE(sim.trace().ToText().find(
                "fw dropped udp 10.0.0.2:49152 198.51.100.7:3478"),
            std::string::npos);
}

}  // namespace
}  // namespace pinhole::sim::tcp
