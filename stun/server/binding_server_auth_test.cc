// BindingServer with short-term authentication (RFC 8489 §9.1.3).
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/server/binding_server.h"
#include "stun/server/binding_server_testing.h"
#include "stun/testing/hex.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::Bytes;
using ::pinhole::stun::testing::Client;
using ::pinhole::stun::testing::Deliver;
using ::pinhole::stun::testing::Exchange;
using ::pinhole::stun::testing::MakeServer;
using ::pinhole::stun::testing::Request;
using ::pinhole::stun::testing::Rfc5780Config;
using ::testing::ElementsAre;

constexpr MessageType kSuccess{Method::kBinding,
                               MessageClass::kSuccessResponse};

IntegrityKey Key(absl::string_view password) {
  absl::StatusOr<IntegrityKey> key = IntegrityKey::ShortTerm(password);
  if (!key.ok()) std::abort();
  return *key;
}

BindingServer AuthServer() {
  BindingServerConfig config = Rfc5780Config();
  config.short_term_users = {{"alice", "wonderland"}, {"bob", "builder"}};
  return MakeServer(config);
}

int ErrorCodeOf(const MessageView& message) {
  absl::StatusOr<ErrorCode> error = message.Get<ErrorCode>();
  return error.ok() ? error->code : -1;
}

// An error response sent when authentication failed carries no integrity
// and no USERNAME (RFC 8489 §9.1.3).
void ExpectUnprotectedError(const Exchange& exchange, int code) {
  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  EXPECT_EQ(ErrorCodeOf(response), code);
  EXPECT_FALSE(response.message_integrity_offset().has_value());
  EXPECT_FALSE(response.message_integrity_sha256_offset().has_value());
  EXPECT_FALSE(response.Has(attr::kUsername));
  EXPECT_EQ(exchange.response().destination, Client());
  EXPECT_EQ(exchange.event().error_code, code);
}

TEST(BindingServerAuthTest, AnswersWithMessageIntegrityOfThePassword) {
  BindingServer server = AuthServer();
  MessageBuilder request = Request();
  request.Add(Username{"bob"}).AddMessageIntegrity(Key("builder"));
  request.AddFingerprint();
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  EXPECT_EQ(response.type(), kSuccess);
  EXPECT_TRUE(VerifyMessageIntegrity(response, Key("builder")).ok());
  EXPECT_FALSE(VerifyMessageIntegrity(response, Key("wonderland")).ok());
  EXPECT_FALSE(response.message_integrity_sha256_offset().has_value());
  EXPECT_FALSE(response.Has(attr::kUsername));
  EXPECT_TRUE(VerifyFingerprint(response).ok());
  EXPECT_EQ(response.Get<XorMappedAddress>()->address, Client());
}

TEST(BindingServerAuthTest, AnswersSha256WithSha256OfTheSameLength) {
  for (const size_t length : {size_t{32}, size_t{16}}) {
    BindingServer server = AuthServer();
    MessageBuilder request = Request();
    request.Add(Username{"alice"})
        .AddMessageIntegritySha256(Key("wonderland"), length);
    const Exchange exchange = Deliver(server, Bytes(request));

    ASSERT_EQ(exchange.transmits.size(), 1u);
    const MessageView response = exchange.message();
    EXPECT_EQ(response.type(), kSuccess);
    ASSERT_TRUE(response.message_integrity_sha256_offset().has_value());
    EXPECT_EQ(response.Find(attr::kMessageIntegritySha256)->size(), length);
    EXPECT_TRUE(VerifyMessageIntegritySha256(response, Key("wonderland")).ok());
    EXPECT_FALSE(response.message_integrity_offset().has_value());
  }
}

TEST(BindingServerAuthTest, Sha256DecidesWhenBothArePresent) {
  BindingServer server = AuthServer();
  MessageBuilder request = Request();
  request.Add(Username{"alice"})
      .AddMessageIntegrity(Key("wrong"))
      .AddMessageIntegritySha256(Key("wonderland"));
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.message().type(), kSuccess);
  EXPECT_TRUE(
      VerifyMessageIntegritySha256(exchange.message(), Key("wonderland")).ok());
}

TEST(BindingServerAuthTest, MissingMessageIntegrityOrUsernameGets400) {
  BindingServer server = AuthServer();
  MessageBuilder bare = Request();
  MessageBuilder no_integrity = Request();
  no_integrity.Add(Username{"alice"});
  MessageBuilder no_username = Request();
  no_username.AddMessageIntegrity(Key("wonderland"));
  for (MessageBuilder* request : {&bare, &no_integrity, &no_username}) {
    ExpectUnprotectedError(Deliver(server, Bytes(*request)), 400);
  }
  EXPECT_EQ(server.stats().errors_400, 3u);
}

TEST(BindingServerAuthTest, UnknownUserOrWrongPasswordGets401) {
  BindingServer server = AuthServer();
  MessageBuilder stranger = Request();
  stranger.Add(Username{"mallory"}).AddMessageIntegrity(Key("wonderland"));
  MessageBuilder wrong = Request();
  wrong.Add(Username{"alice"}).AddMessageIntegrity(Key("builder"));
  MessageBuilder wrong_sha256 = Request();
  wrong_sha256.Add(Username{"alice"}).AddMessageIntegritySha256(Key("builder"));
  for (MessageBuilder* request : {&stranger, &wrong, &wrong_sha256}) {
    ExpectUnprotectedError(Deliver(server, Bytes(*request)), 401);
  }
  EXPECT_EQ(server.stats().errors_401, 3u);
}

TEST(BindingServerAuthTest, TamperedRequestGets401) {
  BindingServer server = AuthServer();
  MessageBuilder request = Request();
  request.Add(Software{"client"}).Add(Username{"alice"});
  request.AddMessageIntegrity(Key("wonderland"));
  std::vector<uint8_t> bytes = Bytes(request);
  bytes[24] ^= 0x20;  // "client" -> "Client".
  ExpectUnprotectedError(Deliver(server, bytes), 401);
}

TEST(BindingServerAuthTest, ErrorsAfterAuthenticationAreProtected) {
  // RFC 8489 §9.1.3: once the request authenticated, every response to it,
  // a 420 included, carries MESSAGE-INTEGRITY.
  BindingServer server = AuthServer();
  MessageBuilder request = Request();
  request.AddRaw(0x7F00, {}).Add(Username{"alice"});
  request.AddMessageIntegrity(Key("wonderland"));
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  EXPECT_EQ(ErrorCodeOf(response), error::kUnknownAttribute);
  EXPECT_THAT(response.Get<UnknownAttributes>()->types, ElementsAre(0x7F00));
  EXPECT_TRUE(VerifyMessageIntegrity(response, Key("wonderland")).ok());
}

TEST(BindingServerAuthTest, Rfc3489RequestGets400) {
  BindingServer server = AuthServer();
  const std::vector<uint8_t> bytes =
      testing::FromHex("0001 0000 0123456789abcdef0123456789abcdef");
  const Exchange exchange = Deliver(server, bytes);
  ExpectUnprotectedError(exchange, 400);
  EXPECT_TRUE(exchange.message().is_rfc3489());
}

TEST(BindingServerAuthTest, IndicationsNeedNoCredentials) {
  BindingServer server = AuthServer();
  MessageBuilder indication({Method::kBinding, MessageClass::kIndication},
                            testing::kId);
  const Exchange exchange = Deliver(server, Bytes(indication));
  EXPECT_TRUE(exchange.transmits.empty());
  EXPECT_EQ(server.stats().indications, 1u);
}

}  // namespace
}  // namespace pinhole::stun
