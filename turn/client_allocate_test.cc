// `TurnClient`: the allocation's life (RFC 8656 §7-§8) driven sans-IO with
// hand-built server answers and exact simulated instants: Allocate and its
// long-term authentication, failures, the refresh schedule, loss, release.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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
using net::Time;
using Kind = TurnClientEvent::Kind;
using State = TurnClient::State;
using namespace ::pinhole::turn::testing;  // NOLINT: the test vocabulary.
namespace attr = ::pinhole::stun::attr;

constexpr Duration kSecond = Duration::Seconds(1);

class AllocateTest : public TurnClientTest {
 protected:
  void SetUp() override { MakeClient(UdpConfig()); }
};

TEST(TurnClientConfigTest, RejectsWhatTheServerWouldRefuse) {
  const auto invalid = [](TurnClientConfig config) {
    return config.Validate().code() == absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(UdpConfig().Validate().ok());
  EXPECT_TRUE(TcpConfig().Validate().ok());
  TurnClientConfig config = UdpConfig();
  config.requested_family = net::AddressFamily::kIpv6;
  config.additional_ipv6 = true;
  EXPECT_TRUE(invalid(config));
  config = UdpConfig();
  config.reservation_token = 42;
  config.even_port = true;
  EXPECT_TRUE(invalid(config));
  config = UdpConfig();
  config.reserve_next_port = true;
  config.additional_ipv6 = true;
  EXPECT_TRUE(invalid(config));
  config = UdpConfig();
  config.requested_lifetime = Duration::Milliseconds(500);
  EXPECT_TRUE(invalid(config));
  config = UdpConfig();
  config.local = Addr("[2001:db8::2]:50000");
  EXPECT_TRUE(invalid(config));
  config = UdpConfig();
  config.server = Addr("198.51.100.1:3478/tcp");
  EXPECT_TRUE(invalid(config));
  config = UdpConfig();
  config.software = std::string(600, 'x');
  EXPECT_TRUE(invalid(config));
  config = UdpConfig();
  config.retransmission.max_sends = 0;
  EXPECT_TRUE(invalid(config));
  net::DeterministicRandom random(1);
  EXPECT_FALSE(TurnClient::Create(random, config).ok());
}

// RFC 8489 §9.2.3 through StunClient: the first Allocate goes without
// credentials, the 401's realm and nonce make the second one authenticated.
TEST_F(AllocateTest, AuthenticatesAfter401WithTheAttributesOnTheWire) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  EXPECT_EQ(client().state(), State::kAllocating);
  const stun::MessageView first = SentMessage();
  EXPECT_EQ(first.method(), stun::Method::kAllocate);
  EXPECT_EQ(first.message_class(), stun::MessageClass::kRequest);
  EXPECT_EQ(AttributeTypes(first),
            (std::vector<uint16_t>{attr::kRequestedTransport, attr::kSoftware,
                                   attr::kFingerprint}));
  EXPECT_EQ(first.Get<stun::RequestedTransport>()->protocol, 17);
  EXPECT_EQ(first.Get<stun::Software>()->value, "Pinhole");

  now_ += Duration::Milliseconds(20);
  ASSERT_TRUE(Deliver(ChallengeTo(first)));
  EXPECT_TRUE(Events().empty());
  const stun::MessageView second = SentMessage();
  EXPECT_NE(second.transaction_id(), first.transaction_id());
  EXPECT_EQ(
      AttributeTypes(second),
      (std::vector<uint16_t>{attr::kRequestedTransport, attr::kSoftware,
                             attr::kUsername, attr::kRealm, attr::kNonce,
                             attr::kMessageIntegrity, attr::kFingerprint}));
  EXPECT_EQ(second.Get<stun::Username>()->value, kUser);
  EXPECT_EQ(second.Get<stun::Nonce>()->value, kNonce);
  EXPECT_TRUE(stun::VerifyMessageIntegrity(second, Key()).ok());

  now_ += Duration::Milliseconds(20);
  ASSERT_TRUE(Deliver(AllocatedTo(second)));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocated);
  EXPECT_TRUE(event.status.ok());
  EXPECT_EQ(event.relayed, std::vector<net::TransportAddress>{Relayed()});
  EXPECT_EQ(event.mapped, Mapped());
  EXPECT_EQ(event.lifetime, 600 * kSecond);
  EXPECT_FALSE(event.address_error.has_value());
  EXPECT_EQ(client().state(), State::kAllocated);
  EXPECT_EQ(client().relayed_addresses(),
            std::vector<net::TransportAddress>{Relayed()});
  EXPECT_EQ(client().mapped_address(), Mapped());
  // Counted from the request's start, which the server's clock follows.
  EXPECT_EQ(client().expiry(), kStart + 600 * kSecond);
  EXPECT_EQ(client().next_refresh(), kStart + 540 * kSecond);
  EXPECT_EQ(client().NextTimeout(), kStart + 540 * kSecond);
  EXPECT_EQ(Unsent(), 0u);
}

