// The TURN server core (RFC 8656) driven sans-IO: every error code produced
// by the request that should cause it, and every timer asserted at its exact
// simulated instant.
#include "turn/server.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/client.h"
#include "stun/error_code.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/server_config.h"
#include "turn/server_testing.h"

namespace pinhole::turn {
namespace {

using net::Duration;
using net::IpAddress;
using net::TransportAddress;
using stun::Method;
using testing::DefaultTestConfig;
using ::testing::ElementsAre;
using testing::ErrorCodeOf;
using ::testing::HasSubstr;
using testing::kClientAddress;
using testing::kRelayIpv4;
using testing::kServerAddress;
using testing::TurnServerHarness;

const TransportAddress kPeer = *TransportAddress::Parse("192.0.2.10:6000");
const TransportAddress kOtherPeer = *TransportAddress::Parse("192.0.2.11:7000");

// Adds REQUESTED-TRANSPORT UDP and whatever `more` adds.
absl::AnyInvocable<void(stun::MessageBuilder&)> AllocateAttributes(
    absl::AnyInvocable<void(stun::MessageBuilder&)> more = {}) {
  return [more = std::move(more)](stun::MessageBuilder& b) mutable {
    b.Add(stun::RequestedTransport{});
    if (more) more(b);
  };
}

absl::AnyInvocable<void(stun::MessageBuilder&)> Peer(TransportAddress peer) {
  return [peer](stun::MessageBuilder& b) { b.Add(stun::XorPeerAddress{peer}); };
}

absl::AnyInvocable<void(stun::MessageBuilder&)> Bind(uint16_t channel,
                                                     TransportAddress peer) {
  return [channel, peer](stun::MessageBuilder& b) {
    b.Add(stun::ChannelNumber{channel});
    b.Add(stun::XorPeerAddress{peer});
  };
}

absl::AnyInvocable<void(stun::MessageBuilder&)> WithLifetime(uint32_t s) {
  return [s](stun::MessageBuilder& b) { b.Add(stun::Lifetime{s}); };
}

std::vector<TransportAddress> Relayed(const stun::StunClient::Event& event) {
  std::vector<TransportAddress> out;
  if (!event.response.has_value()) return out;
  const stun::MessageView view = event.response->view();
  for (const stun::RawAttribute& a : view.attributes()) {
    if (a.type != stun::attr::kXorRelayedAddress) continue;
    absl::StatusOr<stun::XorRelayedAddress> r =
        stun::XorRelayedAddress::Decode(a.value, view);
    if (r.ok()) out.push_back(r->address);
  }
  return out;
}

uint32_t LifetimeOf(const stun::StunClient::Event& event) {
  absl::StatusOr<stun::Lifetime> l =
      event.response->view().Get<stun::Lifetime>();
  return l.ok() ? l->value : 0xFFFFFFFF;
}

class TurnServerTest : public ::testing::Test {
 protected:
  explicit TurnServerTest(TurnServerConfig config = DefaultTestConfig())
      : h_(std::move(config)) {}

  // Allocates from kClientAddress; returns the relayed address.
  TransportAddress Allocate() {
    stun::StunClient::Event event =
        h_.Exchange(Method::kAllocate, AllocateAttributes());
    EXPECT_TRUE(event.status.ok()) << event.status;
    std::vector<TransportAddress> relayed = Relayed(event);
    EXPECT_EQ(relayed.size(), 1u);
    return relayed.empty() ? TransportAddress() : relayed[0];
  }

  void Permit(TransportAddress peer) {
    stun::StunClient::Event e =
        h_.Exchange(Method::kCreatePermission, Peer(peer));
    EXPECT_TRUE(e.status.ok()) << e.status;
  }

  // A datagram from `peer` to the relayed address; what reaches the client.
  std::vector<net::Datagram> FromPeer(TransportAddress peer,
                                      TransportAddress relayed,
                                      std::vector<uint8_t> bytes) {
    return h_.Deliver(peer, relayed, bytes);
  }

  TurnServerHarness h_;
};

TEST_F(TurnServerTest,
       FirstAllocateIsChallengedWith401RealmNonceAndAlgorithms) {
  stun::MessageBuilder b(
      stun::MessageType{Method::kAllocate, stun::MessageClass::kRequest},
      stun::TransactionId{1, 2, 3});
  b.Add(stun::RequestedTransport{});
  std::vector<uint8_t> request = *b.Finish();
  std::vector<net::Datagram> out =
      h_.Deliver(kClientAddress, kServerAddress, request);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].source, kServerAddress);
  EXPECT_EQ(out[0].destination, kClientAddress);
  stun::MessageView response = *stun::MessageView::Parse(out[0].payload);
  EXPECT_EQ(response.message_class(), stun::MessageClass::kErrorResponse);
  EXPECT_EQ(response.Get<stun::ErrorCode>()->code, 401);
  EXPECT_EQ(response.Get<stun::Realm>()->value, "pinhole.test");
  // The nonce cookie (RFC 8489 §9.2) with both security features.
  EXPECT_THAT(std::string(response.Get<stun::Nonce>()->value),
              ::testing::StartsWith("obMatJos2wAAA"));
  absl::StatusOr<stun::PasswordAlgorithms> algorithms =
      response.Get<stun::PasswordAlgorithms>();
  ASSERT_TRUE(algorithms.ok());
  ASSERT_EQ(algorithms->entries.size(), 2u);
  EXPECT_EQ(algorithms->entries[0].algorithm, 2);  // SHA-256 first.
  EXPECT_EQ(algorithms->entries[1].algorithm, 1);
  EXPECT_FALSE(response.message_integrity_offset().has_value());
  EXPECT_TRUE(stun::VerifyFingerprint(response).ok());
  EXPECT_TRUE(h_.relays().open.empty());
}

