// `StunClient`: matching, retransmission and the long-term credential
// mechanism, driven sans-IO with exact instants.
#include "stun/client.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/transaction.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;

const Time kStart = Time::FromNanosecondsSinceEpoch(5'000'000'000);
const TransportAddress kLocal = *TransportAddress::Parse("192.0.2.1:50000");
const TransportAddress kServer = *TransportAddress::Parse("198.51.100.1:3478");
const TransportAddress kMapped = *TransportAddress::Parse("203.0.113.9:6000");

class StunClientTest : public ::testing::Test {
 protected:
  StunClientTest() : random_(7), client_(random_) {}

  StunClient::Request Binding() {
    StunClient::Request request;
    request.local = kLocal;
    request.server = kServer;
    request.software = "pinhole test";
    return request;
  }

  StunClient::RequestId Start(StunClient::Request request) {
    absl::StatusOr<StunClient::RequestId> id =
        client_.Start(now_, std::move(request));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }

  // The one datagram the client sends now (fails the test if none). It stays
  // alive until the test ends, so views into it do too.
  const net::Datagram& Sent() {
    std::optional<net::Datagram> datagram = client_.PollTransmit();
    EXPECT_TRUE(datagram.has_value());
    if (datagram.has_value()) {
      EXPECT_EQ(datagram->source, kLocal);
      EXPECT_EQ(datagram->destination, kServer);
    }
    return sent_.emplace_back(datagram.value_or(net::Datagram{}));
  }

  static MessageView Parse(const net::Datagram& datagram) {
    absl::StatusOr<MessageView> message = MessageView::Parse(datagram.payload);
    EXPECT_TRUE(message.ok()) << message.status();
    return *message;
  }

  // Delivers `bytes` as if from the server.
  bool Deliver(const std::vector<uint8_t>& bytes,
               TransportAddress source = kServer) {
    return client_.HandleDatagram(now_,
                                  net::DatagramView{source, kLocal, bytes});
  }

  static std::vector<uint8_t> Success(const MessageView& request,
                                      const IntegrityKey* key = nullptr,
                                      bool sha256 = false) {
    MessageBuilder builder({request.method(), MessageClass::kSuccessResponse},
                           request.transaction_id());
    builder.Add(XorMappedAddress{kMapped});
    if (key != nullptr && sha256) builder.AddMessageIntegritySha256(*key);
    if (key != nullptr && !sha256) builder.AddMessageIntegrity(*key);
    return builder.AddFingerprint().Finish().value();
  }

  static std::vector<uint8_t> Error(
      const MessageView& request, int code, absl::string_view realm = "",
      absl::string_view nonce = "",
      const PasswordAlgorithms* algorithms = nullptr) {
    MessageBuilder builder({request.method(), MessageClass::kErrorResponse},
                           request.transaction_id());
    builder.Add(ErrorCode::Standard(code));
    if (!realm.empty()) builder.Add(Realm{realm});
    if (!nonce.empty()) builder.Add(Nonce{nonce});
    if (algorithms != nullptr) builder.Add(*algorithms);
    return builder.AddFingerprint().Finish().value();
  }

  std::optional<StunClient::Event> Event() { return client_.PollEvent(); }

  Time now_ = kStart;
  std::deque<net::Datagram> sent_;
  net::DeterministicRandom random_;
  StunClient client_;
};

TEST_F(StunClientTest, BindingSuccess) {
  const StunClient::RequestId id = Start(Binding());
  const net::Datagram& sent = Sent();
  const MessageView request = Parse(sent);
  EXPECT_EQ(request.method(), Method::kBinding);
  EXPECT_EQ(request.message_class(), MessageClass::kRequest);
  EXPECT_TRUE(VerifyFingerprint(request).ok());
  EXPECT_EQ(request.Get<Software>()->value, "pinhole test");
  EXPECT_FALSE(client_.PollTransmit().has_value());

  now_ += Duration::Milliseconds(30);
  ASSERT_TRUE(Deliver(Success(request)));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->id, id);
  EXPECT_TRUE(event->status.ok()) << event->status;
  ASSERT_TRUE(event->response.has_value());
  EXPECT_EQ(event->response->source, kServer);
  EXPECT_EQ(event->response->view().Get<XorMappedAddress>()->address, kMapped);
  EXPECT_EQ(event->transaction_id, request.transaction_id());
  EXPECT_EQ(client_.pending(), 0u);
  EXPECT_EQ(client_.NextTimeout(), std::nullopt);
  // A retransmitted response for a finished transaction is not ours.
  EXPECT_FALSE(Deliver(Success(request)));
}

TEST_F(StunClientTest, TransactionIdsDiffer) {
  Start(Binding());
  Start(Binding());
  const net::Datagram& first = Sent();
  const net::Datagram& second = Sent();
  EXPECT_NE(Parse(first).transaction_id(), Parse(second).transaction_id());
}

