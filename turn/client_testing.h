// Test support for `TurnClient`: fixed addresses and credentials, the server's
// answers built by hand with the long-term key, and a fixture that drives one
// client through exact simulated instants. Test-only.
#ifndef PINHOLE_TURN_CLIENT_TESTING_H_
#define PINHOLE_TURN_CLIENT_TESTING_H_

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/testing/addresses.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/client.h"

namespace pinhole::turn::testing {

using net::testing::Addr;
using net::testing::Ip;

inline constexpr net::Time kStart =
    net::Time::FromNanosecondsSinceEpoch(5'000'000'000);
inline constexpr absl::string_view kUser = "alice";
inline constexpr absl::string_view kPassword = "secret";
inline constexpr absl::string_view kRealm = "pinhole.test";
inline constexpr absl::string_view kNonce = "n0nce";

inline net::TransportAddress Local() { return Addr("192.0.2.1:50000"); }
inline net::TransportAddress Server() { return Addr("198.51.100.1:3478"); }
inline net::TransportAddress Relayed() { return Addr("198.51.100.1:49152"); }
inline net::TransportAddress Relayed6() { return Addr("[2001:db8::1]:49153"); }
inline net::TransportAddress Mapped() { return Addr("203.0.113.9:6000"); }
inline net::TransportAddress Peer() { return Addr("192.0.2.77:7000"); }

// A UDP client of Server() from Local(), as alice.
inline TurnClientConfig UdpConfig() {
  TurnClientConfig config;
  config.local = Local();
  config.server = Server();
  config.credential = {std::string(kUser), std::string(kPassword)};
  return config;
}

// The same over TCP from a local address the driver picks.
inline TurnClientConfig TcpConfig() {
  TurnClientConfig config = UdpConfig();
  config.local = Addr("0.0.0.0:0/tcp");
  config.server = Addr("198.51.100.1:3478/tcp");
  return config;
}

inline stun::IntegrityKey Key() {
  absl::StatusOr<stun::IntegrityKey> key =
      stun::IntegrityKey::LongTerm(kUser, kRealm, kPassword);
  if (!key.ok()) std::abort();
  return *std::move(key);
}

inline std::vector<uint8_t> Finish(stun::MessageBuilder& builder) {
  absl::StatusOr<std::vector<uint8_t>> bytes = builder.Finish();
  if (!bytes.ok()) std::abort();
  return *std::move(bytes);
}

// An answer to `request` of class `message_class`: `add` writes its
// attributes, then MESSAGE-INTEGRITY with Key() (when `authenticated`) and
// FINGERPRINT.
inline std::vector<uint8_t> Answer(
    const stun::MessageView& request, stun::MessageClass message_class,
    absl::FunctionRef<void(stun::MessageBuilder&)> add,
    bool authenticated = true) {
  stun::MessageBuilder builder({request.method(), message_class},
                               request.transaction_id());
  add(builder);
  if (authenticated) builder.AddMessageIntegrity(Key());
  builder.AddFingerprint();
  return Finish(builder);
}

inline std::vector<uint8_t> SuccessTo(
    const stun::MessageView& request,
    absl::FunctionRef<void(stun::MessageBuilder&)> add =
        [](stun::MessageBuilder&) {}) {
  return Answer(request, stun::MessageClass::kSuccessResponse, add);
}

// An authenticated error response; `reason` empty gives the standard phrase.
inline std::vector<uint8_t> ErrorTo(const stun::MessageView& request, int code,
                                    absl::string_view reason = "") {
  return Answer(request, stun::MessageClass::kErrorResponse,
                [&](stun::MessageBuilder& builder) {
                  builder.Add(reason.empty() ? stun::ErrorCode::Standard(code)
                                             : stun::ErrorCode{code, reason});
                });
}

// 401 or 438 with REALM and NONCE: the long-term mechanism's challenge.
inline std::vector<uint8_t> ChallengeTo(const stun::MessageView& request,
                                        int code = 401,
                                        absl::string_view nonce = kNonce) {
  return Answer(
      request, stun::MessageClass::kErrorResponse,
      [&](stun::MessageBuilder& builder) {
        builder.Add(stun::ErrorCode::Standard(code))
            .Add(stun::Realm{kRealm})
            .Add(stun::Nonce{nonce});
      },
      /*authenticated=*/false);
}

// The usual Allocate success: XOR-RELAYED-ADDRESS Relayed(), LIFETIME,
// XOR-MAPPED-ADDRESS Mapped().
inline std::vector<uint8_t> AllocatedTo(const stun::MessageView& request,
                                        uint32_t lifetime_seconds = 600) {
  return SuccessTo(request, [&](stun::MessageBuilder& builder) {
    builder.Add(stun::XorRelayedAddress{Relayed()})
        .Add(stun::Lifetime{lifetime_seconds})
        .Add(stun::XorMappedAddress{Mapped()});
  });
}

inline std::vector<uint8_t> DataIndication(const net::TransportAddress& peer,
                                           absl::Span<const uint8_t> data) {
  stun::MessageBuilder builder(
      {stun::Method::kData, stun::MessageClass::kIndication},
      stun::TransactionId{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2});
  builder.Add(stun::XorPeerAddress{peer}).Add(stun::Data{data});
  return Finish(builder);
}

inline std::vector<uint8_t> ChannelData(uint16_t channel,
                                        absl::Span<const uint8_t> data) {
  absl::StatusOr<std::vector<uint8_t>> bytes =
      stun::SerializeChannelData(channel, data, /*pad=*/false);
  if (!bytes.ok()) std::abort();
  return *std::move(bytes);
}

// The attribute types of `message`, in wire order.
inline std::vector<uint16_t> AttributeTypes(const stun::MessageView& message) {
  std::vector<uint16_t> types;
  for (const stun::RawAttribute attribute : message.attributes()) {
    types.push_back(attribute.type);
  }
  return types;
}

class TurnClientTest : public ::testing::Test {
 protected:
  TurnClientTest() : random_(7) {}

  void MakeClient(TurnClientConfig config) {
    absl::StatusOr<std::unique_ptr<TurnClient>> client =
        TurnClient::Create(random_, std::move(config));
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  TurnClient& client() { return *client_; }

  // Calls HandleTimeout at every deadline up to `until`, then sets the clock
  // to `until`. What the client sends is kept for `Sent()`, with its instant.
  void RunUntil(net::Time until) {
    while (true) {
      const std::optional<net::Time> next = client_->NextTimeout();
      if (!next.has_value() || *next > until) break;
      now_ = std::max(now_, *next);
      client_->HandleTimeout(now_);
      Collect();
    }
    now_ = until;
  }

  // Moves what the client queued into the outbox.
  void Collect() {
    while (std::optional<net::Datagram> datagram = client_->PollTransmit()) {
      outbox_.push_back({now_, *std::move(datagram)});
    }
  }

  // The oldest datagram sent and not yet taken (a failed expectation and an
  // empty datagram when there is none). It lives until the test ends.
  const net::Datagram& Sent() {
    Collect();
    EXPECT_FALSE(outbox_.empty()) << "nothing was sent";
    if (outbox_.empty()) return kept_.emplace_back();
    last_sent_at_ = outbox_.front().first;
    kept_.push_back(std::move(outbox_.front().second));
    outbox_.pop_front();
    return kept_.back();
  }

  // The oldest datagram sent, parsed as STUN.
  stun::MessageView SentMessage() {
    const net::Datagram& datagram = Sent();
    absl::StatusOr<stun::MessageView> message =
        stun::MessageView::Parse(datagram.payload);
    EXPECT_TRUE(message.ok()) << message.status();
    if (!message.ok()) {
      // Something to go on failing with: an empty Binding request.
      stun::MessageBuilder builder(
          {stun::Method::kBinding, stun::MessageClass::kRequest}, {});
      kept_.push_back(net::Datagram{{}, {}, Finish(builder)});
      return *stun::MessageView::Parse(kept_.back().payload);
    }
    return *message;
  }

  size_t Unsent() {
    Collect();
    return outbox_.size();
  }

  // Hands `bytes` to the client as sent from `source` (the server by
  // default) to `destination` (the client's local address by default).
  bool Deliver(
      const std::vector<uint8_t>& bytes,
      std::optional<net::TransportAddress> source = std::nullopt,
      std::optional<net::TransportAddress> destination = std::nullopt) {
    const bool taken = client_->HandleDatagram(
        now_, net::DatagramView{source.value_or(client_->config().server),
                                destination.value_or(client_->config().local),
                                bytes});
    Collect();
    return taken;
  }

  std::vector<TurnClientEvent> Events() {
    std::vector<TurnClientEvent> events;
    while (std::optional<TurnClientEvent> event = client_->PollEvent()) {
      events.push_back(*std::move(event));
    }
    return events;
  }

  // The one event pending (a failed expectation when there is not exactly
  // one).
  TurnClientEvent OnlyEvent() {
    std::vector<TurnClientEvent> events = Events();
    EXPECT_EQ(events.size(), 1u);
    return events.empty() ? TurnClientEvent{} : std::move(events.front());
  }

  // Allocate, the 401 challenge, then the authenticated request answered by
  // AllocatedTo; the kAllocated event is taken. The clock stays at now_.
  void Allocate(uint32_t lifetime_seconds = 600) {
    ASSERT_TRUE(client_->Allocate(now_).ok());
    ASSERT_TRUE(Deliver(ChallengeTo(SentMessage())));
    ASSERT_TRUE(Deliver(AllocatedTo(SentMessage(), lifetime_seconds)));
    const TurnClientEvent event = OnlyEvent();
    ASSERT_EQ(event.kind, TurnClientEvent::Kind::kAllocated) << ToString(event);
  }

  net::Time now_ = kStart;
  net::Time last_sent_at_;  // The instant of the datagram Sent() returned.
  net::DeterministicRandom random_;
  std::unique_ptr<TurnClient> client_;
  std::deque<std::pair<net::Time, net::Datagram>> outbox_;
  std::deque<net::Datagram> kept_;
};

}  // namespace pinhole::turn::testing

#endif  // PINHOLE_TURN_CLIENT_TESTING_H_