TEST_F(TurnServerTest, AllocateSucceedsWithRelayedMappedAndLifetime) {
  stun::StunClient::Event event =
      h_.Exchange(Method::kAllocate, AllocateAttributes());
  ASSERT_TRUE(event.status.ok()) << event.status;
  const stun::MessageView view = event.response->view();
  std::vector<TransportAddress> relayed = Relayed(event);
  ASSERT_EQ(relayed.size(), 1u);
  EXPECT_EQ(relayed[0].ip(), kRelayIpv4);
  EXPECT_GE(relayed[0].port(), 49152);
  EXPECT_EQ(LifetimeOf(event), 600u);
  EXPECT_EQ(view.Get<stun::XorMappedAddress>()->address, kClientAddress);
  EXPECT_TRUE(view.Has(stun::attr::kMessageIntegritySha256))
      << "the nonce cookie offered SHA-256 and Pinhole's client took it";
  EXPECT_EQ(h_.relays().open.count(relayed[0]), 1u);
  std::vector<TurnServer::Event> events = h_.Events();
  bool allocated = false;
  for (const TurnServer::Event& e : events) {
    if (e.kind == TurnServer::Event::Kind::kAllocated) {
      allocated = true;
      EXPECT_EQ(e.username, "alice");
      EXPECT_THAT(e.relayed, ElementsAre(relayed[0]));
    }
  }
  EXPECT_TRUE(allocated);
  EXPECT_EQ(h_.server().allocation_count(), 1u);
}

// An RFC 5766 client: USERNAME, REALM, NONCE, MESSAGE-INTEGRITY with the MD5
// key, no PASSWORD-ALGORITHM.
TEST_F(TurnServerTest, ClassicMd5ClientIsAccepted) {
  stun::MessageBuilder first(
      stun::MessageType{Method::kAllocate, stun::MessageClass::kRequest},
      stun::TransactionId{1});
  first.Add(stun::RequestedTransport{});
  std::vector<net::Datagram> challenge =
      h_.Deliver(kClientAddress, kServerAddress, *first.Finish());
  ASSERT_EQ(challenge.size(), 1u);
  const stun::MessageView c = *stun::MessageView::Parse(challenge[0].payload);
  const std::string nonce(c.Get<stun::Nonce>()->value);

  stun::IntegrityKey key =
      *stun::IntegrityKey::LongTerm("alice", "pinhole.test", "secret");
  stun::MessageBuilder second(
      stun::MessageType{Method::kAllocate, stun::MessageClass::kRequest},
      stun::TransactionId{2});
  second.Add(stun::RequestedTransport{});
  second.Add(stun::Username{"alice"});
  second.Add(stun::Realm{"pinhole.test"});
  second.Add(stun::Nonce{nonce});
  second.AddMessageIntegrity(key);
  std::vector<net::Datagram> out =
      h_.Deliver(kClientAddress, kServerAddress, *second.Finish());
  ASSERT_EQ(out.size(), 1u);
  const stun::MessageView r = *stun::MessageView::Parse(out[0].payload);
  EXPECT_EQ(r.message_class(), stun::MessageClass::kSuccessResponse);
  EXPECT_TRUE(stun::VerifyMessageIntegrity(r, key).ok());

  // The same with a wrong password: 401 with a fresh challenge.
  stun::MessageBuilder third(
      stun::MessageType{Method::kRefresh, stun::MessageClass::kRequest},
      stun::TransactionId{3});
  third.Add(stun::Username{"alice"});
  third.Add(stun::Realm{"pinhole.test"});
  third.Add(stun::Nonce{nonce});
  third.AddMessageIntegrity(
      *stun::IntegrityKey::LongTerm("alice", "pinhole.test", "wrong"));
  out = h_.Deliver(kClientAddress, kServerAddress, *third.Finish());
  ASSERT_EQ(out.size(), 1u);
  const stun::MessageView e = *stun::MessageView::Parse(out[0].payload);
  EXPECT_EQ(e.Get<stun::ErrorCode>()->code, 401);
  EXPECT_TRUE(e.Has(stun::attr::kNonce));
}

TEST_F(TurnServerTest, IntegrityWithoutNonceIs400) {
  stun::MessageBuilder b(
      stun::MessageType{Method::kAllocate, stun::MessageClass::kRequest},
      stun::TransactionId{9});
  b.Add(stun::RequestedTransport{});
  b.Add(stun::Username{"alice"});
  b.Add(stun::Realm{"pinhole.test"});
  b.AddMessageIntegrity(
      *stun::IntegrityKey::LongTerm("alice", "pinhole.test", "secret"));
  std::vector<net::Datagram> out =
      h_.Deliver(kClientAddress, kServerAddress, *b.Finish());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(
      stun::MessageView::Parse(out[0].payload)->Get<stun::ErrorCode>()->code,
      400);
}