TEST_F(StunClientTest, RetransmitsSameBytesThenTimesOut) {
  const StunClient::RequestId id = Start(Binding());
  const net::Datagram& first = Sent();
  std::vector<int64_t> send_ms = {0};
  for (int step = 0; step < 20; ++step) {
    const std::optional<Time> next = client_.NextTimeout();
    if (!next.has_value()) break;
    now_ = *next;
    client_.HandleTimeout(now_);
    while (std::optional<net::Datagram> again = client_.PollTransmit()) {
      EXPECT_EQ(again->payload, first.payload);
      send_ms.push_back((now_ - kStart).ToMilliseconds());
    }
  }
  EXPECT_EQ(send_ms,
            (std::vector<int64_t>{0, 500, 1500, 3500, 7500, 15500, 31500}));
  EXPECT_EQ(now_ - kStart, Duration::Milliseconds(39500));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->id, id);
  EXPECT_EQ(event->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(event->status.message(),
            "no response from 198.51.100.1:3478/udp to 7 requests");
  EXPECT_FALSE(event->response.has_value());
}

TEST_F(StunClientTest, TcpSendsOnceAndTimesOutAfterTi) {
  StunClient::Request request = Binding();
  request.local = *TransportAddress::Parse("192.0.2.1:50000/tcp");
  request.server = *TransportAddress::Parse("198.51.100.1:3478/tcp");
  Start(std::move(request));
  ASSERT_TRUE(client_.PollTransmit().has_value());
  EXPECT_EQ(client_.NextTimeout(), kStart + Duration::Milliseconds(39500));
  now_ = kStart + Duration::Milliseconds(39500);
  client_.HandleTimeout(now_);
  EXPECT_FALSE(client_.PollTransmit().has_value());
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(event->status.message(),
            "no response from 198.51.100.1:3478/tcp to 1 request");
}

TEST_F(StunClientTest, IgnoresWhatIsNotItsResponse) {
  Start(Binding());
  const MessageView request = Parse(Sent());
  // Another transaction's response, a request, and non-STUN bytes.
  TransactionId other = request.transaction_id();
  other[0] ^= 1;
  EXPECT_FALSE(Deliver(
      MessageBuilder({Method::kBinding, MessageClass::kSuccessResponse}, other)
          .Finish()
          .value()));
  EXPECT_FALSE(
      Deliver(MessageBuilder({Method::kBinding, MessageClass::kRequest},
                             request.transaction_id())
                  .Finish()
                  .value()));
  EXPECT_FALSE(Deliver({0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4}));
  EXPECT_FALSE(Event().has_value());
  EXPECT_EQ(client_.pending(), 1u);
}

TEST_F(StunClientTest, DiscardsBadFingerprintAndWrongMethod) {
  Start(Binding());
  const MessageView request = Parse(Sent());
  std::vector<uint8_t> corrupted = Success(request);
  corrupted.back() ^= 0xFF;
  EXPECT_TRUE(Deliver(corrupted));
  EXPECT_TRUE(Deliver(
      MessageBuilder({Method::kAllocate, MessageClass::kSuccessResponse},
                     request.transaction_id())
          .Finish()
          .value()));
  EXPECT_FALSE(Event().has_value());
  ASSERT_TRUE(Deliver(Success(request)));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(event->status.ok());
}

// RFC 8489 §7.3.3: a success response with an unknown comprehension-required
// attribute fails the transaction.
TEST_F(StunClientTest, UnknownComprehensionRequiredAttributeFails) {
  Start(Binding());
  const MessageView request = Parse(Sent());
  const uint8_t value[4] = {0, 0, 0, 0};
  ASSERT_TRUE(
      Deliver(MessageBuilder({Method::kBinding, MessageClass::kSuccessResponse},
                             request.transaction_id())
                  .Add(XorMappedAddress{kMapped})
                  .AddRaw(0x7F02, value)
                  .Finish()
                  .value()));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(event->status.message(),
            "response from 198.51.100.1:3478/udp carries unknown "
            "comprehension-required attribute 0x7f02");
}

TEST_F(StunClientTest, ResponseFromAnotherAddressCounts) {
  // RFC 5780: CHANGE-REQUEST answers come from the server's other address.
  Start(Binding());
  const MessageView request = Parse(Sent());
  ASSERT_TRUE(
      Deliver(Success(request), *TransportAddress::Parse("198.51.100.2:3479")));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->response->source,
            *TransportAddress::Parse("198.51.100.2:3479"));
}

