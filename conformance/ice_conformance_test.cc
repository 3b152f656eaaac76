// ICE end to end, run unchanged through the simulator and through real
// sockets on loopback (STYLE.md rule 9): two ICE agents on the client host
// (127.0.0.1 on real sockets), one controlling and one controlled, trickle
// their parameters and candidates to each other as SDP lines (ice/sdp.h)
// over a signalling channel without delay, and connect: host to host, or
// relay-only through Pinhole's TurnService over UDP, TCP and (real sockets
// only: the simulator has no TLS) TLS with a certificate made for the run.
// Both agents select the same pair, of the expected types; data goes both
// ways intact; closing the agents releases their allocations.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
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
#include "ice/agent.h"
#include "ice/agent_driver.h"
#include "ice/candidate.h"
#include "ice/sdp.h"
#include "net/ip_prefix.h"
#include "net/real/real_network.h"
#include "net/real/testing/self_signed_tls.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "turn/server.h"
#include "turn/service.h"

namespace pinhole::conformance {
namespace {

using ice::AgentEvent;
using ice::CandidateType;
using net::Duration;
using net::TransportAddress;
using net::TransportProtocol;

constexpr Duration kLimit = Duration::Seconds(10);
constexpr int kMessages = 10;

// How the agents reach each other: directly, or each through its own
// allocation on the TURN server over this transport.
enum class Path { kHost, kRelayUdp, kRelayTcp, kRelayTls };

std::string PathName(Path path) {
  switch (path) {
    case Path::kHost:
      return "host";
    case Path::kRelayUdp:
      return "relay_udp";
    case Path::kRelayTcp:
      return "relay_tcp";
    case Path::kRelayTls:
      return "relay_tls";
  }
  return "?";
}

// Application data: RTP-like (first byte 0x80, never STUN), numbered.
std::vector<uint8_t> Message(int side, int i) {
  std::vector<uint8_t> bytes(static_cast<size_t>(i) * 97 + 16);
  for (size_t k = 0; k < bytes.size(); ++k) {
    bytes[k] = static_cast<uint8_t>(side * 101 + i * 13 + k * 7);
  }
  bytes[0] = 0x80;
  return bytes;
}

// One agent, its driver, and the signalling lines waiting for it.
struct Side {
  int index = 0;
  std::unique_ptr<ice::Agent> agent;
  std::unique_ptr<ice::AgentDriver> driver;
  std::unique_ptr<net::Timer> signalling;  // Delivers `inbox`.
  std::deque<std::string> inbox;
  ice::IceParameters remote;
  bool remote_applied = false;
  std::vector<ice::Candidate> held;  // Until the remote credentials.
  std::optional<net::Time> connected_at;
  bool failed = false;
  std::vector<std::vector<uint8_t>> data;
};

class IceConformanceTest
    : public ::testing::TestWithParam<std::tuple<BackendKind, Path>> {
 protected:
  void SetUp() override {
    const auto& [kind, path] = GetParam();
    absl::StatusOr<std::unique_ptr<Backend>> backend = MakeBackend(kind);
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = *std::move(backend);
    if (path != Path::kHost) StartTurnServer(path);

    for (int i = 0; i < 2; ++i) {
      Side& side = sides_[i];
      side.index = i;
      ice::AgentConfig config;
      config.role = i == 0 ? ice::Role::kControlling : ice::Role::kControlled;
      if (turn_ != nullptr) {
        config.turn_servers = {ice::TurnServerConfig{turn_->addresses().at(0),
                                                     {"alice", "secret"}}};
        config.candidate_policy = ice::CandidatePolicy::kRelayOnly;
      }
      absl::StatusOr<std::unique_ptr<ice::Agent>> agent =
          ice::Agent::Create(backend_->client().random(), config);
      ASSERT_TRUE(agent.ok()) << agent.status();
      side.agent = *std::move(agent);
      side.signalling =
          backend_->client().CreateTimer([this, i] { Deliver(sides_[i]); });
    }
    // Each side's parameters first, as an offer and an answer would carry.
    for (int i = 0; i < 2; ++i) {
      ice::IceParameters parameters;
      parameters.ufrag = sides_[i].agent->local_credentials().ufrag;
      parameters.pwd = sides_[i].agent->local_credentials().pwd;
      parameters.trickle = true;
      for (const std::string& line : ice::FormatIceParameters(parameters)) {
        Signal(1 - i, absl::StrCat("a=", line));
      }
    }
    for (int i = 0; i < 2; ++i) {
      absl::StatusOr<std::unique_ptr<ice::AgentDriver>> driver =
          ice::AgentDriver::Start(
              backend_->client(), *sides_[i].agent, {backend_->client_ip()},
              [this, i](AgentEvent event) { OnEvent(i, std::move(event)); });
      ASSERT_TRUE(driver.ok()) << driver.status();
      sides_[i].driver = *std::move(driver);
    }
  }

  void TearDown() override {
    for (Side& side : sides_) {
      side.driver.reset();
      side.signalling.reset();
      side.agent.reset();
    }
    turn_.reset();
    backend_.reset();
  }

  void StartTurnServer(Path path) {
    const TransportProtocol protocol =
        path == Path::kRelayUdp   ? TransportProtocol::kUdp
        : path == Path::kRelayTcp ? TransportProtocol::kTcp
                                  : TransportProtocol::kTls;
    if (protocol == TransportProtocol::kTls) ConfigureTls();
    turn::TurnServiceConfig service;
    service.server.realm = "pinhole.test";
    service.server.users = {{"alice", "secret"}};
    service.server.relay_ipv4 = backend_->server_ip();
    // The agents are peers of each other's relays: the client's address,
    // and the server's own (the relayed addresses), both refused unless
    // allowed.
    service.server.peer_policy.allow = {
        *net::IpPrefix::Create(backend_->client_ip(), 32),
        *net::IpPrefix::Create(backend_->server_ip(), 32)};
    service.listen = {TransportAddress(backend_->server_ip(), 0, protocol)};
    absl::StatusOr<std::unique_ptr<turn::TurnService>> turn =
        turn::TurnService::Start(backend_->server(), service);
    ASSERT_TRUE(turn.ok()) << turn.status();
    turn_ = *std::move(turn);
  }

  void ConfigureTls() {
    auto* real = dynamic_cast<net::real::RealNetwork*>(&backend_->server());
    ASSERT_NE(real, nullptr);
    ASSERT_TRUE(net::real::UseSelfSignedTls(
                    *real, ::testing::TempDir() + "/ice-tls", {"stun.turn"})
                    .ok());
  }

  net::Time Now() { return backend_->client().clock().Now(); }

  // Queues `line` for side `to`, delivered from the loop at once.
  void Signal(int to, std::string line) {
    sides_[to].inbox.push_back(std::move(line));
    sides_[to].signalling->SetAt(Now());
  }

  void OnEvent(int i, AgentEvent event) {
    Side& side = sides_[i];
    switch (event.kind) {
      case AgentEvent::Kind::kLocalCandidate:
        Signal(
            1 - i,
            absl::StrCat("a=", ice::FormatCandidateAttribute(event.candidate)));
        return;
      case AgentEvent::Kind::kGatheringComplete:
        EXPECT_TRUE(event.status.ok()) << "side " << i << ": " << event.status;
        Signal(1 - i, absl::StrCat("a=", ice::kEndOfCandidatesAttribute));
        return;
      case AgentEvent::Kind::kStateChanged:
        if ((event.state == ice::ConnectionState::kConnected ||
             event.state == ice::ConnectionState::kCompleted) &&
            !side.connected_at.has_value()) {
          side.connected_at = Now();
        }
        side.failed =
            side.failed || event.state == ice::ConnectionState::kFailed;
        return;
      case AgentEvent::Kind::kData:
        side.data.push_back(std::move(event.data));
        return;
      default:
        return;
    }
  }

  // The signalling channel's far end: lines parsed as a peer must parse
  // them, candidates held until the credentials are in.
  void Deliver(Side& side) {
    ice::Agent& agent = *side.agent;
    while (!side.inbox.empty()) {
      const std::string line = std::move(side.inbox.front());
      side.inbox.pop_front();
      absl::StatusOr<ice::IceLine> parsed =
          ice::ParseIceLine(line, side.remote);
      ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.status();
      if (parsed->kind == ice::IceLineKind::kCandidate) {
        side.held.push_back(parsed->candidate);
      }
      if (!side.remote_applied && !side.remote.ufrag.empty() &&
          !side.remote.pwd.empty()) {
        ASSERT_TRUE(agent
                        .SetRemoteCredentials(
                            Now(), {side.remote.ufrag, side.remote.pwd})
                        .ok());
        side.remote_applied = true;
      }
      if (side.remote_applied) {
        for (const ice::Candidate& candidate : side.held) {
          ASSERT_TRUE(agent.AddRemoteCandidate(Now(), candidate).ok())
              << candidate;
        }
        side.held.clear();
        if (parsed->kind == ice::IceLineKind::kEndOfCandidates) {
          agent.SetRemoteEndOfCandidates(Now());
        }
      }
    }
    if (side.driver != nullptr) side.driver->Flush();
  }

  bool Connected() const {
    return sides_[0].connected_at.has_value() &&
           sides_[1].connected_at.has_value();
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<turn::TurnService> turn_;
  Side sides_[2];
};

TEST_P(IceConformanceTest, ConnectSendBothWaysAndClose) {
  const Path path = std::get<1>(GetParam());
  const net::Time start = Now();
  backend_->RunUntil(
      [&] { return Connected() || sides_[0].failed || sides_[1].failed; },
      kLimit);
  ASSERT_TRUE(Connected()) << "not connected within " << kLimit;
  std::printf("%s: connected in %s and %s\n",
              BackendName(std::get<0>(GetParam())).c_str(),
              (*sides_[0].connected_at - start).ToString().c_str(),
              (*sides_[1].connected_at - start).ToString().c_str());

  // The same pair from both sides, of the expected types.
  const std::optional<ice::CandidatePairInfo> left =
      sides_[0].agent->selected_pair(1);
  const std::optional<ice::CandidatePairInfo> right =
      sides_[1].agent->selected_pair(1);
  ASSERT_TRUE(left.has_value() && right.has_value());
  EXPECT_EQ(left->local.address, right->remote.address);
  EXPECT_EQ(left->remote.address, right->local.address);
  const CandidateType type =
      path == Path::kHost ? CandidateType::kHost : CandidateType::kRelayed;
  for (const ice::CandidatePairInfo* pair : {&*left, &*right}) {
    EXPECT_EQ(pair->local.type, type) << pair->local;
    EXPECT_EQ(pair->remote.type, type) << pair->remote;
    EXPECT_EQ(pair->local.address.ip(), path == Path::kHost
                                            ? backend_->client_ip()
                                            : backend_->server_ip());
  }
  if (turn_ != nullptr) EXPECT_EQ(turn_->server().allocation_count(), 2u);

  // Data both ways, intact (in any order: it is UDP).
  for (int i = 0; i < kMessages; ++i) {
    for (int s = 0; s < 2; ++s) {
      ASSERT_TRUE(sides_[s].agent->Send(Now(), 1, Message(s, i)).ok());
      sides_[s].driver->Flush();
    }
  }
  backend_->RunUntil(
      [&] {
        return sides_[0].data.size() >= kMessages &&
               sides_[1].data.size() >= kMessages;
      },
      kLimit);
  for (int s = 0; s < 2; ++s) {
    std::vector<std::vector<uint8_t>> expected;
    for (int i = 0; i < kMessages; ++i) expected.push_back(Message(1 - s, i));
    std::vector<std::vector<uint8_t>> received = sides_[s].data;
    std::sort(received.begin(), received.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(received, expected) << "side " << s;
  }

  // Closing releases the allocations.
  for (Side& side : sides_) {
    side.agent->Close(Now());
    side.driver->Flush();
    EXPECT_EQ(side.agent->state(), ice::ConnectionState::kClosed);
  }
  if (turn_ != nullptr) {
    EXPECT_TRUE(backend_->RunUntil(
        [&] { return turn_->server().allocation_count() == 0; }, kLimit))
        << turn_->server().allocation_count() << " allocations left";
  }
}

INSTANTIATE_TEST_SUITE_P(
    BothWorlds, IceConformanceTest,
    // The simulator has no TLS.
    ::testing::Values(std::make_tuple(BackendKind::kSimulated, Path::kHost),
                      std::make_tuple(BackendKind::kSimulated, Path::kRelayUdp),
                      std::make_tuple(BackendKind::kSimulated, Path::kRelayTcp),
                      std::make_tuple(BackendKind::kReal, Path::kHost),
                      std::make_tuple(BackendKind::kReal, Path::kRelayUdp),
                      std::make_tuple(BackendKind::kReal, Path::kRelayTcp),
                      std::make_tuple(BackendKind::kReal, Path::kRelayTls)),
    [](const auto& info) {
      return absl::StrCat(BackendName(std::get<0>(info.param)), "_",
                          PathName(std::get<1>(info.param)));
    });

}  // namespace
}  // namespace pinhole::conformance