TEST_F(TurnServerTest, WrongPasswordIs401) {
  TurnServerHarness::Options options;
  options.password = "not-secret";
  stun::StunClient::Event e =
      h_.Exchange(Method::kAllocate, AllocateAttributes(), options);
  EXPECT_FALSE(e.status.ok());
  EXPECT_EQ(ErrorCodeOf(e), 401);
  EXPECT_EQ(h_.server().allocation_count(), 0u);
}

TEST_F(TurnServerTest, UnknownUserIs401) {
  TurnServerHarness::Options options;
  options.username = "mallory";
  stun::StunClient::Event e =
      h_.Exchange(Method::kAllocate, AllocateAttributes(), options);
  EXPECT_EQ(ErrorCodeOf(e), 401);
}

TEST_F(TurnServerTest, StaleNonceIs438AndTheClientRetries) {
  Allocate();
  h_.Events();
  // Nonces live 10 minutes; the allocation is refreshed with one 11 minutes
  // old.
  h_.Advance(Duration::Minutes(5));
  ASSERT_TRUE(h_.Exchange(Method::kRefresh).status.ok());
  h_.Advance(Duration::Minutes(6));
  stun::StunClient::Event e = h_.Exchange(Method::kRefresh);
  EXPECT_TRUE(e.status.ok()) << e.status;
  int stale = 0;
  for (const TurnServer::Event& event : h_.Events()) {
    if (event.kind == TurnServer::Event::Kind::kErrorResponse) {
      EXPECT_EQ(event.error_code, 438);
      ++stale;
    }
  }
  EXPECT_EQ(stale, 1);
}

TEST_F(TurnServerTest, NonceFromAnotherClientAddressIsStale) {
  Allocate();
  // The client's NAT changed its port: the cached nonce was issued to the
  // old address, so the server answers 438 once.
  TurnServerHarness::Options moved;
  moved.from = *TransportAddress::Parse("203.0.113.5:50001");
  h_.Events();
  stun::StunClient::Event e =
      h_.Exchange(Method::kAllocate, AllocateAttributes(), moved);
  EXPECT_TRUE(e.status.ok()) << e.status;
  std::vector<int> codes;
  for (const TurnServer::Event& event : h_.Events()) {
    if (event.kind == TurnServer::Event::Kind::kErrorResponse) {
      codes.push_back(event.error_code);
    }
  }
  EXPECT_THAT(codes, ElementsAre(438));
}

TEST_F(TurnServerTest, AnotherUsersRequestOnTheAllocationIs441) {
  Allocate();
  TurnServerHarness::Options bob;
  bob.username = "bob";
  bob.password = "hunter2";
  h_.ResetClient();
  stun::StunClient::Event e = h_.Exchange(Method::kRefresh, {}, bob);
  EXPECT_EQ(ErrorCodeOf(e), 441);
  EXPECT_THAT(std::string(e.status.message()), HasSubstr("441"));
}

TEST_F(TurnServerTest, SecondAllocateOnTheFiveTupleIs437) {
  Allocate();
  stun::StunClient::Event e =
      h_.Exchange(Method::kAllocate, AllocateAttributes());
  EXPECT_EQ(ErrorCodeOf(e), 437);
  // The same 5-tuple over another server address is another allocation.
  TurnServerHarness::Options other;
  other.server = *TransportAddress::Parse("198.51.100.1:3479");
  EXPECT_TRUE(
      h_.Exchange(Method::kAllocate, AllocateAttributes(), other).status.ok());
}

TEST_F(TurnServerTest, RetransmittedAllocateGetsTheSameSuccess) {
  // Authenticate once so the retransmission is a byte-exact copy.
  Allocate();
  ASSERT_TRUE(h_.Exchange(Method::kRefresh, WithLifetime(0)).status.ok());
  ASSERT_TRUE(
      h_.client()
          .Start(h_.now(),
                 [] {
                   stun::StunClient::Request r;
                   r.local = kClientAddress;
                   r.server = kServerAddress;
                   r.method = Method::kAllocate;
                   r.add_attributes = AllocateAttributes();
                   r.long_term = stun::LongTermCredential{"alice", "secret"};
                   return r;
                 }())
          .ok());
  std::optional<net::Datagram> request = h_.client().PollTransmit();
  ASSERT_TRUE(request.has_value());
  std::vector<net::Datagram> first =
      h_.Deliver(kClientAddress, kServerAddress, request->payload);
  std::vector<net::Datagram> again =
      h_.Deliver(kClientAddress, kServerAddress, request->payload);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(first[0].payload, again[0].payload);
  EXPECT_EQ(h_.server().allocation_count(), 1u);
}

TEST_F(TurnServerTest, RequestsWithoutAnAllocationAre437) {
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kRefresh)), 437);
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kCreatePermission, Peer(kPeer))),
            437);
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x4000, kPeer))),
            437);
}

TEST_F(TurnServerTest, MissingRequestedTransportIs400AndTcpIs442) {
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kAllocate)), 400);
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kAllocate,
                                    [](stun::MessageBuilder& b) {
                                      b.Add(stun::RequestedTransport{
                                          stun::RequestedTransport::kTcp});
                                    })),
            442);
  EXPECT_EQ(h_.server().allocation_count(), 0u);
}

