// TURN over TLS in the simulator: a client on a network whose firewall lets
// out only TCP to ports 80 and 443 (the preset "web_only") allocates on a
// `TurnService` listening for TURN over TLS on TCP 443 (RFC 8656 §3.1), and
// relays to a UDP peer and back. The TLS is real (sim/tls), and the same seed
// replays the same trace and capture.
//
//   client 10.0.0.2 --lan 5 ms-- firewall (web_only) --wan 10 ms--
//     server 198.51.100.1 --dc 5 ms-- peer 203.0.113.50
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/capture/pcap_capture.h"
#include "sim/drop_reason.h"
#include "sim/firewall/firewall.h"
#include "sim/firewall/firewall_presets.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/middlebox.h"
#include "sim/middlebox_node.h"
#include "sim/simulator.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tls/install_tls.h"
#include "turn/client.h"
#include "turn/client_config.h"
#include "turn/client_driver.h"
#include "turn/client_event.h"
#include "turn/server.h"
#include "turn/service.h"

namespace pinhole::turn {
namespace {

using net::Duration;
using net::TransportAddress;
using Kind = TurnClientEvent::Kind;

net::IpAddress Ip(const char* text) { return *net::IpAddress::Parse(text); }

const net::IpAddress kClientIp = Ip("10.0.0.2");
const net::IpAddress kServerIp = Ip("198.51.100.1");
const net::IpAddress kPeerIp = Ip("203.0.113.50");
const TransportAddress kTurnsServer(kServerIp, 443,
                                    net::TransportProtocol::kTls);

std::vector<uint8_t> Message(int i) {
  std::vector<uint8_t> bytes(static_cast<size_t>(i) * 151 + 3);
  for (size_t k = 0; k < bytes.size(); ++k) {
    bytes[k] = static_cast<uint8_t>(i * 13 + k * 5);
  }
  return bytes;
}

class TlsRelayWorld {
 public:
  explicit TlsRelayWorld(uint64_t seed) : sim_(seed) {}

