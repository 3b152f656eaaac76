// `TurnClient`: permissions (RFC 8656 §9-§10), channels (§12), and data both
// ways, driven sans-IO with hand-built server answers and exact instants.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/client.h"
#include "turn/client_testing.h"

namespace pinhole::turn {
namespace {

using net::Duration;
using Kind = TurnClientEvent::Kind;
using namespace ::pinhole::turn::testing;  // NOLINT: the test vocabulary.
namespace attr = ::pinhole::stun::attr;

constexpr Duration kSecond = Duration::Seconds(1);
const std::vector<uint16_t> kAuthTail = {
    attr::kSoftware, attr::kUsername,         attr::kRealm,
    attr::kNonce,    attr::kMessageIntegrity, attr::kFingerprint};

std::vector<uint16_t> WithAuth(std::vector<uint16_t> types) {
  types.insert(types.end(), kAuthTail.begin(), kAuthTail.end());
  return types;
}

// Every XOR-PEER-ADDRESS of `message`, in wire order.
std::vector<net::TransportAddress> PeerAddresses(
    const stun::MessageView& message) {
  std::vector<net::TransportAddress> peers;
  for (const stun::RawAttribute attribute : message.attributes()) {
    if (attribute.type != attr::kXorPeerAddress) continue;
    peers.push_back(
        stun::XorPeerAddress::Decode(attribute.value, message)->address);
  }
  return peers;
}

class RelayTest : public TurnClientTest {
 protected:
  void Start(TurnClientConfig config = UdpConfig()) {
    MakeClient(config);
    Allocate();
  }

  const std::vector<uint8_t> kData = {1, 2, 3, 4, 5};
};

TEST_F(RelayTest, PermissionIsCreatedThenRefreshedEvery240s) {
  Start();
  ASSERT_TRUE(client().CreatePermission(now_, Peer().ip()).ok());
  const stun::MessageView request = SentMessage();
  EXPECT_EQ(request.method(), stun::Method::kCreatePermission);
  EXPECT_EQ(AttributeTypes(request), WithAuth({attr::kXorPeerAddress}));
  EXPECT_EQ(PeerAddresses(request), std::vector<net::TransportAddress>{
                                        net::TransportAddress(Peer().ip(), 0)});
  EXPECT_TRUE(stun::VerifyMessageIntegrity(request, Key()).ok());
  EXPECT_FALSE(client().HasPermission(Peer().ip()));
  ASSERT_TRUE(Deliver(SuccessTo(request)));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kPermissionCreated);
  EXPECT_EQ(event.peer_ip, Peer().ip());
  EXPECT_TRUE(client().HasPermission(Peer().ip()));
  ASSERT_TRUE(client().CreatePermission(now_, Peer().ip()).ok());
  EXPECT_EQ(Unsent(), 0u);  // Installed already.