TEST_F(TurnServerTest, FamilyNotRelayedOrUnknownIs440) {
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(
          Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
            b.Add(stun::RequestedAddressFamily::Of(net::AddressFamily::kIpv6));
          }))),
      440);
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kAllocate,
                              AllocateAttributes([](stun::MessageBuilder& b) {
                                b.Add(stun::RequestedAddressFamily{0x03});
                              }))),
      440);
}

TEST_F(TurnServerTest, UnknownComprehensionRequiredAttributeIs420) {
  stun::StunClient::Event e = h_.Exchange(
      Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
        const uint8_t value[4] = {1, 2, 3, 4};
        b.AddRaw(0x0041, value);
      }));
  EXPECT_EQ(ErrorCodeOf(e), 420);
  absl::StatusOr<stun::UnknownAttributes> unknown =
      e.response->view().Get<stun::UnknownAttributes>();
  ASSERT_TRUE(unknown.ok());
  EXPECT_THAT(unknown->types, ElementsAre(0x0041));
}

TEST_F(TurnServerTest, ContradictoryAttributesAre400) {
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kAllocate,
                              AllocateAttributes([](stun::MessageBuilder& b) {
                                b.Add(stun::EvenPort{});
                                b.Add(stun::ReservationToken{42});
                              }))),
      400);
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(
          Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
            b.Add(stun::RequestedAddressFamily::Of(net::AddressFamily::kIpv4));
            b.Add(stun::AdditionalAddressFamily::Of(net::AddressFamily::kIpv6));
          }))),
      400);
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(
          Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
            b.Add(stun::AdditionalAddressFamily::Of(net::AddressFamily::kIpv4));
          }))),
      400);
}

class QuotaTest : public TurnServerTest {
 protected:
  static TurnServerConfig Config() {
    TurnServerConfig config = DefaultTestConfig();
    config.max_allocations_per_user = 2;
    config.max_allocations = 3;
    return config;
  }
  QuotaTest() : TurnServerTest(Config()) {}
};

TEST_F(QuotaTest, UserQuotaIs486AndServerCapIs508) {
  TurnServerHarness::Options options;
  for (uint16_t port = 1; port <= 2; ++port) {
    options.from = TransportAddress(kClientAddress.ip(), port);
    ASSERT_TRUE(h_.Exchange(Method::kAllocate, AllocateAttributes(), options)
                    .status.ok());
  }
  options.from = TransportAddress(kClientAddress.ip(), 3);
  stun::StunClient::Event e =
      h_.Exchange(Method::kAllocate, AllocateAttributes(), options);
  EXPECT_EQ(ErrorCodeOf(e), 486);

  TurnServerHarness::Options bob;
  bob.username = "bob";
  bob.password = "hunter2";
  h_.ResetClient();
  bob.from = TransportAddress(kClientAddress.ip(), 4);
  ASSERT_TRUE(
      h_.Exchange(Method::kAllocate, AllocateAttributes(), bob).status.ok());
  bob.from = TransportAddress(kClientAddress.ip(), 5);
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kAllocate, AllocateAttributes(), bob)),
      508);

  // Releasing one frees the quota.
  options.from = TransportAddress(kClientAddress.ip(), 1);
  h_.ResetClient();
  ASSERT_TRUE(
      h_.Exchange(Method::kRefresh, WithLifetime(0), options).status.ok());
  options.from = TransportAddress(kClientAddress.ip(), 3);
  EXPECT_TRUE(h_.Exchange(Method::kAllocate, AllocateAttributes(), options)
                  .status.ok());
}

class OnePortTest : public TurnServerTest {
 protected:
  static TurnServerConfig Config() {
    TurnServerConfig config = DefaultTestConfig();
    config.relay_port_min = 50000;
    config.relay_port_max = 50001;
    return config;
  }
  OnePortTest() : TurnServerTest(Config()) {}
};

TEST_F(OnePortTest, NoFreePortIs508) {
  // 50001 is held by another process.
  h_.relays().refuse.insert(TransportAddress(kRelayIpv4, 50001));
  EXPECT_EQ(Allocate(), TransportAddress(kRelayIpv4, 50000));
  TurnServerHarness::Options options;
  options.from = TransportAddress(kClientAddress.ip(), 1);
  stun::StunClient::Event e =
      h_.Exchange(Method::kAllocate, AllocateAttributes(), options);
  EXPECT_EQ(ErrorCodeOf(e), 508);
}

TEST_F(TurnServerTest, LifetimeIsClampedBetweenDefaultAndMaximum) {
  TurnServerHarness::Options options;
  const std::vector<std::pair<uint32_t, uint32_t>> cases = {
      {30, 600}, {600, 600}, {1200, 1200}, {3600, 3600}, {7200, 3600}};
  uint16_t port = 1;
  for (const auto& [asked, granted] : cases) {
    options.from = TransportAddress(kClientAddress.ip(), port++);
    h_.ResetClient();
    stun::StunClient::Event e = h_.Exchange(
        Method::kAllocate,
        AllocateAttributes([asked = asked](stun::MessageBuilder& b) {
          b.Add(stun::Lifetime{asked});
        }),
        options);
    ASSERT_TRUE(e.status.ok());
    EXPECT_EQ(LifetimeOf(e), granted) << "asked " << asked;
    // Refresh follows the same rule.
    e = h_.Exchange(Method::kRefresh, WithLifetime(asked), options);
    ASSERT_TRUE(e.status.ok());
    EXPECT_EQ(LifetimeOf(e), granted) << "refresh asked " << asked;
  }
}