  void Build(bool tls_client = true) {
    firewall_ = *sim::Firewall::Create(*sim::FirewallPreset("web_only"));
    lan_ =
        *sim::Link::Create(sim_, "lan", {.latency = Duration::Milliseconds(5)});
    wan_ = *sim::Link::Create(sim_, "wan",
                              {.latency = Duration::Milliseconds(10)});
    dc_ =
        *sim::Link::Create(sim_, "dc", {.latency = Duration::Milliseconds(5)});
    fw_node_ = *sim::MiddleboxNode::Create(sim_, "fw", firewall_.get());
    ASSERT_TRUE(
        fw_node_->Attach(sim::Side::kInside, *lan_, sim::LinkEnd::kB).ok());
    ASSERT_TRUE(
        fw_node_->Attach(sim::Side::kOutside, *wan_, sim::LinkEnd::kA).ok());
    client_ = *sim::Host::Create(sim_, "client");
    server_ = *sim::Host::Create(sim_, "server");
    peer_host_ = *sim::Host::Create(sim_, "peer");
    ASSERT_TRUE(
        client_->AddInterface(*lan_, sim::LinkEnd::kA, {kClientIp}).ok());
    ASSERT_TRUE(
        server_->AddInterface(*wan_, sim::LinkEnd::kB, {kServerIp}).ok());
    const int dc =
        *server_->AddInterface(*dc_, sim::LinkEnd::kA, {Ip("203.0.113.1")});
    ASSERT_TRUE(
        peer_host_->AddInterface(*dc_, sim::LinkEnd::kB, {kPeerIp}).ok());
    ASSERT_TRUE(client_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(server_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(
        server_->AddRoute(*net::IpPrefix::Parse("203.0.113.0/24"), dc).ok());
    ASSERT_TRUE(peer_host_->SetDefaultRoute(0).ok());
    sim::tcp::InstallTcp(*client_);
    sim::tcp::InstallTcp(*server_);
    ASSERT_TRUE(sim::tls::InstallTls(*client_).ok());
    ASSERT_TRUE(sim::tls::InstallTls(*server_).ok());
    capture_ = sim::PcapCapture::InMemory(&pcap_);
    ASSERT_TRUE(capture_->AttachToHostInterface(*client_, 0).ok());

    TurnServiceConfig service;
    service.server.realm = "pinhole.test";
    service.server.users = {{"alice", "secret"}};
    service.server.relay_ipv4 = kServerIp;
    service.listen = {TransportAddress(kServerIp, 3478), kTurnsServer};
    absl::StatusOr<std::unique_ptr<TurnService>> server =
        TurnService::Start(*server_, service);
    ASSERT_TRUE(server.ok()) << server.status();
    service_ = *std::move(server);
    EXPECT_EQ(service_->addresses()[1], kTurnsServer);

    TurnClientConfig config;
    config.server = tls_client ? kTurnsServer : service.listen[0];
    config.local = tls_client ? TransportAddress(kClientIp, 0,
                                                 net::TransportProtocol::kTls)
                              : TransportAddress(kClientIp, 50000);
    config.credential = {"alice", "secret"};
    absl::StatusOr<std::unique_ptr<TurnClient>> client =
        TurnClient::Create(client_->random(), config);
    ASSERT_TRUE(client.ok()) << client.status();
    client_turn_ = *std::move(client);
    absl::StatusOr<std::unique_ptr<TurnClientDriver>> driver =
        TurnClientDriver::Start(*client_, *client_turn_,
                                [this](TurnClientEvent event) {
                                  events_.push_back(std::move(event));
                                });
    ASSERT_TRUE(driver.ok()) << driver.status();
    driver_ = *std::move(driver);

    // The peer echoes whatever reaches it.
    peer_ = *peer_host_->BindUdp(
        TransportAddress(kPeerIp, 6000),
        [this](const net::DatagramView& datagram) {
          ASSERT_TRUE(peer_->SendTo(datagram.source, datagram.payload).ok());
        });
  }

  std::optional<TurnClientEvent> RunUntilEvent(Kind kind) {
    size_t seen = 0;
    std::optional<TurnClientEvent> found;
    sim_.RunUntil(
        [&] {
          for (; seen < events_.size(); ++seen) {
            if (events_[seen].kind == kind) {
              found = events_[seen];
              return true;
            }
          }
          return false;
        },
        sim_.Now() + Duration::Seconds(10));
    return found;
  }

  absl::Status StartAllocate() {
    absl::Status status = client_turn_->Allocate(sim_.Now());
    driver_->Flush();
    return status;
  }

  // Allocates, relays messages to the peer and back, and releases.
  void Relay() {
    ASSERT_TRUE(StartAllocate().ok());
    std::optional<TurnClientEvent> allocated = RunUntilEvent(Kind::kAllocated);
    ASSERT_TRUE(allocated.has_value()) << "no allocation";
    allocated_at_ = sim_.Now();
    EXPECT_EQ(allocated->relayed.at(0).ip(), kServerIp);
    // The server saw the client itself: a firewall translates nothing.
    EXPECT_EQ(allocated->mapped->ip(), kClientIp);

    const TransportAddress peer(kPeerIp, 6000);
    events_.clear();
    constexpr int kMessages = 8;
    for (int i = 1; i <= kMessages; ++i) {
      ASSERT_TRUE(client_turn_->Send(sim_.Now(), peer, Message(i)).ok());
      driver_->Flush();
      sim_.RunFor(Duration::Milliseconds(20));
    }
    sim_.RunFor(Duration::Seconds(1));
    std::vector<std::vector<uint8_t>> echoes;
    for (const TurnClientEvent& event : events_) {
      if (event.kind == Kind::kData) echoes.push_back(event.data);
    }
    ASSERT_EQ(echoes.size(), static_cast<size_t>(kMessages));
    for (int i = 1; i <= kMessages; ++i) {
      EXPECT_EQ(echoes[i - 1], Message(i)) << "message " << i;
    }

    client_turn_->Release(sim_.Now());
    driver_->Flush();
    ASSERT_TRUE(RunUntilEvent(Kind::kReleased).has_value());
    EXPECT_EQ(service_->server().allocation_count(), 0u);
    EXPECT_EQ(sim_.trace().CountDrops(sim::DropReason::kFirewallRule), 0u);
    ASSERT_TRUE(capture_->Close().ok());
  }

  sim::Simulator& sim() { return sim_; }
  net::Time allocated_at() const { return allocated_at_; }
  const std::string& pcap() const { return pcap_; }
  const std::vector<TurnClientEvent>& events() const { return events_; }

 private:
  sim::Simulator sim_;
  std::unique_ptr<sim::Firewall> firewall_;
  std::unique_ptr<sim::Link> lan_, wan_, dc_;
  std::unique_ptr<sim::MiddleboxNode> fw_node_;
  std::unique_ptr<sim::Host> client_, server_, peer_host_;
  std::string pcap_;
  std::unique_ptr<sim::PcapCapture> capture_;
  // Destroyed before the hosts.
  std::unique_ptr<TurnService> service_;
  std::unique_ptr<TurnClient> client_turn_;
  std::unique_ptr<TurnClientDriver> driver_;
  std::unique_ptr<net::UdpSocket> peer_;
  std::vector<TurnClientEvent> events_;
  net::Time allocated_at_;
};

TEST(TlsRelaySimTest, AllocatesAndRelaysThroughAWebOnlyFirewall) {
  TlsRelayWorld world(1);
  ASSERT_NO_FATAL_FAILURE(world.Build());
  ASSERT_NO_FATAL_FAILURE(world.Relay());
  // One way is 15 ms: TCP's handshake, TLS 1.3's round trip, then the
  // Allocate without credentials (401) and with them.
  EXPECT_EQ(world.allocated_at(),
            sim::Simulator::kEpoch + Duration::Milliseconds(4 * 30));
}

// The same network without TLS: the Allocate over UDP to 3478 never gets
// out.
TEST(TlsRelaySimTest, UdpTurnCannotCrossTheFirewall) {
  TlsRelayWorld world(1);
  ASSERT_NO_FATAL_FAILURE(world.Build(/*tls_client=*/false));
  ASSERT_TRUE(world.StartAllocate().ok());
  EXPECT_FALSE(world.RunUntilEvent(Kind::kAllocated).has_value());
  EXPECT_GT(world.sim().trace().CountDrops(sim::DropReason::kFirewallRule), 0u);
}

TEST(TlsRelaySimTest, TheSameSeedReplaysTheSameTraceAndCapture) {
  std::vector<std::string> hashes, pcaps;
  for (const uint64_t seed : {5, 5, 6}) {
    TlsRelayWorld world(seed);
    ASSERT_NO_FATAL_FAILURE(world.Build());
    ASSERT_NO_FATAL_FAILURE(world.Relay());
    hashes.push_back(world.sim().trace().Sha256Hex());
    pcaps.push_back(world.pcap());
  }
  EXPECT_EQ(hashes[0], hashes[1]);
  EXPECT_TRUE(pcaps[0] == pcaps[1]) << "the captures differ";
  // Other ports, transaction ids, nonces and TLS bytes.
  EXPECT_NE(hashes[0], hashes[2]);
  EXPECT_FALSE(pcaps[0] == pcaps[2]);
}

}  // namespace
}  // namespace pinhole::turn
