// `TurnClient` through the simulator, bound to sockets by the same drivers as
// on real ones (`net::UdpDriver`, `stun::StreamDriver`), against a scripted
// peer of the server's role: just the answers a client needs, built by hand
// (turn::TurnServer is the real server). With a 15 ms path every instant is
// exact: the Allocate's two round trips, each Refresh a minute before the
// 600 s lifetime ends, each ChannelBind refresh 240 s after the last; over
// TCP the padded ChannelData keeps the stream's framing.
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "sim/testing/behind_nat.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/demux.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/stream_driver.h"
#include "turn/client.h"

namespace pinhole::turn {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;
using Kind = TurnClientEvent::Kind;

const TransportAddress kPeer = *TransportAddress::Parse("203.0.113.50:9000");

// Answers requests as a TURN server would when all goes well, and echoes
// ChannelData back on its channel. Records every arrival.
class ScriptedServer {
 public:
  using Event = int;  // It reports nothing.

  struct Arrival {
    Time at;
    stun::PacketKind kind;
    stun::Method method = stun::Method::kBinding;
  };

  ScriptedServer()
      : key_(*stun::IntegrityKey::LongTerm("alice", "sim", "secret")) {}

  void HandleDatagram(Time now, const net::DatagramView& datagram) {
    const stun::PacketKind kind = stun::Classify(datagram.payload);
    if (kind == stun::PacketKind::kTurnChannelData) {
      arrivals_.push_back({now, kind});
      // Back to the client, as if the peer had answered; padded over TCP
      // (a stream driver hands in frames without their padding).
      absl::StatusOr<stun::ChannelDataView> message =
          stun::ParseChannelData(datagram.payload);
      ASSERT_TRUE(message.ok()) << message.status();
      transmits_.push_back(
          {datagram.destination, datagram.source,
           *stun::SerializeChannelData(
               message->channel, message->data,
               datagram.source.protocol() != net::TransportProtocol::kUdp)});
      return;
    }
    absl::StatusOr<stun::MessageView> message =
        stun::MessageView::Parse(datagram.payload);
    ASSERT_TRUE(message.ok()) << message.status();
    arrivals_.push_back({now, kind, message->method()});
    if (message->message_class() != stun::MessageClass::kRequest) return;
    transmits_.push_back(
        {datagram.destination, datagram.source, Answer(*message, datagram)});
  }

  void HandleTimeout(Time) {}
  std::optional<net::Datagram> PollTransmit() {
    if (transmits_.empty()) return std::nullopt;
    net::Datagram datagram = std::move(transmits_.front());
    transmits_.erase(transmits_.begin());
    return datagram;
  }
  std::optional<Event> PollEvent() { return std::nullopt; }
  std::optional<Time> NextTimeout() const { return std::nullopt; }

  // Arrival instants of `method` (requests and indications).
  std::vector<Time> Arrivals(stun::Method method) const {
    std::vector<Time> out;
    for (const Arrival& arrival : arrivals_) {
      if (arrival.kind == stun::PacketKind::kStun && arrival.method == method) {
        out.push_back(arrival.at);
      }
    }
    return out;
  }
  const std::vector<Arrival>& arrivals() const { return arrivals_; }

 private:
  std::vector<uint8_t> Answer(const stun::MessageView& request,
                              const net::DatagramView& datagram) {
    stun::MessageBuilder builder(
        {request.method(), stun::MessageClass::kSuccessResponse},
        request.transaction_id());
    if (!request.Has(stun::attr::kMessageIntegrity)) {
      builder.Reset({request.method(), stun::MessageClass::kErrorResponse},
                    request.transaction_id());
      builder.Add(stun::ErrorCode::Standard(401))
          .Add(stun::Realm{"sim"})
          .Add(stun::Nonce{"nonce"});
      return *builder.Finish();
    }
    if (request.method() == stun::Method::kAllocate) {
      builder
          .Add(stun::XorRelayedAddress{
              TransportAddress(sim::BehindNat::ServerIp(), 49152)})
          .Add(stun::Lifetime{600})
          .Add(stun::XorMappedAddress{datagram.source});
    } else if (request.method() == stun::Method::kRefresh) {
      builder.Add(*request.Get<stun::Lifetime>());
    }
    builder.AddMessageIntegrity(key_).AddFingerprint();
    return *builder.Finish();
  }

  const stun::IntegrityKey key_;
  std::vector<Arrival> arrivals_;
  std::vector<net::Datagram> transmits_;
};

class ClientSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<sim::BehindNat>> network =
        sim::BehindNat::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);
  }

  TurnClientConfig Config(const TransportAddress& local,
                          const TransportAddress& server) {
    TurnClientConfig config;
    config.local = local;
    config.server = server;
    config.credential = {"alice", "secret"};
    return config;
  }

  void OnEvent(TurnClientEvent event) {
    events_.push_back({network_->sim().Now(), std::move(event)});
  }

  // Runs until an event of `kind` arrives (within a minute); its instant.
  std::optional<Time> RunUntilEvent(Kind kind) {
    const size_t seen = events_.size();
    const auto arrived = [&] {
      for (size_t i = seen; i < events_.size(); ++i) {
        if (events_[i].second.kind == kind) return true;
      }
      return false;
    };
    if (!network_->sim().RunUntil(arrived, Now() + Duration::Seconds(60))) {
      return std::nullopt;
    }
    for (size_t i = seen; i < events_.size(); ++i) {
      if (events_[i].second.kind == kind) return events_[i].first;
    }
    return std::nullopt;
  }

  Time Now() { return network_->sim().Now(); }

  std::unique_ptr<sim::BehindNat> network_;
  ScriptedServer server_;
  std::unique_ptr<TurnClient> client_;
  std::vector<std::pair<Time, TurnClientEvent>> events_;
};