TEST_F(TurnServerTest, AllocationExpiresExactlyOnTime) {
  const net::Time start = h_.now();
  const TransportAddress relayed = Allocate();
  Permit(kPeer);
  const net::Time expiry = start + Duration::Seconds(600);
  // Permission refreshed so that only the allocation's expiry matters.
  h_.AdvanceTo(start + Duration::Seconds(290));
  Permit(kPeer);
  h_.AdvanceTo(start + Duration::Seconds(580));
  Permit(kPeer);
  h_.Events();
  h_.AdvanceTo(expiry - Duration::Nanoseconds(1));
  EXPECT_EQ(h_.server().allocation_count(), 1u);
  EXPECT_EQ(FromPeer(kPeer, relayed, {1, 2, 3}).size(), 1u);
  EXPECT_EQ(h_.server().NextTimeout(), expiry);
  h_.AdvanceTo(expiry);
  EXPECT_EQ(h_.server().allocation_count(), 0u);
  EXPECT_TRUE(h_.relays().open.empty());
  std::vector<TurnServer::Event> events = h_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, TurnServer::Event::Kind::kDeallocated);
  EXPECT_EQ(events[0].reason, "expired");
  EXPECT_TRUE(FromPeer(kPeer, relayed, {1, 2, 3}).empty());
}

TEST_F(TurnServerTest, RefreshWithLifetimeZeroDeletes) {
  const TransportAddress relayed = Allocate();
  stun::StunClient::Event e = h_.Exchange(Method::kRefresh, WithLifetime(0));
  ASSERT_TRUE(e.status.ok());
  EXPECT_EQ(LifetimeOf(e), 0u);
  EXPECT_EQ(h_.server().allocation_count(), 0u);
  EXPECT_EQ(h_.relays().open.count(relayed), 0u);
  // Deleted means deleted: a second release is 437.
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kRefresh, WithLifetime(0))), 437);
}

TEST_F(TurnServerTest, RefreshExtendsTheAllocation) {
  const net::Time start = h_.now();
  Allocate();
  h_.AdvanceTo(start + Duration::Seconds(500));
  ASSERT_TRUE(h_.Exchange(Method::kRefresh).status.ok());
  h_.AdvanceTo(start + Duration::Seconds(1099));
  EXPECT_EQ(h_.server().allocation_count(), 1u);
  h_.AdvanceTo(start + Duration::Seconds(1100));
  EXPECT_EQ(h_.server().allocation_count(), 0u);
}

TEST_F(TurnServerTest, PermissionGatesPeerDataAndExpiresAfter300s) {
  const TransportAddress relayed = Allocate();
  EXPECT_TRUE(FromPeer(kPeer, relayed, {7}).empty()) << "no permission yet";
  const net::Time granted = h_.now();
  Permit(kPeer);
  // A permission is for the IP: any port of the peer passes.
  std::vector<net::Datagram> out =
      FromPeer(TransportAddress(kPeer.ip(), 9999), relayed, {7, 8, 9});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].source, kServerAddress);
  EXPECT_EQ(out[0].destination, kClientAddress);
  const stun::MessageView data = *stun::MessageView::Parse(out[0].payload);
  EXPECT_EQ(data.method(), Method::kData);
  EXPECT_EQ(data.message_class(), stun::MessageClass::kIndication);
  EXPECT_EQ(data.Get<stun::XorPeerAddress>()->address,
            TransportAddress(kPeer.ip(), 9999));
  EXPECT_THAT(std::vector<uint8_t>(data.Get<stun::Data>()->value.begin(),
                                   data.Get<stun::Data>()->value.end()),
              ElementsAre(7, 8, 9));
  EXPECT_TRUE(FromPeer(kOtherPeer, relayed, {1}).empty());

  h_.AdvanceTo(granted + Duration::Seconds(300) - Duration::Nanoseconds(1));
  EXPECT_EQ(FromPeer(kPeer, relayed, {1}).size(), 1u);
  h_.AdvanceTo(granted + Duration::Seconds(300));
  EXPECT_TRUE(FromPeer(kPeer, relayed, {1}).empty());
}

TEST_F(TurnServerTest, SendIndicationNeedsAPermission) {
  const TransportAddress relayed = Allocate();
  stun::MessageBuilder send(
      stun::MessageType{Method::kSend, stun::MessageClass::kIndication},
      stun::TransactionId{5});
  send.Add(stun::XorPeerAddress{kPeer});
  const uint8_t payload[] = {1, 2, 3, 4, 5};
  send.Add(stun::Data{payload});
  std::vector<uint8_t> bytes = *send.Finish();
  EXPECT_TRUE(h_.Deliver(kClientAddress, kServerAddress, bytes).empty());
  Permit(kPeer);
  std::vector<net::Datagram> out =
      h_.Deliver(kClientAddress, kServerAddress, bytes);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].source, relayed);
  EXPECT_EQ(out[0].destination, kPeer);
  EXPECT_THAT(out[0].payload, ElementsAre(1, 2, 3, 4, 5));
  // From another 5-tuple: no allocation, dropped.
  EXPECT_TRUE(h_.Deliver(TransportAddress(kClientAddress.ip(), 1),
                         kServerAddress, bytes)
                  .empty());
}