TEST_F(AllocateTest, OptionalAttributesInRfcOrder) {
  TurnClientConfig config = UdpConfig();
  config.requested_family = net::AddressFamily::kIpv6;
  config.requested_lifetime = 1200 * kSecond;
  config.even_port = true;
  config.reserve_next_port = true;
  config.dont_fragment = true;
  config.software.clear();
  MakeClient(config);
  ASSERT_TRUE(client().Allocate(now_).ok());
  const stun::MessageView request = SentMessage();
  EXPECT_EQ(AttributeTypes(request),
            (std::vector<uint16_t>{attr::kRequestedTransport,
                                   attr::kRequestedAddressFamily,
                                   attr::kLifetime, attr::kEvenPort,
                                   attr::kDontFragment, attr::kFingerprint}));
  EXPECT_EQ(request.Get<stun::RequestedAddressFamily>()->family, 0x02);
  EXPECT_EQ(request.Get<stun::Lifetime>()->value, 1200u);
  EXPECT_TRUE(request.Get<stun::EvenPort>()->reserve_next);
}

TEST_F(AllocateTest, ReservationTokenAndDualFamily) {
  TurnClientConfig config = UdpConfig();
  config.reservation_token = 0x0102030405060708;
  MakeClient(config);
  ASSERT_TRUE(client().Allocate(now_).ok());
  stun::MessageView request = SentMessage();
  EXPECT_EQ(
      AttributeTypes(request),
      (std::vector<uint16_t>{attr::kRequestedTransport, attr::kReservationToken,
                             attr::kSoftware, attr::kFingerprint}));
  EXPECT_EQ(request.Get<stun::ReservationToken>()->value, 0x0102030405060708u);

  config = UdpConfig();
  config.additional_ipv6 = true;
  MakeClient(config);
  ASSERT_TRUE(client().Allocate(now_).ok());
  request = SentMessage();
  EXPECT_EQ(AttributeTypes(request),
            (std::vector<uint16_t>{attr::kRequestedTransport,
                                   attr::kAdditionalAddressFamily,
                                   attr::kSoftware, attr::kFingerprint}));
  EXPECT_EQ(request.Get<stun::AdditionalAddressFamily>()->family, 0x02);
}

TEST_F(AllocateTest, StaleNonceIsRetriedWithTheNewNonce) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage(), 438, "fresh")));
  EXPECT_TRUE(Events().empty());
  const stun::MessageView retry = SentMessage();
  EXPECT_EQ(retry.Get<stun::Nonce>()->value, "fresh");
  EXPECT_TRUE(stun::VerifyMessageIntegrity(retry, Key()).ok());
  ASSERT_TRUE(Deliver(AllocatedTo(retry)));
  EXPECT_EQ(OnlyEvent().kind, Kind::kAllocated);
}