TEST_F(StunClientTest, ErrorResponseIsReportedWithItsCode) {
  StunClient::Request binding = Binding();
  binding.add_attributes = [](MessageBuilder& builder) {
    builder.Add(ChangeRequest{true, true});
  };
  Start(std::move(binding));
  const MessageView request = Parse(Sent());
  EXPECT_TRUE(request.Get<ChangeRequest>()->change_ip);
  ASSERT_TRUE(Deliver(Error(request, error::kUnknownAttribute)));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(event->status.message(),
            "STUN error 420 (Unknown Attribute) from 198.51.100.1:3478/udp");
  ASSERT_TRUE(event->response.has_value());
  EXPECT_EQ(event->response->view().Get<ErrorCode>()->code, 420);
}

class LongTermAuthTest : public StunClientTest {
 protected:
  StunClient::Request Authenticated() {
    StunClient::Request request = Binding();
    request.method = Method::kAllocate;
    request.long_term = LongTermCredential{"alice", "secret"};
    return request;
  }
  static IntegrityKey Key(
      PasswordAlgorithm algorithm = PasswordAlgorithm::kMd5) {
    return IntegrityKey::LongTerm("alice", "example.org", "secret", algorithm)
        .value();
  }
};

TEST_F(LongTermAuthTest, RetriesOnceAfter401WithRealmAndNonce) {
  const StunClient::RequestId id = Start(Authenticated());
  const net::Datagram& first = Sent();
  const MessageView first_request = Parse(first);
  EXPECT_FALSE(first_request.Has(attr::kUsername));
  EXPECT_FALSE(first_request.Has(attr::kMessageIntegrity));

  ASSERT_TRUE(Deliver(Error(first_request, 401, "example.org", "n0nce")));
  EXPECT_FALSE(Event().has_value());
  const net::Datagram& second = Sent();
  const MessageView retry = Parse(second);
  EXPECT_NE(retry.transaction_id(), first_request.transaction_id());
  EXPECT_EQ(retry.Get<Username>()->value, "alice");
  EXPECT_EQ(retry.Get<Realm>()->value, "example.org");
  EXPECT_EQ(retry.Get<Nonce>()->value, "n0nce");
  EXPECT_TRUE(VerifyMessageIntegrity(retry, Key()).ok());
  EXPECT_TRUE(VerifyFingerprint(retry).ok());

  const IntegrityKey key = Key();
  ASSERT_TRUE(Deliver(Success(retry, &key)));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->id, id);
  EXPECT_TRUE(event->status.ok()) << event->status;

  // The next request to that server is authenticated from the start.
  Start(Authenticated());
  const MessageView next = Parse(Sent());
  EXPECT_EQ(next.Get<Nonce>()->value, "n0nce");
  EXPECT_TRUE(VerifyMessageIntegrity(next, Key()).ok());
}

TEST_F(LongTermAuthTest, SuccessWithoutIntegrityIsDiscarded) {
  Start(Authenticated());
  ASSERT_TRUE(Deliver(Error(Parse(Sent()), 401, "example.org", "n0nce")));
  const MessageView retry = Parse(Sent());
  EXPECT_TRUE(Deliver(Success(retry)));  // No MESSAGE-INTEGRITY.
  const IntegrityKey wrong =
      IntegrityKey::LongTerm("alice", "example.org", "guess").value();
  EXPECT_TRUE(Deliver(Success(retry, &wrong)));
  EXPECT_FALSE(Event().has_value());
  EXPECT_EQ(client_.pending(), 1u);
}

TEST_F(LongTermAuthTest, StaleNonceRetriesWithTheNewNonce) {
  Start(Authenticated());
  ASSERT_TRUE(Deliver(Error(Parse(Sent()), 401, "example.org", "old")));
  const MessageView retry = Parse(Sent());
  ASSERT_TRUE(Deliver(Error(retry, 438, "example.org", "fresh")));
  const MessageView again = Parse(Sent());
  EXPECT_EQ(again.Get<Nonce>()->value, "fresh");
  EXPECT_TRUE(VerifyMessageIntegrity(again, Key()).ok());
  const IntegrityKey key = Key();
  ASSERT_TRUE(Deliver(Success(again, &key)));
  ASSERT_TRUE(Event().has_value());
}

TEST_F(LongTermAuthTest, StaleNonceGivesUpAfterThreeRetries) {
  Start(Authenticated());
  ASSERT_TRUE(Deliver(Error(Parse(Sent()), 401, "example.org", "n")));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Deliver(
        Error(Parse(Sent()), 438, "example.org", absl::StrCat("n", i))));
  }
  ASSERT_TRUE(Deliver(Error(Parse(Sent()), 438, "example.org", "n9")));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(client_.PollTransmit().has_value());
}