TEST_F(TurnServerTest, ChannelBindRelaysChannelDataBothWays) {
  const TransportAddress relayed = Allocate();
  ASSERT_TRUE(
      h_.Exchange(Method::kChannelBind, Bind(0x4001, kPeer)).status.ok());
  std::vector<net::Datagram> out = FromPeer(kPeer, relayed, {9, 8, 7});
  ASSERT_EQ(out.size(), 1u);
  // Over UDP, unpadded: 4 + 3 bytes.
  EXPECT_THAT(out[0].payload, ElementsAre(0x40, 0x01, 0x00, 0x03, 9, 8, 7));
  // Another port of the same IP has a permission but no channel.
  out = FromPeer(TransportAddress(kPeer.ip(), 1), relayed, {1});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(stun::MessageView::Parse(out[0].payload)->method(), Method::kData);

  const std::vector<uint8_t> channel_data = {0x40, 0x01, 0x00, 0x02, 5, 6};
  out = h_.Deliver(kClientAddress, kServerAddress, channel_data);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].source, relayed);
  EXPECT_EQ(out[0].destination, kPeer);
  EXPECT_THAT(out[0].payload, ElementsAre(5, 6));
  // An unbound channel is dropped.
  EXPECT_TRUE(
      h_.Deliver(kClientAddress, kServerAddress, {0x40, 0x02, 0x00, 0x01, 5})
          .empty());
}

TEST_F(TurnServerTest, ChannelBindRebindingRules) {
  Allocate();
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x3FFF, kPeer))),
            400);
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x5000, kPeer))),
            400);
  ASSERT_TRUE(
      h_.Exchange(Method::kChannelBind, Bind(0x4000, kPeer)).status.ok());
  // Refreshing the same binding is fine.
  EXPECT_TRUE(
      h_.Exchange(Method::kChannelBind, Bind(0x4000, kPeer)).status.ok());
  // The number to another peer, or the peer to another number: 400.
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x4000, kOtherPeer))),
      400);
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x4001, kPeer))),
            400);
  // Missing attributes: 400.
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kChannelBind, Peer(kPeer))), 400);
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kCreatePermission)), 400);
}

TEST_F(TurnServerTest, ChannelExpiresAfter600sAndCanThenBeRebound) {
  const net::Time start = h_.now();
  const TransportAddress relayed = Allocate();
  ASSERT_TRUE(
      h_.Exchange(Method::kChannelBind, Bind(0x4000, kPeer)).status.ok());
  // Keep the permission (and the allocation) alive without touching the
  // channel.
  for (int s : {250, 500}) {
    h_.AdvanceTo(start + Duration::Seconds(s));
    Permit(kPeer);
    ASSERT_TRUE(h_.Exchange(Method::kRefresh).status.ok());
  }
  h_.AdvanceTo(start + Duration::Seconds(600) - Duration::Nanoseconds(1));
  std::vector<net::Datagram> out = FromPeer(kPeer, relayed, {1});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload[0], 0x40);
  h_.AdvanceTo(start + Duration::Seconds(600));
  out = FromPeer(kPeer, relayed, {1});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(stun::MessageView::Parse(out[0].payload)->method(), Method::kData)
      << "the channel is gone: a Data indication instead";
  EXPECT_TRUE(
      h_.Deliver(kClientAddress, kServerAddress, {0x40, 0x00, 0x00, 0x01, 5})
          .empty());
  EXPECT_TRUE(
      h_.Exchange(Method::kChannelBind, Bind(0x4000, kOtherPeer)).status.ok());
}

TEST_F(TurnServerTest, PeerOfTheOtherFamilyIs443) {
  Allocate();
  const TransportAddress v6 = *TransportAddress::Parse("[2001:db8::9]:5000");
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kCreatePermission, Peer(v6))), 443);
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x4000, v6))),
            443);
}

TEST_F(TurnServerTest, ForbiddenPeersAre403AndNothingIsInstalled) {
  const TransportAddress relayed = Allocate();
  const TransportAddress metadata =
      *TransportAddress::Parse("169.254.169.254:80");
  stun::StunClient::Event e =
      h_.Exchange(Method::kCreatePermission, [](stun::MessageBuilder& b) {
        b.Add(stun::XorPeerAddress{kPeer});
        b.Add(stun::XorPeerAddress{*TransportAddress::Parse("127.0.0.1:22")});
      });
  EXPECT_EQ(ErrorCodeOf(e), 403);
  EXPECT_THAT(std::string(e.status.message()), HasSubstr("403"));
  EXPECT_TRUE(FromPeer(kPeer, relayed, {1}).empty())
      << "all or nothing: kPeer was not installed either";
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x4000, metadata))),
      403);
  // On the server's own relay IP only another allocation is a peer: a
  // channel to any other port of it is refused.
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kChannelBind,
                              Bind(0x4001, TransportAddress(kRelayIpv4, 80)))),
      403);
}

