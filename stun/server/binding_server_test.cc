// BindingServer without RFC 5780 or authentication: what every STUN client
// relies on (RFC 8489 §6.3), and what the server must not answer.
#include "stun/server/binding_server.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/transport_address.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/server/binding_server_testing.h"
#include "stun/testing/hex.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::Addr;
using ::pinhole::stun::testing::Bytes;
using ::pinhole::stun::testing::Client;
using ::pinhole::stun::testing::Deliver;
using ::pinhole::stun::testing::Exchange;
using ::pinhole::stun::testing::kId;
using ::pinhole::stun::testing::MakeServer;
using ::pinhole::stun::testing::PlainConfig;
using ::pinhole::stun::testing::Primary;
using ::pinhole::stun::testing::Request;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = BindingServer::Event::Kind;

constexpr MessageType kSuccess{Method::kBinding,
                               MessageClass::kSuccessResponse};
constexpr MessageType kError{Method::kBinding, MessageClass::kErrorResponse};

std::vector<uint16_t> AttributeTypes(const MessageView& message) {
  std::vector<uint16_t> types;
  for (const RawAttribute attribute : message.attributes()) {
    types.push_back(attribute.type);
  }
  return types;
}

int ErrorCodeOf(const MessageView& message) {
  absl::StatusOr<ErrorCode> error = message.Get<ErrorCode>();
  return error.ok() ? error->code : -1;
}

TEST(BindingServerTest, AnswersIpv4RequestWithBothMappedAddresses) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.response().source, Primary());
  EXPECT_EQ(exchange.response().destination, Client());
  const MessageView response = exchange.message();
  EXPECT_EQ(response.type(), kSuccess);
  EXPECT_FALSE(response.is_rfc3489());
  EXPECT_EQ(response.transaction_id(), kId);
  EXPECT_THAT(AttributeTypes(response),
              ElementsAre(attr::kMappedAddress, attr::kXorMappedAddress,
                          attr::kSoftware));
  EXPECT_EQ(response.Get<XorMappedAddress>()->address, Client());
  EXPECT_EQ(response.Get<MappedAddress>()->address, Client());
  EXPECT_EQ(response.Get<Software>()->value, "Pinhole");
  // 198.51.100.7:40000: the port XOR 0x2112, the address XOR the cookie.
  EXPECT_EQ(
      std::vector<uint8_t>(response.Find(attr::kXorMappedAddress)->begin(),
                           response.Find(attr::kXorMappedAddress)->end()),
      testing::FromHex("0001 bd52 e7 21 c0 45"));
  EXPECT_EQ(std::vector<uint8_t>(response.Find(attr::kMappedAddress)->begin(),
                                 response.Find(attr::kMappedAddress)->end()),
            testing::FromHex("0001 9c40 c6 33 64 07"));
  EXPECT_FALSE(response.fingerprint_offset().has_value());

  EXPECT_EQ(exchange.event().kind, Kind::kAnswered);
  EXPECT_EQ(exchange.event().source, Client());
  EXPECT_EQ(exchange.event().destination, Primary());
  EXPECT_EQ(exchange.event().response_source, Primary());
  EXPECT_EQ(exchange.event().response_destination, Client());
  EXPECT_EQ(server.stats().requests, 1u);
  EXPECT_EQ(server.stats().successes, 1u);
}

TEST(BindingServerTest, AnswersIpv6RequestWithTransactionKeyedXor) {
  BindingServerConfig config;
  config.primary = Addr("[2001:db8::1]:3478");
  BindingServer server = MakeServer(config);
  const net::TransportAddress client = Addr("[2001:db8:1::99]:50000");
  MessageBuilder request = Request();
  const Exchange exchange =
      Deliver(server, Bytes(request), client, config.primary);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.response().source, config.primary);
  EXPECT_EQ(exchange.response().destination, client);
  const MessageView response = exchange.message();
  EXPECT_EQ(response.Get<XorMappedAddress>()->address, client);
  EXPECT_EQ(response.Get<MappedAddress>()->address, client);
  // RFC 8489 §14.2: the last 12 bytes XOR the transaction ID.
  const absl::Span<const uint8_t> xored =
      *response.Find(attr::kXorMappedAddress);
  ASSERT_EQ(xored.size(), 20u);
  EXPECT_EQ(xored[1], kFamilyIpv6);
  EXPECT_EQ(xored[19], 0x99 ^ kId[11]);
  EXPECT_EQ(xored[4], 0x20 ^ 0x21);
}