class AllocateErrorTest : public AllocateTest,
                          public ::testing::WithParamInterface<int> {};

// RFC 8656 §7.4: each error ends the Allocate with the server's code and
// reason in the event.
TEST_P(AllocateErrorTest, IsReportedWithCodeAndReason) {
  const int code = GetParam();
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), code)));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocateFailed);
  EXPECT_EQ(event.error_code, code);
  EXPECT_EQ(event.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(event.status.message(),
            absl::StrCat("allocate failed: ", code, " ",
                         stun::StandardReasonPhrase(code),
                         " from 198.51.100.1:3478/udp"));
  EXPECT_EQ(client().state(), State::kFailed);
  EXPECT_EQ(client().NextTimeout(), std::nullopt);
  EXPECT_EQ(Unsent(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Rfc8656, AllocateErrorTest,
                         ::testing::Values(403, 437, 440, 441, 442, 486, 508));

TEST_F(AllocateTest, ServerReasonIsKept) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), 486, "Quota of 3 reached")));
  EXPECT_EQ(OnlyEvent().status.message(),
            "allocate failed: 486 Quota of 3 reached from "
            "198.51.100.1:3478/udp");
}

TEST_F(AllocateTest, SecondUnauthorizedMeansWrongPassword) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocateFailed);
  EXPECT_EQ(event.error_code, 401);
  EXPECT_EQ(event.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(event.status.message(),
            "allocate failed: 198.51.100.1:3478/udp rejected the credentials "
            "of alice (401)");
}

TEST_F(AllocateTest, TimeoutFailsAfterTheWholeSchedule) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  RunUntil(kStart + Duration::Milliseconds(39499));
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(Unsent(), 7u);  // At 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s.
  RunUntil(kStart + Duration::Milliseconds(39500));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocateFailed);
  EXPECT_EQ(event.error_code, 0);
  EXPECT_EQ(event.status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(event.status.message(),
            "allocate failed: no response from 198.51.100.1:3478/udp to 7 "
            "requests");
}

TEST_F(AllocateTest, TryAlternateNamesTheAlternateServer) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  const stun::MessageView request = SentMessage();
  ASSERT_TRUE(Deliver(Answer(
      request, stun::MessageClass::kErrorResponse,
      [](stun::MessageBuilder& builder) {
        builder.Add(stun::ErrorCode::Standard(300))
            .Add(stun::AlternateServer{Addr("198.51.100.2:3478")});
      },
      /*authenticated=*/false)));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocateFailed);
  EXPECT_EQ(event.error_code, 300);
  EXPECT_EQ(event.alternate_server, Addr("198.51.100.2:3478"));
  EXPECT_EQ(event.status.message(),
            "allocate failed: 300 Try Alternate from 198.51.100.1:3478/udp; "
            "try 198.51.100.2:3478/udp");
  EXPECT_EQ(Unsent(), 0u);  // Not followed: the owner decides.
}

TEST_F(AllocateTest, DualAllocation) {
  TurnClientConfig config = UdpConfig();
  config.additional_ipv6 = true;
  MakeClient(config);
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage(), [](stun::MessageBuilder& b) {
    b.Add(stun::XorRelayedAddress{Relayed()})
        .Add(stun::XorRelayedAddress{Relayed6()})
        .Add(stun::Lifetime{600})
        .Add(stun::XorMappedAddress{Mapped()});
  })));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocated);
  EXPECT_EQ(event.relayed,
            (std::vector<net::TransportAddress>{Relayed(), Relayed6()}));
  EXPECT_EQ(client().relayed_address(net::AddressFamily::kIpv6), Relayed6());
  EXPECT_EQ(client().relayed_address(net::AddressFamily::kIpv4), Relayed());
}

