// TURN end to end, run unchanged through the simulator and through real
// sockets on loopback (STYLE.md rule 9): Pinhole's TurnClient allocates on
// Pinhole's TurnService over UDP, TCP and (real sockets only: the simulator
// has no TLS) TLS with a certificate made for the run, relays to a UDP peer
// that echoes, gets every byte back, and releases.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "conformance/backends.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_prefix.h"
#include "net/real/real_network.h"
#include "net/real/testing/self_signed_tls.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "turn/client.h"
#include "turn/client_config.h"
#include "turn/client_driver.h"
#include "turn/client_event.h"
#include "turn/service.h"

namespace pinhole::conformance {
namespace {

using net::Duration;
using net::TransportAddress;
using net::TransportProtocol;
using Kind = turn::TurnClientEvent::Kind;

constexpr Duration kLimit = Duration::Seconds(10);
constexpr int kMessages = 10;

std::vector<uint8_t> Message(int i) {
  std::vector<uint8_t> bytes(static_cast<size_t>(i) * 113 + 20);
  for (size_t k = 0; k < bytes.size(); ++k) {
    bytes[k] = static_cast<uint8_t>(i * 13 + k * 5);
  }
  return bytes;
}

class TurnConformanceTest : public ::testing::TestWithParam<
                                std::tuple<BackendKind, TransportProtocol>> {
 protected:
  void SetUp() override {
    const auto& [kind, protocol] = GetParam();
    absl::StatusOr<std::unique_ptr<Backend>> backend = MakeBackend(kind);
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = *std::move(backend);
    if (protocol == TransportProtocol::kTls) ConfigureTls();

    turn::TurnServiceConfig service;
    service.server.realm = "pinhole.test";
    service.server.users = {{"alice", "secret"}};
    service.server.relay_ipv4 = backend_->server_ip();
    // On loopback the peer is 127.0.0.1, which the policy refuses unless
    // allowed (and the server's own host, too).
    service.server.peer_policy.allow = {
        *net::IpPrefix::Create(backend_->client_ip(), 32)};
    service.listen = {TransportAddress(backend_->server_ip(), 0, protocol)};
    absl::StatusOr<std::unique_ptr<turn::TurnService>> server =
        turn::TurnService::Start(backend_->server(), service);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);

    turn::TurnClientConfig config;
    config.server = server_->addresses().at(0);
    config.local = TransportAddress(backend_->client_ip(), 0, protocol);
    config.credential = {"alice", "secret"};
    absl::StatusOr<std::unique_ptr<turn::TurnClient>> client =
        turn::TurnClient::Create(backend_->client().random(), config);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
    absl::StatusOr<std::unique_ptr<turn::TurnClientDriver>> driver =
        turn::TurnClientDriver::Start(backend_->client(), *client_,
                                      [this](turn::TurnClientEvent event) {
                                        events_.push_back(std::move(event));
                                      });
    ASSERT_TRUE(driver.ok()) << driver.status();
    driver_ = *std::move(driver);
    absl::StatusOr<std::unique_ptr<net::UdpSocket>> peer =
        backend_->client().BindUdp(
            TransportAddress(backend_->client_ip(), 0),
            [this](const net::DatagramView& datagram) {
              ASSERT_TRUE(
                  peer_->SendTo(datagram.source, datagram.payload).ok());
            });
    ASSERT_TRUE(peer.ok()) << peer.status();
    peer_ = *std::move(peer);
  }

  void TearDown() override {
    driver_.reset();
    client_.reset();
    server_.reset();
    peer_.reset();
    backend_.reset();
  }

  void ConfigureTls() {
    auto* real = dynamic_cast<net::real::RealNetwork*>(&backend_->server());
    ASSERT_NE(real, nullptr);
    ASSERT_TRUE(net::real::UseSelfSignedTls(
                    *real, ::testing::TempDir() + "/turn-tls", {"stun.turn"})
                    .ok());
  }

  net::Time Now() { return backend_->client().clock().Now(); }
  void Flush() { driver_->Flush(); }
  std::optional<turn::TurnClientEvent> RunUntilEvent(Kind kind) {
    std::optional<turn::TurnClientEvent> found;
    backend_->RunUntil(
        [&] {
          for (const turn::TurnClientEvent& event : events_) {
            if (event.kind == kind) {
              found = event;
              return true;
            }
          }
          return false;
        },
        kLimit);
    return found;
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<turn::TurnService> server_;
  std::unique_ptr<turn::TurnClient> client_;
  std::unique_ptr<turn::TurnClientDriver> driver_;
  std::unique_ptr<net::UdpSocket> peer_;
  std::vector<turn::TurnClientEvent> events_;
};

TEST_P(TurnConformanceTest, AllocateRelayEchoAndRelease) {
  ASSERT_TRUE(client_->Allocate(Now()).ok());
  Flush();
  std::optional<turn::TurnClientEvent> allocated =
      RunUntilEvent(Kind::kAllocated);
  ASSERT_TRUE(allocated.has_value()) << "no allocation within 10 s";
  EXPECT_EQ(allocated->relayed.at(0).ip(), backend_->server_ip());
  EXPECT_EQ(allocated->mapped->ip(), backend_->client_ip());

  const TransportAddress peer = peer_->local_address();
  events_.clear();
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(client_->Send(Now(), peer, Message(i)).ok());
    Flush();
  }
  std::vector<std::vector<uint8_t>> echoes;
  backend_->RunUntil(
      [&] {
        echoes.clear();
        for (const turn::TurnClientEvent& event : events_) {
          if (event.kind == Kind::kData) echoes.push_back(event.data);
        }
        return echoes.size() == kMessages;
      },
      kLimit);
  ASSERT_EQ(echoes.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(echoes[i], Message(i)) << "message " << i;
  }
  EXPECT_EQ(server_->server().stats().relayed_to_peers,
            static_cast<uint64_t>(kMessages));

  client_->Release(Now());
  Flush();
  ASSERT_TRUE(RunUntilEvent(Kind::kReleased).has_value());
  EXPECT_EQ(server_->server().allocation_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    BothWorlds, TurnConformanceTest,
    // The simulator has no TLS.
    ::testing::Values(
        std::make_tuple(BackendKind::kSimulated, TransportProtocol::kUdp),
        std::make_tuple(BackendKind::kSimulated, TransportProtocol::kTcp),
        std::make_tuple(BackendKind::kReal, TransportProtocol::kUdp),
        std::make_tuple(BackendKind::kReal, TransportProtocol::kTcp),
        std::make_tuple(BackendKind::kReal, TransportProtocol::kTls)),
    [](const auto& info) {
      const TransportProtocol protocol = std::get<1>(info.param);
      return absl::StrCat(BackendName(std::get<0>(info.param)), "_",
                          protocol == TransportProtocol::kUdp   ? "udp"
                          : protocol == TransportProtocol::kTcp ? "tcp"
                                                                : "tls");
    });

}  // namespace
}  // namespace pinhole::conformance