TEST(BindingServerTest, EchoesFingerprintThatVerifies) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  request.AddFingerprint();
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  ASSERT_TRUE(response.fingerprint_offset().has_value());
  EXPECT_EQ(*response.fingerprint_offset() + 8, response.size());
  EXPECT_TRUE(VerifyFingerprint(response).ok());
}

TEST(BindingServerTest, DropsRequestWithWrongFingerprint) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  request.AddFingerprint();
  std::vector<uint8_t> bytes = Bytes(request);
  bytes.back() ^= 1;
  const Exchange exchange = Deliver(server, bytes);

  EXPECT_TRUE(exchange.transmits.empty());
  EXPECT_EQ(exchange.event().kind, Kind::kDropped);
  EXPECT_THAT(exchange.event().reason, HasSubstr("FINGERPRINT"));
  EXPECT_EQ(server.stats().dropped, 1u);
}

TEST(BindingServerTest, EmptySoftwareIsOmitted) {
  BindingServerConfig config = PlainConfig();
  config.software.clear();
  BindingServer server = MakeServer(config);
  MessageBuilder request = Request();
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_FALSE(exchange.message().Has(attr::kSoftware));
}

TEST(BindingServerTest, ConsumesIndicationSilently) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder indication({Method::kBinding, MessageClass::kIndication}, kId);
  indication.AddFingerprint();
  const Exchange exchange = Deliver(server, Bytes(indication));

  EXPECT_TRUE(exchange.transmits.empty());
  EXPECT_EQ(exchange.event().kind, Kind::kIndication);
  EXPECT_EQ(server.stats().indications, 1u);
  EXPECT_EQ(server.stats().requests, 0u);
  EXPECT_EQ(server.stats().dropped, 0u);
}

TEST(BindingServerTest, IgnoresResponses) {
  BindingServer server = MakeServer(PlainConfig());
  for (const MessageClass message_class :
       {MessageClass::kSuccessResponse, MessageClass::kErrorResponse}) {
    MessageBuilder response({Method::kBinding, message_class}, kId);
    response.Add(XorMappedAddress{Client()});
    const Exchange exchange = Deliver(server, Bytes(response));
    EXPECT_TRUE(exchange.transmits.empty());
    EXPECT_EQ(exchange.event().kind, Kind::kDropped);
    EXPECT_THAT(exchange.event().reason, HasSubstr("response"));
  }
  EXPECT_EQ(server.stats().dropped, 2u);
}

TEST(BindingServerTest, IgnoresWhatIsNotStun) {
  BindingServer server = MakeServer(PlainConfig());
  const std::vector<std::vector<uint8_t>> garbage = {
      {},
      {0x00, 0x01, 0x00, 0x00},
      // "GET / HTTP/1.1\r\n\r\n..." (first bits 01).
      testing::FromHex("474554202f20485454502f312e310d0a0d0a00000000"),
      // RTP (first bits 10).
      testing::FromHex("80 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 "
                       "00 00 00 00"),
      // A Binding request header whose length field (8) overstates the 4
      // bytes that follow: RFC 8489 §6.3, not "sensible".
      testing::FromHex("0001 0008 2112a442 b7e7a701bc34d686fa87dfae 8022 0000"),
  };
  for (const std::vector<uint8_t>& bytes : garbage) {
    const Exchange exchange = Deliver(server, bytes);
    EXPECT_TRUE(exchange.transmits.empty());
    EXPECT_EQ(exchange.event().kind, Kind::kDropped);
  }
  EXPECT_EQ(server.stats().dropped, garbage.size());
  EXPECT_EQ(server.stats().requests, 0u);
}