// Two clients of one server relay to each other (two relay-only ICE agents):
// the permission for the relay IP is granted, and data goes from one
// allocation to the other inside the server, never to its other ports.
TEST_F(TurnServerTest, AllocationsOfOneServerRelayToEachOther) {
  const TransportAddress mine = Allocate();
  TurnServerHarness::Options second;
  second.from = TransportAddress(kClientAddress.ip(), 50001);
  const TransportAddress theirs =
      Relayed(h_.Exchange(Method::kAllocate, AllocateAttributes(), second))
          .at(0);
  ASSERT_NE(mine, theirs);
  ASSERT_EQ(ErrorCodeOf(h_.Exchange(Method::kCreatePermission, Peer(theirs))),
            0);
  ASSERT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kCreatePermission, Peer(mine), second)),
      0);
  auto send_to = [&](const TransportAddress& peer) {
    stun::MessageBuilder send(
        stun::MessageType{Method::kSend, stun::MessageClass::kIndication},
        stun::TransactionId{6});
    send.Add(stun::XorPeerAddress{peer});
    const uint8_t payload[] = {7, 7};
    send.Add(stun::Data{payload});
    return h_.Deliver(kClientAddress, kServerAddress, *send.Finish());
  };
  const std::vector<net::Datagram> out = send_to(theirs);
  ASSERT_EQ(out.size(), 1u) << "straight to the other client";
  EXPECT_EQ(out[0].destination, second.from);
  EXPECT_TRUE(send_to(TransportAddress(kRelayIpv4, 3478)).empty())
      << "the server's listening port is not a peer";
  EXPECT_EQ(
      ErrorCodeOf(h_.Exchange(Method::kChannelBind, Bind(0x4002, theirs))), 0)
      << "a channel to a live relayed address";
}

TEST_F(TurnServerTest, EvenPortWithReservationHandsTheNextPortToItsToken) {
  stun::StunClient::Event e = h_.Exchange(
      Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
        b.Add(stun::EvenPort{true});
      }));
  ASSERT_TRUE(e.status.ok()) << e.status;
  const TransportAddress rtp = Relayed(e).at(0);
  EXPECT_EQ(rtp.port() % 2, 0);
  absl::StatusOr<stun::ReservationToken> token =
      e.response->view().Get<stun::ReservationToken>();
  ASSERT_TRUE(token.ok());
  const TransportAddress rtcp(rtp.ip(), rtp.port() + 1);
  EXPECT_EQ(h_.relays().open.count(rtcp), 1u) << "the next port is held";

  TurnServerHarness::Options second;
  second.from = TransportAddress(kClientAddress.ip(), 50001);
  e = h_.Exchange(
      Method::kAllocate,
      AllocateAttributes([value = token->value](stun::MessageBuilder& b) {
        b.Add(stun::ReservationToken{value});
      }),
      second);
  ASSERT_TRUE(e.status.ok()) << e.status;
  EXPECT_THAT(Relayed(e), ElementsAre(rtcp));
  // A token works once.
  second.from = TransportAddress(kClientAddress.ip(), 50002);
  e = h_.Exchange(
      Method::kAllocate,
      AllocateAttributes([value = token->value](stun::MessageBuilder& b) {
        b.Add(stun::ReservationToken{value});
      }),
      second);
  EXPECT_EQ(ErrorCodeOf(e), 508);
}

TEST_F(TurnServerTest, ReservationLapsesAfter30s) {
  const net::Time start = h_.now();
  stun::StunClient::Event e = h_.Exchange(
      Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
        b.Add(stun::EvenPort{true});
      }));
  ASSERT_TRUE(e.status.ok());
  const TransportAddress rtp = Relayed(e).at(0);
  const uint64_t token =
      e.response->view().Get<stun::ReservationToken>()->value;
  EXPECT_EQ(h_.server().NextTimeout(), start + Duration::Seconds(30));
  h_.AdvanceTo(start + Duration::Seconds(30));
  EXPECT_EQ(h_.relays().open.count(TransportAddress(rtp.ip(), rtp.port() + 1)),
            0u);
  TurnServerHarness::Options second;
  second.from = TransportAddress(kClientAddress.ip(), 50001);
  e = h_.Exchange(Method::kAllocate,
                  AllocateAttributes([token](stun::MessageBuilder& b) {
                    b.Add(stun::ReservationToken{token});
                  }),
                  second);
  EXPECT_EQ(ErrorCodeOf(e), 508);
}

TEST_F(TurnServerTest, DontFragmentOpensTheRelayWithDf) {
  stun::StunClient::Event e = h_.Exchange(
      Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
        b.Add(stun::DontFragment{});
      }));
  ASSERT_TRUE(e.status.ok()) << e.status;
  EXPECT_TRUE(h_.relays().open.at(Relayed(e).at(0)));
}

TEST_F(TurnServerTest, BindingIsAnsweredWithoutCredentials) {
  TurnServerHarness::Options anonymous;
  anonymous.authenticate = false;
  stun::StunClient::Event e = h_.Exchange(Method::kBinding, {}, anonymous);
  ASSERT_TRUE(e.status.ok()) << e.status;
  EXPECT_EQ(e.response->view().Get<stun::XorMappedAddress>()->address,
            kClientAddress);
}