TEST_F(ClientSimTest, OverUdpEveryInstantIsExact) {
  net::UdpDriver<ScriptedServer> server_driver(network_->server(), server_);
  const TransportAddress server(sim::BehindNat::ServerIp(), 3478);
  ASSERT_TRUE(server_driver.Bind(server).ok());
  // The engine first (the driver needs it), then the socket, then its
  // address.
  client_ = *TurnClient::Create(
      network_->client().random(),
      Config(TransportAddress(network_->client_ip(), 0), server));
  net::UdpDriver<TurnClient> driver(
      network_->client(), *client_,
      [this](TurnClientEvent event) { OnEvent(std::move(event)); });
  absl::StatusOr<TransportAddress> local =
      driver.Bind(TransportAddress(network_->client_ip(), 0));
  ASSERT_TRUE(local.ok()) << local.status();
  ASSERT_TRUE(client_->SetLocalAddress(*local).ok());

  const Time start = Now();
  ASSERT_TRUE(client_->Allocate(start).ok());
  driver.Flush();
  // Two round trips of 30 ms: the 401, then the allocation.
  EXPECT_EQ(RunUntilEvent(Kind::kAllocated),
            start + Duration::Milliseconds(60));
  EXPECT_EQ(events_.back().second.mapped, *local);

  // The first data binds a channel; the data itself follows the ChannelBind
  // as a Send indication, and goes as ChannelData once the bind is answered.
  const Time bound_at = Now();
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5};
  ASSERT_TRUE(client_->Send(bound_at, kPeer, data).ok());
  driver.Flush();
  EXPECT_EQ(RunUntilEvent(Kind::kChannelBound),
            bound_at + Duration::Milliseconds(30));
  ASSERT_TRUE(client_->Send(Now(), kPeer, data).ok());
  driver.Flush();
  const std::optional<Time> echoed = RunUntilEvent(Kind::kData);
  ASSERT_TRUE(echoed.has_value());
  EXPECT_EQ(events_.back().second.data, data);
  EXPECT_EQ(events_.back().second.channel, 0x4000);
  const std::vector<ScriptedServer::Arrival>& arrivals = server_.arrivals();
  ASSERT_GE(arrivals.size(), 5u);
  EXPECT_EQ(arrivals[2].method, stun::Method::kChannelBind);
  EXPECT_EQ(arrivals[3].method, stun::Method::kSend);
  EXPECT_EQ(arrivals[4].kind, stun::PacketKind::kTurnChannelData);

  network_->sim().RunFor(start + Duration::Seconds(1100) - Now());
  const Duration path = Duration::Milliseconds(15);
  EXPECT_EQ(server_.Arrivals(stun::Method::kRefresh),
            (std::vector<Time>{start + Duration::Seconds(540) + path,
                               start + Duration::Seconds(1080) + path}));
  std::vector<Time> binds;
  for (const int64_t at : {0, 240, 480, 720, 960}) {
    binds.push_back(bound_at + Duration::Seconds(at) + path);
  }
  EXPECT_EQ(server_.Arrivals(stun::Method::kChannelBind), binds);
  EXPECT_TRUE(server_.Arrivals(stun::Method::kCreatePermission).empty());
  EXPECT_EQ(client_->state(), TurnClient::State::kAllocated);

  client_->Release(Now());
  driver.Flush();
  EXPECT_TRUE(RunUntilEvent(Kind::kReleased).has_value());
  EXPECT_EQ(client_->NextTimeout(), std::nullopt);
}

// RFC 8656 §12.5: over TCP, ChannelData is padded; were it not, the
// server's framing would take the next message's first bytes as padding and
// the CreatePermission after it would never be understood.
TEST_F(ClientSimTest, OverTcpPaddedChannelDataKeepsTheFraming) {
  stun::StreamDriver<ScriptedServer> server_driver(network_->server(), server_);
  const TransportAddress server(sim::BehindNat::ServerIp(), 3478,
                                net::TransportProtocol::kTcp);
  ASSERT_TRUE(server_driver.Listen(server).ok());
  client_ =
      *TurnClient::Create(network_->client().random(),
                          Config(TransportAddress(network_->client_ip(), 0,
                                                  net::TransportProtocol::kTcp),
                                 server));
  stun::StreamDriver<TurnClient> driver(
      network_->client(), *client_,
      [this](TurnClientEvent event) { OnEvent(std::move(event)); });
  ASSERT_TRUE(client_->Allocate(Now()).ok());
  driver.Flush();
  ASSERT_TRUE(RunUntilEvent(Kind::kAllocated).has_value());
  EXPECT_EQ(events_.back().second.mapped->protocol(),
            net::TransportProtocol::kTcp);
  ASSERT_TRUE(client_->BindChannel(Now(), kPeer).ok());
  driver.Flush();
  ASSERT_TRUE(RunUntilEvent(Kind::kChannelBound).has_value());

  const std::vector<uint8_t> odd = {1, 2, 3, 4, 5};
  ASSERT_TRUE(client_->Send(Now(), kPeer, odd).ok());
  ASSERT_TRUE(
      client_->CreatePermission(Now(), *net::IpAddress::Parse("192.0.2.99"))
          .ok());
  driver.Flush();
  // The echo of the data comes back first, then the permission's answer.
  ASSERT_TRUE(RunUntilEvent(Kind::kPermissionCreated).has_value());
  const TurnClientEvent& echo = events_[events_.size() - 2].second;
  EXPECT_EQ(echo.kind, Kind::kData);
  EXPECT_EQ(echo.data, odd);
  EXPECT_EQ(server_.Arrivals(stun::Method::kCreatePermission).size(), 1u);
  EXPECT_EQ(driver.connections(), 1u);
}

}  // namespace
}  // namespace pinhole::turn
