// RFC 5769's test vectors, parsed and produced byte for byte.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/testing/hex.h"
#include "stun/testing/rfc5769_vectors.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::FromHex;
using ::pinhole::stun::testing::ToHex;
namespace vectors = ::pinhole::stun::testing;

TransactionId IdOf(const std::vector<uint8_t>& message) {
  TransactionId id;
  std::copy(message.begin() + 8, message.begin() + 20, id.begin());
  return id;
}

net::TransportAddress Address(const char* text) {
  return net::TransportAddress::Parse(text).value();
}

IntegrityKey ShortTermKey() {
  return IntegrityKey::ShortTerm(vectors::kShortTermPassword).value();
}

IntegrityKey LongTermKey() {
  return IntegrityKey::LongTerm(vectors::kLongTermUsername,
                                vectors::kLongTermRealm,
                                vectors::kLongTermPreparedPassword)
      .value();
}

TEST(Rfc5769Test, SampleRequestParses) {
  const std::vector<uint8_t> bytes = FromHex(vectors::kSampleRequest);
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->type(),
            (MessageType{Method::kBinding, MessageClass::kRequest}));
  EXPECT_FALSE(message->is_rfc3489());
  EXPECT_EQ(message->Get<Software>()->value, vectors::kSampleRequestSoftware);
  EXPECT_EQ(message->Get<Priority>()->value, 0x6e0001ffu);
  EXPECT_EQ(message->Get<IceControlled>()->value, 0x932ff9b151263b36u);
  EXPECT_EQ(message->Get<Username>()->value, vectors::kSampleRequestUsername);
  EXPECT_FALSE(message->Has(attr::kIceControlling));
  EXPECT_TRUE(VerifyMessageIntegrity(*message, ShortTermKey()).ok());
  EXPECT_TRUE(VerifyFingerprint(*message).ok());
  EXPECT_TRUE(message->unknown_comprehension_required().empty());
}

TEST(Rfc5769Test, SampleRequestIsProducedByteForByte) {
  const std::vector<uint8_t> expected = FromHex(vectors::kSampleRequest);
  MessageBuilder builder({Method::kBinding, MessageClass::kRequest},
                         IdOf(expected));
  builder.set_padding_byte(0x20);  // The RFC pads with spaces.
  builder.Add(Software{vectors::kSampleRequestSoftware})
      .Add(Priority{0x6e0001ff})
      .Add(IceControlled{0x932ff9b151263b36})
      .Add(Username{vectors::kSampleRequestUsername})
      .AddMessageIntegrity(ShortTermKey())
      .AddFingerprint();
  absl::StatusOr<std::vector<uint8_t>> produced = builder.Finish();
  ASSERT_TRUE(produced.ok()) << produced.status();
  EXPECT_EQ(ToHex(*produced), ToHex(expected));
}

TEST(Rfc5769Test, SampleIpv4ResponseParses) {
  const std::vector<uint8_t> bytes = FromHex(vectors::kSampleIpv4Response);
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->type(),
            (MessageType{Method::kBinding, MessageClass::kSuccessResponse}));
  EXPECT_EQ(message->Get<Software>()->value, vectors::kResponseSoftware);
  EXPECT_EQ(message->Get<XorMappedAddress>()->address,
            Address(vectors::kIpv4MappedAddress));
  EXPECT_TRUE(VerifyMessageIntegrity(*message, ShortTermKey()).ok());
  EXPECT_TRUE(VerifyFingerprint(*message).ok());
}

TEST(Rfc5769Test, SampleIpv4ResponseIsProducedByteForByte) {
  const std::vector<uint8_t> expected = FromHex(vectors::kSampleIpv4Response);
  MessageBuilder builder({Method::kBinding, MessageClass::kSuccessResponse},
                         IdOf(expected));
  builder.set_padding_byte(0x20);
  builder.Add(Software{vectors::kResponseSoftware})
      .Add(XorMappedAddress{Address(vectors::kIpv4MappedAddress)})
      .AddMessageIntegrity(ShortTermKey())
      .AddFingerprint();
  absl::StatusOr<std::vector<uint8_t>> produced = builder.Finish();
  ASSERT_TRUE(produced.ok()) << produced.status();
  EXPECT_EQ(ToHex(*produced), ToHex(expected));
}

