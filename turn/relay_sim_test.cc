// TURN end to end in the simulator: Pinhole's client behind every NAT preset
// (or none) allocates on Pinhole's server on the public Internet, over UDP
// and over TCP, and relays to a peer behind every NAT preset (or none); the
// peer echoes, and every byte comes back intact. The peer opens its NAT by
// sending first, as an ICE agent's checks would; the client learns the
// peer's public transport address from the Data indication that brings it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_presets.h"
#include "sim/testing/two_nats.h"
#include "turn/client.h"
#include "turn/client_config.h"
#include "turn/client_driver.h"
#include "turn/client_event.h"
#include "turn/server.h"
#include "turn/server_config.h"
#include "turn/service.h"

namespace pinhole::turn {
namespace {

using net::Duration;
using net::TransportAddress;
using Kind = TurnClientEvent::Kind;

constexpr int kMessages = 12;

std::vector<std::string> NatOptions() {
  std::vector<std::string> names = {"none"};
  for (const std::string& name : sim::NatPresetNames()) names.push_back(name);
  return names;
}

std::optional<sim::NatBehavior> Nat(const std::string& name) {
  if (name == "none") return std::nullopt;
  return *sim::NatPreset(name);
}

// Message i: i * 97 + 1 bytes (up to 1068), each byte a function of i and
// its position, so a swapped, cut or corrupted message shows.
std::vector<uint8_t> Message(int i) {
  std::vector<uint8_t> bytes(static_cast<size_t>(i) * 97 + 1);
  for (size_t k = 0; k < bytes.size(); ++k) {
    bytes[k] = static_cast<uint8_t>(i * 31 + k * 7);
  }
  return bytes;
}

// One relay scenario: the network, the server, the client and the peer.
class RelayWorld {
 public:
  void Build(const std::string& left, const std::string& right, bool tcp,
             uint64_t seed) {
    sim::TwoNatsOptions options;
    options.seed = seed;
    options.left_nat = Nat(left);
    options.right_nat = Nat(right);
    absl::StatusOr<std::unique_ptr<sim::TwoNats>> network =
        sim::TwoNats::Create(options);
    ASSERT_TRUE(network.ok()) << network.status();
    net_ = *std::move(network);

    TurnServiceConfig service;
    service.server.realm = "pinhole.test";
    service.server.users = {{"alice", "secret"}};
    service.server.relay_ipv4 = sim::TwoNats::ServerIp();
    service.listen = {TransportAddress(sim::TwoNats::ServerIp(), 3478),
                      TransportAddress(sim::TwoNats::ServerIp(), 3478,
                                       net::TransportProtocol::kTcp)};
    absl::StatusOr<std::unique_ptr<TurnService>> server =
        TurnService::Start(net_->server(), service);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);

    TurnClientConfig config;
    config.server = service.listen[tcp ? 1 : 0];
    config.local =
        tcp ? TransportAddress(net_->left_ip(), 0, net::TransportProtocol::kTcp)
            : TransportAddress(net_->left_ip(), 50000);
    config.credential = {"alice", "secret"};
    absl::StatusOr<std::unique_ptr<TurnClient>> client =
        TurnClient::Create(net_->left().random(), config);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
    absl::StatusOr<std::unique_ptr<TurnClientDriver>> driver =
        TurnClientDriver::Start(net_->left(), *client_,
                                [this](TurnClientEvent event) {
                                  events_.push_back(std::move(event));
                                });
    ASSERT_TRUE(driver.ok()) << driver.status();
    driver_ = *std::move(driver);

    // The peer echoes whatever reaches it.
    absl::StatusOr<std::unique_ptr<net::UdpSocket>> peer =
        net_->right().BindUdp(
            TransportAddress(net_->right_ip(), 6000),
            [this](const net::DatagramView& datagram) {
              ++peer_received_;
              ASSERT_TRUE(
                  peer_->SendTo(datagram.source, datagram.payload).ok());
            });
    ASSERT_TRUE(peer.ok()) << peer.status();
    peer_ = *std::move(peer);
  }

  // Allocates, lets the peer speak first, relays kMessages both ways and
  // releases, asserting each step.
  void Relay();

  sim::TwoNats& network() { return *net_; }

  void Flush() { driver_->Flush(); }

  // Runs until an event of `kind` (returned) or 10 simulated seconds.
  std::optional<TurnClientEvent> RunUntilEvent(Kind kind) {
    size_t seen = 0;
    std::optional<TurnClientEvent> found;
    net_->sim().RunUntil(
        [&] {
          for (; seen < events_.size(); ++seen) {
            if (events_[seen].kind == kind) {
              found = events_[seen];
              return true;
            }
          }
          return false;
        },
        net_->sim().Now() + Duration::Seconds(10));
    return found;
  }