  RunUntil(kStart + 240 * kSecond - Duration::Nanoseconds(1));
  EXPECT_EQ(Unsent(), 0u);
  for (const int64_t at : {240, 480}) {
    RunUntil(kStart + at * kSecond);
    const stun::MessageView refresh = SentMessage();
    EXPECT_EQ(last_sent_at_, kStart + at * kSecond);
    EXPECT_EQ(refresh.method(), stun::Method::kCreatePermission);
    EXPECT_EQ(PeerAddresses(refresh).size(), 1u);
    ASSERT_TRUE(Deliver(SuccessTo(refresh)));
    EXPECT_TRUE(Events().empty());  // Refreshes are not reported.
    EXPECT_EQ(Unsent(), 0u);
  }
}

// RFC 8656 §10.1: one CreatePermission may carry several peers.
TEST_F(RelayTest, PermissionsDueTogetherAreRefreshedInOneRequest) {
  Start();
  const net::IpAddress a = Ip("192.0.2.77"), b = Ip("203.0.113.50");
  ASSERT_TRUE(client().CreatePermission(now_, a).ok());
  ASSERT_TRUE(client().CreatePermission(now_, b).ok());
  const stun::MessageView first = SentMessage();
  const stun::MessageView second = SentMessage();
  ASSERT_TRUE(Deliver(SuccessTo(first)));
  ASSERT_TRUE(Deliver(SuccessTo(second)));
  EXPECT_EQ(Events().size(), 2u);
  RunUntil(kStart + 240 * kSecond);
  const stun::MessageView refresh = SentMessage();
  EXPECT_EQ(PeerAddresses(refresh),
            (std::vector<net::TransportAddress>{net::TransportAddress(a, 0),
                                                net::TransportAddress(b, 0)}));
  EXPECT_EQ(Unsent(), 0u);
}

TEST_F(RelayTest, ForbiddenPermissionIsReportedAndStopsData) {
  Start();
  ASSERT_TRUE(client().CreatePermission(now_, Peer().ip()).ok());
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), 403, "Peer is blocked")));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kPermissionFailed);
  EXPECT_EQ(event.peer_ip, Peer().ip());
  EXPECT_EQ(event.error_code, 403);
  EXPECT_EQ(event.status.message(),
            "permission for 192.0.2.77 failed: 403 Peer is blocked from "
            "198.51.100.1:3478/udp");
  const absl::Status sent = client().Send(now_, Peer(), kData);
  EXPECT_EQ(sent.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(sent.message(), event.status.message());
  RunUntil(kStart + 300 * kSecond);
  EXPECT_EQ(Unsent(), 0u);  // Nothing to refresh.
  // Asking again is the owner's call.
  ASSERT_TRUE(client().CreatePermission(now_, Peer().ip()).ok());
  EXPECT_EQ(SentMessage().method(), stun::Method::kCreatePermission);
}

TEST_F(RelayTest, WithoutChannelsDataGoesInSendIndicationsAfterThePermission) {
  TurnClientConfig config = UdpConfig();
  config.use_channels = false;
  config.dont_fragment = true;
  Start(config);
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  // The permission request first, the data right behind it.
  const stun::MessageView permission = SentMessage();
  EXPECT_EQ(permission.method(), stun::Method::kCreatePermission);
  const stun::MessageView indication = SentMessage();
  EXPECT_EQ(indication.method(), stun::Method::kSend);
  EXPECT_EQ(indication.message_class(), stun::MessageClass::kIndication);
  EXPECT_EQ(AttributeTypes(indication),
            (std::vector<uint16_t>{attr::kXorPeerAddress, attr::kData,
                                   attr::kDontFragment}));
  EXPECT_EQ(indication.Get<stun::XorPeerAddress>()->address, Peer());
  const absl::Span<const uint8_t> data = indication.Get<stun::Data>()->value;
  EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()), kData);
  // Before the answer: no second CreatePermission.
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  EXPECT_EQ(SentMessage().method(), stun::Method::kSend);
  EXPECT_EQ(Unsent(), 0u);
  ASSERT_TRUE(Deliver(SuccessTo(permission)));
  EXPECT_EQ(OnlyEvent().kind, Kind::kPermissionCreated);
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  EXPECT_EQ(SentMessage().method(), stun::Method::kSend);
  EXPECT_EQ(Unsent(), 0u);
}

TEST_F(RelayTest, SendBindsAChannelThenSendsUnpaddedChannelDataOverUdp) {
  Start();
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  const stun::MessageView bind = SentMessage();
  EXPECT_EQ(bind.method(), stun::Method::kChannelBind);
  EXPECT_EQ(AttributeTypes(bind),
            WithAuth({attr::kChannelNumber, attr::kXorPeerAddress}));
  EXPECT_EQ(bind.Get<stun::ChannelNumber>()->number, 0x4000);
  EXPECT_EQ(bind.Get<stun::XorPeerAddress>()->address, Peer());
  // The ChannelBind installs the permission: no CreatePermission; until
  // it is answered, data goes in Send indications.
  EXPECT_EQ(SentMessage().method(), stun::Method::kSend);
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  EXPECT_EQ(SentMessage().method(), stun::Method::kSend);
  EXPECT_EQ(Unsent(), 0u);

  ASSERT_TRUE(Deliver(SuccessTo(bind)));
  const std::vector<TurnClientEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kPermissionCreated);
  EXPECT_EQ(events[1].kind, Kind::kChannelBound);
  EXPECT_EQ(events[1].peer, Peer());
  EXPECT_EQ(events[1].channel, 0x4000);
  EXPECT_EQ(client().BoundChannel(Peer()), 0x4000);
  EXPECT_TRUE(client().HasPermission(Peer().ip()));

  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  const net::Datagram& channel_data = Sent();
  EXPECT_EQ(channel_data.source, Local());
  EXPECT_EQ(channel_data.destination, Server());
  EXPECT_EQ(channel_data.payload,
            (std::vector<uint8_t>{0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5}));
}