TEST(BindingServerTest, DiscardsRequestOfUnsupportedMethod) {
  // RFC 8489 §6.3: a message whose method is not supported is "silently
  // discarded" (no 400).
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder allocate({Method::kAllocate, MessageClass::kRequest}, kId);
  MessageBuilder unknown({static_cast<Method>(0x0ABC), MessageClass::kRequest},
                         kId);
  for (MessageBuilder* request : {&allocate, &unknown}) {
    const Exchange exchange = Deliver(server, Bytes(*request));
    EXPECT_TRUE(exchange.transmits.empty());
    EXPECT_EQ(exchange.event().kind, Kind::kDropped);
    EXPECT_THAT(exchange.event().reason, HasSubstr("unsupported method"));
  }
}

TEST(BindingServerTest, MalformedRequestGets400) {
  BindingServer server = MakeServer(PlainConfig());
  // A sound header; SOFTWARE claims 12 value bytes where 4 remain.
  const std::vector<uint8_t> bytes = testing::FromHex(
      "0001 0008 2112a442 b7e7a701bc34d686fa87dfae 8022 000c 41424344");
  const Exchange exchange = Deliver(server, bytes);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  EXPECT_EQ(response.type(), kError);
  EXPECT_EQ(response.transaction_id(), kId);
  EXPECT_EQ(ErrorCodeOf(response), error::kBadRequest);
  EXPECT_FALSE(response.Has(attr::kXorMappedAddress));
  EXPECT_EQ(exchange.event().kind, Kind::kErrorResponse);
  EXPECT_EQ(exchange.event().error_code, 400);
  EXPECT_THAT(exchange.event().reason, HasSubstr("SOFTWARE"));
  EXPECT_EQ(server.stats().errors_400, 1u);
}

TEST(BindingServerTest, MalformedIndicationIsDropped) {
  BindingServer server = MakeServer(PlainConfig());
  const std::vector<uint8_t> bytes = testing::FromHex(
      "0011 0008 2112a442 b7e7a701bc34d686fa87dfae 8022 000c 41424344");
  const Exchange exchange = Deliver(server, bytes);
  EXPECT_TRUE(exchange.transmits.empty());
  EXPECT_EQ(exchange.event().kind, Kind::kDropped);
}

TEST(BindingServerTest, UnknownComprehensionRequiredAttributesGet420) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  const uint8_t value[4] = {1, 2, 3, 4};
  request
      .AddRaw(0x0002, value)  // RFC 3489 RESPONSE-ADDRESS.
      .AddRaw(0x8FFF, value)  // Comprehension-optional: ignored.
      .AddRaw(0x7F00, value)
      .AddRaw(0x0002, value)  // Listed once.
      .AddFingerprint();
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.response().destination, Client());
  const MessageView response = exchange.message();
  EXPECT_EQ(response.type(), kError);
  EXPECT_EQ(ErrorCodeOf(response), error::kUnknownAttribute);
  EXPECT_THAT(response.Get<UnknownAttributes>()->types,
              ElementsAre(0x0002, 0x7F00));
  EXPECT_TRUE(VerifyFingerprint(response).ok());
  EXPECT_EQ(exchange.event().error_code, 420);
  EXPECT_EQ(server.stats().errors_420, 1u);
}

TEST(BindingServerTest, IgnoresKnownButUnexpectedAttributes) {
  // RFC 8489 §6.3: known-but-unexpected attributes SHOULD be ignored; an ICE
  // check's PRIORITY and a stray MESSAGE-INTEGRITY do not stop the answer.
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  request.Add(Priority{0x6E0001FF}).Add(UseCandidate{});
  absl::StatusOr<IntegrityKey> key = IntegrityKey::ShortTerm("pass");
  ASSERT_TRUE(key.ok());
  request.AddMessageIntegrity(*key);
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.message().type(), kSuccess);
  EXPECT_FALSE(exchange.message().message_integrity_offset().has_value());
}