 private:
  std::unique_ptr<sim::TwoNats> net_;
  std::unique_ptr<TurnService> server_;
  std::unique_ptr<TurnClient> client_;
  std::unique_ptr<TurnClientDriver> driver_;
  std::unique_ptr<net::UdpSocket> peer_;
  std::vector<TurnClientEvent> events_;
  int peer_received_ = 0;
};

void RelayWorld::Relay() {
  ASSERT_TRUE(client_->Allocate(net_->sim().Now()).ok());
  Flush();
  std::optional<TurnClientEvent> allocated = RunUntilEvent(Kind::kAllocated);
  ASSERT_TRUE(allocated.has_value()) << "no allocation";
  const TransportAddress relayed = allocated->relayed.at(0);
  EXPECT_EQ(relayed.ip(), sim::TwoNats::ServerIp());
  // The server saw the client at its NAT's public address.
  EXPECT_EQ(allocated->mapped->ip(), net_->left_public_ip());

  ASSERT_TRUE(
      client_->CreatePermission(net_->sim().Now(), net_->right_public_ip())
          .ok());
  Flush();
  ASSERT_TRUE(RunUntilEvent(Kind::kPermissionCreated).has_value());

  // The peer speaks first, opening its NAT towards the relayed address.
  ASSERT_TRUE(peer_->SendTo(relayed, Message(0)).ok());
  std::optional<TurnClientEvent> hello = RunUntilEvent(Kind::kData);
  ASSERT_TRUE(hello.has_value()) << "the peer's first datagram never came";
  EXPECT_EQ(hello->data, Message(0));
  EXPECT_EQ(hello->peer.ip(), net_->right_public_ip());
  const TransportAddress peer = hello->peer;
  events_.clear();

  for (int i = 1; i <= kMessages; ++i) {
    ASSERT_TRUE(client_->Send(net_->sim().Now(), peer, Message(i)).ok());
    Flush();
    net_->sim().RunFor(Duration::Milliseconds(20));
  }
  net_->sim().RunFor(Duration::Seconds(2));
  std::vector<std::vector<uint8_t>> echoes;
  for (const TurnClientEvent& event : events_) {
    if (event.kind == Kind::kData) {
      EXPECT_EQ(event.peer, peer);
      echoes.push_back(event.data);
    }
  }
  ASSERT_EQ(echoes.size(), static_cast<size_t>(kMessages))
      << "the peer got " << peer_received_ << " of " << kMessages + 0;
  for (int i = 1; i <= kMessages; ++i) {
    EXPECT_EQ(echoes[i - 1], Message(i)) << "message " << i;
  }
  EXPECT_TRUE(client_->BoundChannel(peer).has_value())
      << "later messages went over a channel";

  client_->Release(net_->sim().Now());
  Flush();
  ASSERT_TRUE(RunUntilEvent(Kind::kReleased).has_value());
  EXPECT_EQ(server_->server().allocation_count(), 0u);
}

class RelaySimTest : public ::testing::TestWithParam<
                         std::tuple<std::string, std::string, bool>> {};

TEST_P(RelaySimTest, BytesCrossTheRelayIntactBothWays) {
  const auto& [left, right, tcp] = GetParam();
  RelayWorld world;
  ASSERT_NO_FATAL_FAILURE(world.Build(left, right, tcp, /*seed=*/1));
  world.Relay();
}

// The same scenario and seed give the byte-identical trace; another seed
// (other NAT ports, transaction IDs, nonces) another one.
TEST(RelaySimDeterminismTest, SameSeedSameTrace) {
  for (const bool tcp : {false, true}) {
    std::vector<std::string> hashes;
    for (const uint64_t seed : {7, 7, 8}) {
      RelayWorld world;
      ASSERT_NO_FATAL_FAILURE(
          world.Build("symmetric", "port_restricted_cone", tcp, seed));
      ASSERT_NO_FATAL_FAILURE(world.Relay());
      hashes.push_back(world.network().sim().trace().Sha256Hex());
    }
    EXPECT_EQ(hashes[0], hashes[1]) << (tcp ? "tcp" : "udp");
    EXPECT_NE(hashes[0], hashes[2]) << (tcp ? "tcp" : "udp");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryNatPair, RelaySimTest,
                         ::testing::Combine(::testing::ValuesIn(NatOptions()),
                                            ::testing::ValuesIn(NatOptions()),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return absl::StrCat(
                               std::get<0>(info.param), "_to_",
                               std::get<1>(info.param), "_over_",
                               std::get<2>(info.param) ? "tcp" : "udp");
                         });

}  // namespace
}  // namespace pinhole::turn