// RFC 8656 §7.3: one family refused is still an allocation, with the reason.
TEST_F(AllocateTest, DualAllocationWithAddressErrorCode) {
  TurnClientConfig config = UdpConfig();
  config.additional_ipv6 = true;
  MakeClient(config);
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage(), [](stun::MessageBuilder& b) {
    b.Add(stun::XorRelayedAddress{Relayed()})
        .Add(stun::Lifetime{600})
        .Add(stun::XorMappedAddress{Mapped()})
        .Add(stun::AddressErrorCode{net::AddressFamily::kIpv6, 440,
                                    "Address Family not Supported"});
  })));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocated);
  EXPECT_EQ(event.relayed, std::vector<net::TransportAddress>{Relayed()});
  ASSERT_TRUE(event.address_error.has_value());
  EXPECT_EQ(event.address_error->family, net::AddressFamily::kIpv6);
  EXPECT_EQ(event.address_error->code, 440);
  EXPECT_EQ(event.address_error->reason, "Address Family not Supported");
  EXPECT_EQ(client().relayed_address(net::AddressFamily::kIpv6), std::nullopt);
  EXPECT_EQ(ToString(event),
            "allocated: relayed 198.51.100.1:49152/udp, mapped "
            "203.0.113.9:6000/udp, lifetime 600s, no IPv6 relay: 440 Address "
            "Family not Supported");
}

// RFC 8656 §7.3: a success the client cannot use is deleted at once.
TEST_F(AllocateTest, UnusableSuccessIsReportedAndDeleted) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage(), [](stun::MessageBuilder& b) {
    b.Add(stun::Lifetime{600});
  })));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocateFailed);
  EXPECT_EQ(event.status.message(),
            "allocate failed: unusable success response from "
            "198.51.100.1:3478/udp: no XOR-RELAYED-ADDRESS");
  const stun::MessageView cleanup = SentMessage();
  EXPECT_EQ(cleanup.method(), stun::Method::kRefresh);
  EXPECT_EQ(cleanup.Get<stun::Lifetime>()->value, 0u);
  // Its retransmissions could delete a new allocation: not yet.
  EXPECT_EQ(client().Allocate(now_).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Deliver(SuccessTo(cleanup)));
  EXPECT_TRUE(Events().empty());
  EXPECT_TRUE(client().Allocate(now_).ok());
}