TEST_F(LongTermAuthTest, SecondUnauthorizedMeansWrongCredentials) {
  Start(Authenticated());
  ASSERT_TRUE(Deliver(Error(Parse(Sent()), 401, "example.org", "n")));
  ASSERT_TRUE(Deliver(Error(Parse(Sent()), 401, "example.org", "n")));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(event->status.message(),
            "198.51.100.1:3478/udp rejected the credentials of alice (401)");
}

TEST_F(LongTermAuthTest, UnauthorizedWithoutNonceFails) {
  Start(Authenticated());
  ASSERT_TRUE(Deliver(Error(Parse(Sent()), 401, "example.org")));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_FALSE(event->status.ok());
  EXPECT_FALSE(client_.PollTransmit().has_value());
}

TEST_F(LongTermAuthTest, NonceCookieSelectsSha256AndUserhash) {
  Start(Authenticated());
  // Security features: password algorithms and username anonymity.
  const std::string features("\xC0\x00\x00", 3);
  const std::string nonce =
      absl::StrCat("obMatJos2", absl::Base64Escape(features), "rest");
  PasswordAlgorithms offered;
  offered.entries = {{static_cast<uint16_t>(PasswordAlgorithm::kMd5), {}},
                     {static_cast<uint16_t>(PasswordAlgorithm::kSha256), {}}};
  ASSERT_TRUE(
      Deliver(Error(Parse(Sent()), 401, "example.org", nonce, &offered)));
  const MessageView retry = Parse(Sent());
  EXPECT_FALSE(retry.Has(attr::kUsername));
  EXPECT_EQ(retry.Get<Userhash>()->hash,
            Userhash::Compute("alice", "example.org")->hash);
  EXPECT_EQ(retry.Get<PasswordAlgorithmAttribute>()->entry.algorithm,
            static_cast<uint16_t>(PasswordAlgorithm::kSha256));
  EXPECT_EQ(retry.Get<PasswordAlgorithms>()->entries.size(), 2u);
  EXPECT_TRUE(
      VerifyMessageIntegritySha256(retry, Key(PasswordAlgorithm::kSha256))
          .ok());
  const IntegrityKey key = Key(PasswordAlgorithm::kSha256);
  ASSERT_TRUE(Deliver(Success(retry, &key, /*sha256=*/true)));
  std::optional<StunClient::Event> event = Event();
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(event->status.ok()) << event->status;
}

TEST_F(LongTermAuthTest, PasswordAlgorithmsWithoutCookieAreIgnored) {
  Start(Authenticated());
  PasswordAlgorithms offered;
  offered.entries = {{static_cast<uint16_t>(PasswordAlgorithm::kSha256), {}}};
  ASSERT_TRUE(
      Deliver(Error(Parse(Sent()), 401, "example.org", "plain", &offered)));
  const MessageView retry = Parse(Sent());
  EXPECT_FALSE(retry.Has(attr::kPasswordAlgorithm));
  EXPECT_TRUE(VerifyMessageIntegrity(retry, Key()).ok());
}

TEST_F(StunClientTest, ShortTermCredentialSignsEveryRequest) {
  StunClient::Request request = Binding();
  request.short_term = ShortTermCredential{
      "remote:local", IntegrityKey::ShortTerm("pw").value()};
  Start(std::move(request));
  const MessageView sent = Parse(Sent());
  EXPECT_EQ(sent.Get<Username>()->value, "remote:local");
  EXPECT_TRUE(
      VerifyMessageIntegrity(sent, IntegrityKey::ShortTerm("pw").value()).ok());
}

TEST_F(StunClientTest, CancelStopsARequest) {
  const StunClient::RequestId id = Start(Binding());
  client_.Cancel(id);
  EXPECT_FALSE(client_.PollTransmit().has_value());
  EXPECT_EQ(client_.NextTimeout(), std::nullopt);
  EXPECT_FALSE(Event().has_value());
}

TEST_F(StunClientTest, StartRefusesMismatchedRequests) {
  StunClient::Request request = Binding();
  request.server = *TransportAddress::Parse("[2001:db8::1]:3478");
  EXPECT_EQ(client_.Start(now_, std::move(request)).status().code(),
            absl::StatusCode::kInvalidArgument);
  request = Binding();
  request.server = *TransportAddress::Parse("198.51.100.1:3478/tcp");
  EXPECT_EQ(client_.Start(now_, std::move(request)).status().code(),
            absl::StatusCode::kInvalidArgument);
  request = Binding();
  request.retransmission.max_sends = 0;
  EXPECT_EQ(client_.Start(now_, std::move(request)).status().code(),
            absl::StatusCode::kInvalidArgument);
  request = Binding();
  request.software = std::string(600, 'x');
  EXPECT_EQ(client_.Start(now_, std::move(request)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client_.pending(), 0u);
}

}  // namespace
}  // namespace pinhole::stun