TEST(BindingServerTest, AnswersRfc3489RequestWithMappedAddressOnly) {
  // A classic request: its 128-bit transaction ID fills bytes 4-19.
  const std::vector<uint8_t> bytes =
      testing::FromHex("0001 0000 0123456789abcdef0123456789abcdef");
  BindingServer server = MakeServer(PlainConfig());
  const Exchange exchange = Deliver(server, bytes);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const std::vector<uint8_t>& payload = exchange.response().payload;
  // RFC 8489 §12.2: the whole 128-bit ID is echoed.
  EXPECT_EQ(std::vector<uint8_t>(payload.begin() + 4, payload.begin() + 20),
            std::vector<uint8_t>(bytes.begin() + 4, bytes.end()));
  const MessageView response = exchange.message();
  EXPECT_TRUE(response.is_rfc3489());
  EXPECT_EQ(response.type(), kSuccess);
  EXPECT_EQ(response.Get<MappedAddress>()->address, Client());
  EXPECT_FALSE(response.Has(attr::kXorMappedAddress));
  EXPECT_FALSE(response.fingerprint_offset().has_value());
}

TEST(BindingServerTest, Rfc3489ChangeRequestIsHonouredWithClassicAttributes) {
  // RFC 3489 §11.2.4: change IP and port. A server with two addresses and two
  // ports answers from the other pair, naming it in SOURCE-ADDRESS (0x0004)
  // and the pair both changes use in CHANGED-ADDRESS (0x0005).
  const std::vector<uint8_t> bytes = testing::FromHex(
      "0001 0008 0123456789abcdef0123456789abcdef 0003 0004 00000006");
  BindingServer server = MakeServer(testing::Rfc5780Config());
  const Exchange exchange = Deliver(server, bytes);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const net::TransportAddress other = testing::Addr("192.0.2.2:3479");
  EXPECT_EQ(exchange.response().source, other);
  const MessageView response = exchange.message();
  EXPECT_TRUE(response.is_rfc3489());
  EXPECT_EQ(response.type(), kSuccess);
  EXPECT_EQ(response.Get<MappedAddress>()->address, Client());
  EXPECT_FALSE(response.Has(attr::kXorMappedAddress));
  EXPECT_FALSE(response.Has(attr::kOtherAddress));
  // 0x0004 and 0x0005 are reserved since RFC 5389: raw address values.
  const std::vector<uint8_t> expected_source = {0x00, 0x01, 0x0D, 0x97,
                                                192,  0,    2,    2};
  const std::vector<uint8_t> expected_changed = {0x00, 0x01, 0x0D, 0x97,
                                                 192,  0,    2,    2};
  const std::optional<absl::Span<const uint8_t>> source = response.Find(0x0004);
  const std::optional<absl::Span<const uint8_t>> changed =
      response.Find(0x0005);
  ASSERT_TRUE(source.has_value());
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(std::vector<uint8_t>(source->begin(), source->end()),
            expected_source);
  EXPECT_EQ(std::vector<uint8_t>(changed->begin(), changed->end()),
            expected_changed);
  // RFC 3489 §11.1: lengths are multiples of 4, padding included.
  EXPECT_EQ(response.Get<Software>()->value, "Pinhole ");
}

TEST(BindingServerTest, Rfc3489ChangeRequestWithoutRfc5780Gets420) {
  const std::vector<uint8_t> bytes = testing::FromHex(
      "0001 0008 0123456789abcdef0123456789abcdef 0003 0004 00000006");
  BindingServer server = MakeServer(PlainConfig());
  const Exchange exchange = Deliver(server, bytes);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  EXPECT_TRUE(response.is_rfc3489());
  EXPECT_EQ(ErrorCodeOf(response), error::kUnknownAttribute);
  EXPECT_THAT(response.Get<UnknownAttributes>()->types,
              ElementsAre(attr::kChangeRequest));
  EXPECT_EQ(exchange.response().source, Primary());
}