// A driver needs the engine before it binds the socket: the client may be
// made with port 0 and told the bound address before it allocates.
TEST_F(AllocateTest, LocalAddressSetAfterBinding) {
  TurnClientConfig config = UdpConfig();
  config.local = Addr("192.0.2.1:0");
  MakeClient(config);
  EXPECT_EQ(client().Allocate(now_).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client().SetLocalAddress(Addr("192.0.2.1:50000/tcp")).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(client().SetLocalAddress(Local()).ok());
  Allocate();
  EXPECT_EQ(client().SetLocalAddress(Addr("192.0.2.1:50001")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client().config().local, Local());
}

TEST_F(AllocateTest, OneAllocationAtATime) {
  Allocate();
  EXPECT_EQ(client().Allocate(now_).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(AllocateTest, IgnoresForeignTraffic) {
  Allocate();
  const std::vector<uint8_t> data = {1, 2, 3};
  // A Data indication is the client's only from the server, to its address.
  EXPECT_FALSE(Deliver(DataIndication(Peer(), data), Peer()));
  EXPECT_FALSE(Deliver(DataIndication(Peer(), data), std::nullopt,
                       Addr("192.0.2.1:50001")));
  EXPECT_FALSE(
      Deliver(DataIndication(Peer(), data), Addr("198.51.100.1:3478/tcp")));
  // A STUN Binding answer from the server to someone else's transaction.
  stun::MessageBuilder binding(
      {stun::Method::kBinding, stun::MessageClass::kSuccessResponse},
      stun::TransactionId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  binding.Add(stun::XorMappedAddress{Mapped()});
  EXPECT_FALSE(Deliver(Finish(binding)));
  // RTP, and bytes that are nothing at all.
  EXPECT_FALSE(Deliver({0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(Deliver({0x05, 0x01}));
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(Unsent(), 0u);
}

// RFC 8656 §8: a minute before expiry, asking for the lifetime granted.
TEST_F(AllocateTest, RefreshesAMinuteBeforeExpiry) {
  Allocate();
  RunUntil(kStart + 540 * kSecond - Duration::Nanoseconds(1));
  EXPECT_EQ(Unsent(), 0u);
  RunUntil(kStart + 540 * kSecond);
  const stun::MessageView refresh = SentMessage();
  EXPECT_EQ(last_sent_at_, kStart + 540 * kSecond);
  EXPECT_EQ(refresh.method(), stun::Method::kRefresh);
  EXPECT_EQ(AttributeTypes(refresh),
            (std::vector<uint16_t>{
                attr::kLifetime, attr::kSoftware, attr::kUsername, attr::kRealm,
                attr::kNonce, attr::kMessageIntegrity, attr::kFingerprint}));
  EXPECT_EQ(refresh.Get<stun::Lifetime>()->value, 600u);
  EXPECT_TRUE(stun::VerifyMessageIntegrity(refresh, Key()).ok());
  now_ += Duration::Milliseconds(40);
  ASSERT_TRUE(Deliver(SuccessTo(
      refresh, [](stun::MessageBuilder& b) { b.Add(stun::Lifetime{600}); })));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kRefreshed);
  EXPECT_EQ(event.lifetime, 600 * kSecond);
  EXPECT_EQ(client().next_refresh(), kStart + 1080 * kSecond);
  EXPECT_EQ(client().expiry(), kStart + 1140 * kSecond);
  RunUntil(kStart + 1080 * kSecond);
  EXPECT_EQ(SentMessage().method(), stun::Method::kRefresh);
  EXPECT_EQ(last_sent_at_, kStart + 1080 * kSecond);
}

TEST_F(AllocateTest, ShortLifetimeIsRefreshedHalfway) {
  Allocate(/*lifetime_seconds=*/60);
  EXPECT_EQ(client().next_refresh(), kStart + 30 * kSecond);
  RunUntil(kStart + 30 * kSecond);
  const stun::MessageView refresh = SentMessage();
  EXPECT_EQ(last_sent_at_, kStart + 30 * kSecond);
  EXPECT_EQ(refresh.Get<stun::Lifetime>()->value, 60u);
}

TEST_F(AllocateTest, RefreshAsksForTheConfiguredLifetime) {
  TurnClientConfig config = UdpConfig();
  config.requested_lifetime = 3600 * kSecond;
  MakeClient(config);
  Allocate(/*lifetime_seconds=*/1800);  // The server's maximum.
  RunUntil(kStart + 1740 * kSecond);
  EXPECT_EQ(SentMessage().Get<stun::Lifetime>()->value, 3600u);
  EXPECT_EQ(last_sent_at_, kStart + 1740 * kSecond);
}

// RFC 8656 §8.3: 437 to a Refresh means the allocation is gone.
TEST_F(AllocateTest, RefreshAnswered437LosesTheAllocation) {
  Allocate();
  RunUntil(kStart + 540 * kSecond);
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), 437)));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocationLost);
  EXPECT_EQ(event.status.message(),
            "allocation lost: 437 Allocation Mismatch from "
            "198.51.100.1:3478/udp");
  EXPECT_EQ(client().state(), State::kLost);
  EXPECT_EQ(client().NextTimeout(), std::nullopt);
}

TEST_F(AllocateTest, UnansweredRefreshesLoseTheAllocationAtExpiry) {
  Allocate();
  RunUntil(kStart + 600 * kSecond - Duration::Nanoseconds(1));
  std::vector<int64_t> sent_ms;
  while (Unsent() > 0) {
    EXPECT_EQ(SentMessage().method(), stun::Method::kRefresh);
    sent_ms.push_back((last_sent_at_ - kStart).ToMilliseconds());
  }
  // The first refresh times out at 579.5 s; the retry 5 s later is cut
  // short by the expiry.
  EXPECT_EQ(sent_ms, (std::vector<int64_t>{540000, 540500, 541500, 543500,
                                           547500, 555500, 571500, 584500,
                                           585000, 586000, 588000, 592000}));
  EXPECT_TRUE(Events().empty());
  RunUntil(kStart + 600 * kSecond);
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocationLost);
  EXPECT_EQ(event.status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(event.status.message(),
            "allocation lost: it expired without a successful refresh "
            "(refresh failed: no response from 198.51.100.1:3478/udp to 7 "
            "requests)");
  EXPECT_EQ(Unsent(), 0u);
  EXPECT_EQ(client().NextTimeout(), std::nullopt);
}

TEST_F(AllocateTest, RefreshErrorIsRetriedFiveSecondsLater) {
  Allocate();
  RunUntil(kStart + 540 * kSecond);
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), 500)));
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(client().next_refresh(), kStart + 545 * kSecond);
  RunUntil(kStart + 545 * kSecond);
  const stun::MessageView retry = SentMessage();
  EXPECT_EQ(last_sent_at_, kStart + 545 * kSecond);
  ASSERT_TRUE(Deliver(SuccessTo(
      retry, [](stun::MessageBuilder& b) { b.Add(stun::Lifetime{600}); })));
  EXPECT_EQ(OnlyEvent().kind, Kind::kRefreshed);
  EXPECT_EQ(client().next_refresh(), kStart + 1085 * kSecond);
}