// RFC 8656 §12.5: over TCP (and TLS) ChannelData is padded to 4 bytes.
TEST_F(RelayTest, ChannelDataIsPaddedOverTcp) {
  Start(TcpConfig());
  ASSERT_TRUE(client().BindChannel(now_, Peer()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  EXPECT_EQ(Events().size(), 2u);
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  const net::Datagram& channel_data = Sent();
  EXPECT_EQ(channel_data.destination, TcpConfig().server);
  EXPECT_EQ(
      channel_data.payload,
      (std::vector<uint8_t>{0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0}));
}

// The ChannelBind every 240 s refreshes channel and permission both (RFC
// 8656 §12.1): no CreatePermission for a peer with a channel.
TEST_F(RelayTest, ChannelIsRefreshedEvery240sAndKeepsThePermission) {
  Start();
  ASSERT_TRUE(client().BindChannel(now_, Peer()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  EXPECT_EQ(Events().size(), 2u);
  ASSERT_TRUE(client().BindChannel(now_, Peer()).ok());
  EXPECT_EQ(Unsent(), 0u);
  for (const int64_t at : {240, 480}) {
    RunUntil(kStart + at * kSecond);
    const stun::MessageView refresh = SentMessage();
    EXPECT_EQ(last_sent_at_, kStart + at * kSecond);
    EXPECT_EQ(refresh.method(), stun::Method::kChannelBind);
    EXPECT_EQ(refresh.Get<stun::ChannelNumber>()->number, 0x4000);
    EXPECT_EQ(refresh.Get<stun::XorPeerAddress>()->address, Peer());
    EXPECT_EQ(Unsent(), 0u);
    ASSERT_TRUE(Deliver(SuccessTo(refresh)));
    EXPECT_TRUE(Events().empty());
  }
}

TEST_F(RelayTest, EachPeerGetsTheNextChannelNumber) {
  Start();
  const net::TransportAddress other_port = Addr("192.0.2.77:7001");
  const net::TransportAddress other_ip = Addr("203.0.113.50:9000");
  for (const net::TransportAddress& peer : {Peer(), other_port, other_ip}) {
    ASSERT_TRUE(client().BindChannel(now_, peer).ok());
  }
  std::vector<int> numbers;
  while (Unsent() > 0) {
    numbers.push_back(SentMessage().Get<stun::ChannelNumber>()->number);
  }
  EXPECT_EQ(numbers, (std::vector<int>{0x4000, 0x4001, 0x4002}));
}

TEST_F(RelayTest, FailedChannelFallsBackToAPermissionAndSendIndications) {
  Start();
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  const stun::MessageView bind = SentMessage();
  SentMessage();  // The indication.
  ASSERT_TRUE(Deliver(ErrorTo(bind, 508)));
  const TurnClientEvent failed = OnlyEvent();
  EXPECT_EQ(failed.kind, Kind::kChannelFailed);
  EXPECT_EQ(failed.error_code, 508);
  EXPECT_EQ(failed.status.message(),
            "channel 0x4000 to 192.0.2.77:7000/udp failed: 508 Insufficient "
            "Capacity from 198.51.100.1:3478/udp");
  const stun::MessageView permission = SentMessage();
  EXPECT_EQ(permission.method(), stun::Method::kCreatePermission);
  ASSERT_TRUE(Deliver(SuccessTo(permission)));
  EXPECT_EQ(OnlyEvent().kind, Kind::kPermissionCreated);
  ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  EXPECT_EQ(SentMessage().method(), stun::Method::kSend);
  EXPECT_EQ(Unsent(), 0u);
}

TEST_F(RelayTest, ForbiddenChannelFailsThePermission) {
  Start();
  ASSERT_TRUE(client().BindChannel(now_, Peer()).ok());
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), 403)));
  const std::vector<TurnClientEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kChannelFailed);
  EXPECT_EQ(events[1].kind, Kind::kPermissionFailed);
  EXPECT_EQ(client().Send(now_, Peer(), kData).code(),
            absl::StatusCode::kFailedPrecondition);
}