class DualStackTest : public TurnServerTest {
 protected:
  static TurnServerConfig Config() {
    TurnServerConfig config = DefaultTestConfig();
    config.relay_ipv6 = testing::kRelayIpv6;
    return config;
  }
  DualStackTest() : TurnServerTest(Config()) {}
};

TEST_F(DualStackTest, AdditionalFamilyGivesBothRelayedAddresses) {
  stun::StunClient::Event e = h_.Exchange(
      Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
        b.Add(stun::AdditionalAddressFamily::Of(net::AddressFamily::kIpv6));
      }));
  ASSERT_TRUE(e.status.ok()) << e.status;
  std::vector<TransportAddress> relayed = Relayed(e);
  ASSERT_EQ(relayed.size(), 2u);
  EXPECT_EQ(relayed[0].ip(), kRelayIpv4);
  EXPECT_EQ(relayed[1].ip(), testing::kRelayIpv6);
  // Peers of both families are permitted and relayed from the right address.
  const TransportAddress v6 = *TransportAddress::Parse("[2001:db8::9]:5000");
  ASSERT_TRUE(
      h_.Exchange(Method::kCreatePermission, [&](stun::MessageBuilder& b) {
          b.Add(stun::XorPeerAddress{kPeer});
          b.Add(stun::XorPeerAddress{v6});
        }).status.ok());
  std::vector<net::Datagram> out = FromPeer(v6, relayed[1], {1});
  EXPECT_EQ(out.size(), 1u);
}

TEST_F(DualStackTest, Ipv6OnlyAllocation) {
  stun::StunClient::Event e = h_.Exchange(
      Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
        b.Add(stun::RequestedAddressFamily::Of(net::AddressFamily::kIpv6));
      }));
  ASSERT_TRUE(e.status.ok());
  EXPECT_EQ(Relayed(e).at(0).family(), net::AddressFamily::kIpv6);
  // Refresh for IPv4 on an IPv6 allocation: 443.
  EXPECT_EQ(ErrorCodeOf(h_.Exchange(Method::kRefresh,
                                    [](stun::MessageBuilder& b) {
                                      b.Add(stun::RequestedAddressFamily::Of(
                                          net::AddressFamily::kIpv4));
                                    })),
            443);
}

TEST_F(TurnServerTest, DualAllocationWithoutIpv6ReportsAddressErrorCode) {
  stun::StunClient::Event e = h_.Exchange(
      Method::kAllocate, AllocateAttributes([](stun::MessageBuilder& b) {
        b.Add(stun::AdditionalAddressFamily::Of(net::AddressFamily::kIpv6));
      }));
  ASSERT_TRUE(e.status.ok()) << e.status;
  EXPECT_EQ(Relayed(e).size(), 1u);
  absl::StatusOr<stun::AddressErrorCode> error =
      e.response->view().Get<stun::AddressErrorCode>();
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->family, net::AddressFamily::kIpv6);
  EXPECT_EQ(error->code, 440);
}

TEST(TurnServerStreamTest, ChannelDataToTcpClientsIsPaddedAndCloseDeletes) {
  TurnServerHarness h;
  TurnServerHarness::Options tcp;
  tcp.from = *TransportAddress::Parse("203.0.113.5:50000/tcp");
  tcp.server = *TransportAddress::Parse("198.51.100.1:3478/tcp");
  stun::StunClient::Event e =
      h.Exchange(Method::kAllocate, AllocateAttributes(), tcp);
  ASSERT_TRUE(e.status.ok()) << e.status;
  const TransportAddress relayed = Relayed(e).at(0);
  EXPECT_EQ(relayed.protocol(), net::TransportProtocol::kUdp);
  ASSERT_TRUE(
      h.Exchange(Method::kChannelBind, Bind(0x4000, kPeer), tcp).status.ok());
  std::vector<net::Datagram> out = h.Deliver(kPeer, relayed, {1, 2, 3, 4, 5});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].destination, tcp.from);
  EXPECT_THAT(out[0].payload,
              ElementsAre(0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0));
  h.server().HandleConnectionClosed(h.now(), tcp.from, tcp.server);
  EXPECT_EQ(h.server().allocation_count(), 0u);
  EXPECT_TRUE(h.relays().open.empty());
}

TEST(TurnServerConfigTest, InvalidConfigurationsAreRefusedWithAReason) {
  TurnServerConfig config = DefaultTestConfig();
  config.users.clear();
  EXPECT_THAT(std::string(TurnServerHarness(config).create_status().message()),
              HasSubstr("users"));
  config = DefaultTestConfig();
  config.relay_ipv4.reset();
  EXPECT_THAT(std::string(TurnServerHarness(config).create_status().message()),
              HasSubstr("relay"));
  config = DefaultTestConfig();
  config.relay_port_min = 6000;
  config.relay_port_max = 5000;
  EXPECT_FALSE(TurnServerHarness(config).create_status().ok());
  config = DefaultTestConfig();
  config.users.push_back({"alice", "again"});
  EXPECT_THAT(std::string(TurnServerHarness(config).create_status().message()),
              HasSubstr("twice"));
}

}  // namespace
}  // namespace pinhole::turn