TEST(Rfc5769Test, SampleIpv6ResponseParses) {
  const std::vector<uint8_t> bytes = FromHex(vectors::kSampleIpv6Response);
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->Get<Software>()->value, vectors::kResponseSoftware);
  EXPECT_EQ(message->Get<XorMappedAddress>()->address,
            Address(vectors::kIpv6MappedAddress));
  EXPECT_TRUE(VerifyMessageIntegrity(*message, ShortTermKey()).ok());
  EXPECT_TRUE(VerifyFingerprint(*message).ok());
}

TEST(Rfc5769Test, SampleIpv6ResponseIsProducedByteForByte) {
  const std::vector<uint8_t> expected = FromHex(vectors::kSampleIpv6Response);
  MessageBuilder builder({Method::kBinding, MessageClass::kSuccessResponse},
                         IdOf(expected));
  builder.set_padding_byte(0x20);
  builder.Add(Software{vectors::kResponseSoftware})
      .Add(XorMappedAddress{Address(vectors::kIpv6MappedAddress)})
      .AddMessageIntegrity(ShortTermKey())
      .AddFingerprint();
  absl::StatusOr<std::vector<uint8_t>> produced = builder.Finish();
  ASSERT_TRUE(produced.ok()) << produced.status();
  EXPECT_EQ(ToHex(*produced), ToHex(expected));
}

TEST(Rfc5769Test, SampleLongTermRequestParses) {
  const std::vector<uint8_t> bytes = FromHex(vectors::kSampleLongTermRequest);
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->Get<Username>()->value, vectors::kLongTermUsername);
  EXPECT_EQ(message->Get<Nonce>()->value, vectors::kLongTermNonce);
  EXPECT_EQ(message->Get<Realm>()->value, vectors::kLongTermRealm);
  EXPECT_FALSE(message->fingerprint_offset().has_value());
  EXPECT_TRUE(VerifyMessageIntegrity(*message, LongTermKey()).ok());
  EXPECT_EQ(VerifyFingerprint(*message).code(), absl::StatusCode::kNotFound);
}

TEST(Rfc5769Test, SampleLongTermRequestIsProducedByteForByte) {
  const std::vector<uint8_t> expected =
      FromHex(vectors::kSampleLongTermRequest);
  MessageBuilder builder({Method::kBinding, MessageClass::kRequest},
                         IdOf(expected));
  builder.Add(Username{vectors::kLongTermUsername})
      .Add(Nonce{vectors::kLongTermNonce})
      .Add(Realm{vectors::kLongTermRealm})
      .AddMessageIntegrity(LongTermKey());
  absl::StatusOr<std::vector<uint8_t>> produced = builder.Finish();
  ASSERT_TRUE(produced.ok()) << produced.status();
  EXPECT_EQ(ToHex(*produced), ToHex(expected));
}

TEST(Rfc5769Test, WrongPasswordFailsIntegrityInEveryVector) {
  const IntegrityKey wrong =
      IntegrityKey::ShortTerm("not the password").value();
  for (const char* hex :
       {vectors::kSampleRequest, vectors::kSampleIpv4Response,
        vectors::kSampleIpv6Response, vectors::kSampleLongTermRequest}) {
    const std::vector<uint8_t> bytes = FromHex(hex);
    const MessageView message = MessageView::Parse(bytes).value();
    EXPECT_EQ(VerifyMessageIntegrity(message, wrong).code(),
              absl::StatusCode::kUnauthenticated);
  }
}

}  // namespace
}  // namespace pinhole::stun