TEST_F(AllocateTest, ReleaseSendsLifetimeZero) {
  Allocate();
  now_ += 10 * kSecond;
  client().Release(now_);
  EXPECT_EQ(client().state(), State::kReleasing);
  const stun::MessageView release = SentMessage();
  EXPECT_EQ(release.method(), stun::Method::kRefresh);
  EXPECT_EQ(release.Get<stun::Lifetime>()->value, 0u);
  EXPECT_TRUE(stun::VerifyMessageIntegrity(release, Key()).ok());
  ASSERT_TRUE(Deliver(SuccessTo(
      release, [](stun::MessageBuilder& b) { b.Add(stun::Lifetime{0}); })));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kReleased);
  EXPECT_TRUE(event.status.ok());
  EXPECT_EQ(client().state(), State::kReleased);
  EXPECT_EQ(client().NextTimeout(), std::nullopt);
  client().Release(now_);  // Nothing left to release.
  EXPECT_EQ(Unsent(), 0u);
  EXPECT_TRUE(Events().empty());
}

// RFC 8656 §8.3: 437 to a deletion is a success.
TEST_F(AllocateTest, ReleaseAnswered437IsReleased) {
  Allocate();
  client().Release(now_);
  ASSERT_TRUE(Deliver(ErrorTo(SentMessage(), 437)));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kReleased);
  EXPECT_TRUE(event.status.ok());
}

TEST_F(AllocateTest, UnansweredReleaseIsReleasedWithTheReason) {
  Allocate();
  client().Release(now_);
  RunUntil(kStart + 40 * kSecond);
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kReleased);
  EXPECT_EQ(event.status.message(),
            "release not confirmed: no response from 198.51.100.1:3478/udp to "
            "7 requests");
}

TEST_F(AllocateTest, ReleaseDuringAllocateWaitsForTheAnswer) {
  ASSERT_TRUE(client().Allocate(now_).ok());
  ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
  client().Release(now_);
  ASSERT_TRUE(Deliver(AllocatedTo(SentMessage())));
  EXPECT_TRUE(Events().empty());  // No kAllocated: it is being released.
  const stun::MessageView release = SentMessage();
  EXPECT_EQ(release.Get<stun::Lifetime>()->value, 0u);
  ASSERT_TRUE(Deliver(SuccessTo(release)));
  EXPECT_EQ(OnlyEvent().kind, Kind::kReleased);
}