// RFC 8656 §11.4: data from permitted peers only.
TEST_F(RelayTest, DataIndicationsFromPermittedPeersBecomeData) {
  Start();
  ASSERT_TRUE(client().CreatePermission(now_, Peer().ip()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  Events();
  ASSERT_TRUE(Deliver(DataIndication(Peer(), kData)));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kData);
  EXPECT_EQ(event.peer, Peer());
  EXPECT_EQ(event.channel, 0);
  EXPECT_EQ(event.data, kData);
  // Consumed but dropped: a peer without permission, a Data indication
  // without DATA.
  EXPECT_TRUE(Deliver(DataIndication(Addr("203.0.113.50:9000"), kData)));
  stun::MessageBuilder no_data(
      {stun::Method::kData, stun::MessageClass::kIndication},
      stun::TransactionId{});
  no_data.Add(stun::XorPeerAddress{Peer()});
  EXPECT_TRUE(Deliver(Finish(no_data)));
  EXPECT_TRUE(Events().empty());
}

TEST_F(RelayTest, ChannelDataOnAKnownChannelBecomesData) {
  Start();
  ASSERT_TRUE(client().BindChannel(now_, Peer()).ok());
  const stun::MessageView bind = SentMessage();
  // RFC 8656 §12: data may come on the channel before the bind's answer.
  ASSERT_TRUE(Deliver(ChannelData(0x4000, kData)));
  TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kData);
  EXPECT_EQ(event.peer, Peer());
  EXPECT_EQ(event.channel, 0x4000);
  EXPECT_EQ(event.data, kData);
  ASSERT_TRUE(Deliver(SuccessTo(bind)));
  Events();
  // Padded (as over TCP) works too.
  std::vector<uint8_t> padded = ChannelData(0x4000, kData);
  padded.resize(12, 0);
  ASSERT_TRUE(Deliver(padded));
  EXPECT_EQ(OnlyEvent().data, kData);
  // Consumed but dropped: an unknown channel, a length past the end.
  EXPECT_TRUE(Deliver(ChannelData(0x4001, kData)));
  EXPECT_TRUE(Deliver({0x40, 0x00, 0x00, 0x09, 1}));
  EXPECT_TRUE(Events().empty());
  // Not the client's: ChannelData from a peer directly.
  EXPECT_FALSE(Deliver(ChannelData(0x4000, kData), Peer()));
}

TEST_F(RelayTest, RefusesBadPeersAndSendingWithoutAllocation) {
  MakeClient(UdpConfig());
  EXPECT_EQ(client().Send(now_, Peer(), kData).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client().CreatePermission(now_, Peer().ip()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client().BindChannel(now_, Peer()).code(),
            absl::StatusCode::kFailedPrecondition);
  Allocate();
  const absl::Status v6 =
      client().Send(now_, Addr("[2001:db8::9]:7000"), kData);
  EXPECT_EQ(v6.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v6.message(),
            "peer [2001:db8::9]:7000/udp: no IPv6 relayed address to reach it "
            "from");
  EXPECT_EQ(client().Send(now_, Addr("192.0.2.77:7000/tcp"), kData).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client().BindChannel(now_, Addr("192.0.2.77:0")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client().CreatePermission(now_, Ip("0.0.0.0")).code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<uint8_t> too_much(TurnClient::kMaxDataSize + 1, 0);
  EXPECT_EQ(client().Send(now_, Peer(), too_much).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Unsent(), 0u);
  const std::vector<uint8_t> most(TurnClient::kMaxDataSize, 0);
  EXPECT_TRUE(client().Send(now_, Peer(), most).ok());
}

TEST_F(RelayTest, DualAllocationReachesIpv6Peers) {
  TurnClientConfig config = UdpConfig();
  config.additional_ipv6 = true;
  MakeClient(config);
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage(), [](stun::MessageBuilder& b) {
    b.Add(stun::XorRelayedAddress{Relayed()})
        .Add(stun::XorRelayedAddress{Relayed6()});
  })));
  EXPECT_EQ(OnlyEvent().lifetime, 600 * kSecond);  // The default.
  const net::IpAddress peer6 = Ip("2001:db8::9");
  ASSERT_TRUE(client().CreatePermission(now_, peer6).ok());
  EXPECT_EQ(PeerAddresses(SentMessage()), std::vector<net::TransportAddress>{
                                              net::TransportAddress(peer6, 0)});
}