TEST(BindingServerTest, WithoutRfc5780ItsRequestAttributesGet420) {
  // RFC 5780 §6: no alternate address, so CHANGE-REQUEST gets a 420;
  // RESPONSE-PORT and PADDING are unsupported likewise (§5, §7.5).
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder change = Request();
  change.Add(ChangeRequest{true, false});
  MessageBuilder port = Request();
  port.Add(ResponsePort{5000});
  MessageBuilder padding = Request();
  padding.Add(Padding{64});
  const uint16_t expected[] = {attr::kChangeRequest, attr::kResponsePort,
                               attr::kPadding};
  MessageBuilder* requests[] = {&change, &port, &padding};
  for (int i = 0; i < 3; ++i) {
    const Exchange exchange = Deliver(server, Bytes(*requests[i]));
    ASSERT_EQ(exchange.transmits.size(), 1u);
    const MessageView response = exchange.message();
    EXPECT_EQ(ErrorCodeOf(response), error::kUnknownAttribute);
    EXPECT_THAT(response.Get<UnknownAttributes>()->types,
                ElementsAre(expected[i]));
    EXPECT_EQ(exchange.response().destination, Client());
  }
}

TEST(BindingServerTest, WithoutRfc5780EmptyChangeRequestIsAnswered) {
  // stuntman's stunclient sends a CHANGE-REQUEST with no flags in its basic
  // test; it asks for nothing a single address cannot do.
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  request.Add(ChangeRequest{});
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  EXPECT_EQ(response.type(), kSuccess);
  EXPECT_FALSE(response.Has(attr::kOtherAddress));
  EXPECT_FALSE(response.Has(attr::kResponseOrigin));
}

TEST(BindingServerTest, DropsWhatCannotBeAnsweredSafely) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  const std::vector<uint8_t> bytes = Bytes(request);
  EXPECT_TRUE(Deliver(server, bytes, Addr("198.51.100.7:0")).transmits.empty());
  EXPECT_TRUE(Deliver(server, bytes, Primary()).transmits.empty());
  EXPECT_EQ(server.stats().dropped, 2u);
}

TEST(BindingServerTest, BoundsQueuedTransmitsAndEvents) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder request = Request();
  const std::vector<uint8_t> bytes = Bytes(request);
  const size_t sent = BindingServer::kMaxQueuedTransmits + 100;
  for (size_t i = 0; i < sent; ++i) {
    server.HandleDatagram(testing::kNow,
                          net::DatagramView{Client(), Primary(), bytes});
  }
  size_t transmits = 0;
  while (server.PollTransmit().has_value()) ++transmits;
  size_t events = 0;
  while (server.PollEvent().has_value()) ++events;

  EXPECT_EQ(transmits, BindingServer::kMaxQueuedTransmits);
  EXPECT_EQ(events, BindingServer::kMaxQueuedEvents);
  const BindingServer::Stats& stats = server.stats();
  EXPECT_EQ(stats.requests, sent);
  EXPECT_EQ(stats.successes, BindingServer::kMaxQueuedTransmits);
  EXPECT_EQ(stats.dropped, 100u);
  EXPECT_EQ(stats.dropped_queue_full, 100u);
  EXPECT_EQ(stats.events_discarded, sent - BindingServer::kMaxQueuedEvents);
  // Drained, it answers again.
  EXPECT_EQ(Deliver(server, bytes).transmits.size(), 1u);
}

TEST(BindingServerTest, HasNoTimers) {
  BindingServer server = MakeServer(PlainConfig());
  EXPECT_EQ(server.NextTimeout(), std::nullopt);
  server.HandleTimeout(testing::kNow);
  EXPECT_EQ(server.PollTransmit(), std::nullopt);
  EXPECT_FALSE(server.PollEvent().has_value());
}

TEST(BindingServerTest, CountsEveryDatagramOnce) {
  BindingServer server = MakeServer(PlainConfig());
  MessageBuilder ok = Request();
  MessageBuilder indication({Method::kBinding, MessageClass::kIndication}, kId);
  MessageBuilder unknown = Request();
  unknown.AddRaw(0x7F00, {});
  const std::vector<uint8_t> garbage = {1, 2, 3};
  Deliver(server, Bytes(ok));
  Deliver(server, Bytes(indication));
  Deliver(server, Bytes(unknown));
  Deliver(server, garbage);
  const BindingServer::Stats& stats = server.stats();
  EXPECT_EQ(stats.datagrams, 4u);
  EXPECT_EQ(stats.successes + stats.errors + stats.indications + stats.dropped,
            stats.datagrams);
  EXPECT_EQ(stats.requests, 2u);
}

}  // namespace
}  // namespace pinhole::stun