TEST_F(AllocateTest, IPv6Server) {
  TurnClientConfig config = UdpConfig();
  config.local = Addr("[2001:db8::2]:50000");
  config.server = Addr("[2001:db8::3478]:3478");
  MakeClient(config);
  ASSERT_TRUE(client().Allocate(now_).ok());
  const net::Datagram& first = Sent();
  EXPECT_EQ(first.source, config.local);
  EXPECT_EQ(first.destination, config.server);
  const auto view = [](const net::Datagram& d) {
    return *stun::MessageView::Parse(d.payload);
  };
  ASSERT_TRUE(Deliver(ChallengeTo(view(first))));
  ASSERT_TRUE(Deliver(SuccessTo(SentMessage(), [](stun::MessageBuilder& b) {
    b.Add(stun::XorRelayedAddress{Relayed6()}).Add(stun::Lifetime{600});
  })));
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocated);
  EXPECT_EQ(event.relayed, std::vector<net::TransportAddress>{Relayed6()});
  EXPECT_EQ(event.mapped, std::nullopt);
}

// RFC 8489 §6.2.2: over TCP the Allocate goes once and fails after Ti; the
// connection's end is the allocation's end.
TEST_F(AllocateTest, OverTcpTheConnectionCarriesTheAllocation) {
  MakeClient(TcpConfig());
  const net::TransportAddress connected = Addr("192.0.2.1:41000/tcp");
  ASSERT_TRUE(client().Allocate(now_).ok());
  const net::Datagram& first = Sent();
  EXPECT_EQ(first.source, Addr("0.0.0.0:0/tcp"));
  EXPECT_EQ(first.destination, Addr("198.51.100.1:3478/tcp"));
  EXPECT_EQ(client().NextTimeout(), kStart + Duration::Milliseconds(39500));
  const net::TransportAddress server = TcpConfig().server;
  ASSERT_TRUE(Deliver(ChallengeTo(*stun::MessageView::Parse(first.payload)),
                      server, connected));
  ASSERT_TRUE(Deliver(AllocatedTo(SentMessage()), server, connected));
  const TurnClientEvent allocated = OnlyEvent();
  EXPECT_EQ(allocated.mapped, Addr("203.0.113.9:6000/tcp"));
  EXPECT_EQ(allocated.relayed, std::vector<net::TransportAddress>{Relayed()});

  client().HandleConnectionClosed(now_, Addr("198.51.100.9:3478/tcp"));
  EXPECT_TRUE(Events().empty());
  client().HandleConnectionClosed(now_, server);
  const TurnClientEvent lost = OnlyEvent();
  EXPECT_EQ(lost.kind, Kind::kAllocationLost);
  EXPECT_EQ(lost.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(lost.status.message(),
            "allocation lost: the connection to 198.51.100.1:3478/tcp closed");
  EXPECT_EQ(client().NextTimeout(), std::nullopt);
}

TEST_F(AllocateTest, ConnectionClosedMeansNothingOverUdp) {
  Allocate();
  client().HandleConnectionClosed(now_, Server());
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(client().state(), State::kAllocated);
}

TEST_F(AllocateTest, ConnectionClosedWhileAllocatingFailsTheAllocate) {
  MakeClient(TcpConfig());
  ASSERT_TRUE(client().Allocate(now_).ok());
  client().HandleConnectionClosed(now_, TcpConfig().server);
  const TurnClientEvent event = OnlyEvent();
  EXPECT_EQ(event.kind, Kind::kAllocateFailed);
  EXPECT_EQ(event.status.message(),
            "allocate failed: the connection to 198.51.100.1:3478/tcp closed");
  EXPECT_EQ(Unsent(), 0u);  // The unsent request went with the connection.
  EXPECT_TRUE(client().Allocate(now_).ok());
}

}  // namespace
}  // namespace pinhole::turn