TEST_F(RelayTest, RemovedPermissionIsNoLongerRefreshed) {
  Start();
  const net::TransportAddress bound = Addr("203.0.113.50:9000");
  ASSERT_TRUE(client().CreatePermission(now_, Peer().ip()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  ASSERT_TRUE(client().BindChannel(now_, bound).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  EXPECT_EQ(Events().size(), 3u);
  client().RemovePermission(Peer().ip());
  client().RemovePermission(bound.ip());
  EXPECT_FALSE(client().HasPermission(Peer().ip()));
  EXPECT_EQ(client().BoundChannel(bound), std::nullopt);
  EXPECT_EQ(client().NextTimeout(), kStart + 540 * kSecond);
  RunUntil(kStart + 539 * kSecond);
  EXPECT_EQ(Unsent(), 0u);
  // Data brings the channel back, with its number (RFC 8656 §12: a number
  // must not move to another peer for a while).
  ASSERT_TRUE(client().Send(now_, bound, kData).ok());
  const stun::MessageView rebind = SentMessage();
  EXPECT_EQ(rebind.method(), stun::Method::kChannelBind);
  EXPECT_EQ(rebind.Get<stun::ChannelNumber>()->number, 0x4000);
}

TEST_F(RelayTest, ReceivedDataWaitingIsBounded) {
  Start();
  ASSERT_TRUE(client().BindChannel(now_, Peer()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  Events();
  for (int i = 0; i < 1100; ++i)
    ASSERT_TRUE(Deliver(ChannelData(0x4000, kData)));
  EXPECT_EQ(Events().size(), TurnClient::kMaxQueuedEvents);
  EXPECT_EQ(client().data_dropped(), 1100 - TurnClient::kMaxQueuedEvents);
  ASSERT_TRUE(Deliver(ChannelData(0x4000, kData)));
  EXPECT_EQ(OnlyEvent().kind, Kind::kData);
}

TEST_F(RelayTest, DataWaitingToBeSentIsBounded) {
  TurnClientConfig config = UdpConfig();
  config.use_channels = false;
  Start(config);
  ASSERT_TRUE(client().CreatePermission(now_, Peer().ip()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  for (size_t i = 0; i < TurnClient::kMaxQueuedTransmits; ++i) {
    ASSERT_TRUE(client().Send(now_, Peer(), kData).ok());
  }
  EXPECT_EQ(client().Send(now_, Peer(), kData).code(),
            absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(client().PollTransmit().has_value());
  EXPECT_TRUE(client().Send(now_, Peer(), kData).ok());
}

TEST_F(RelayTest, LosingTheAllocationForgetsThePeers) {
  MakeClient(UdpConfig());
  Allocate(/*lifetime_seconds=*/60);
  ASSERT_TRUE(client().BindChannel(now_, Peer()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage())));
  Events();
  RunUntil(kStart + 30 * kSecond);
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), 437)));
  EXPECT_EQ(OnlyEvent().kind, Kind::kAllocationLost);
  EXPECT_EQ(client().BoundChannel(Peer()), std::nullopt);
  EXPECT_EQ(client().Send(now_, Peer(), kData).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Deliver(ChannelData(0x4000, kData)));
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(client().NextTimeout(), std::nullopt);
}

}  // namespace
}  // namespace pinhole::turn
