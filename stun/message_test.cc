// MessageView::Parse: structure, the RFC 8489 §14 ordering rules, and every
// malformed case, each with a clear error.
#include "stun/message.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stun/attribute_type.h"
#include "stun/testing/hex.h"
#include "stun/testing/rfc5769_vectors.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::FromHex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A Binding request header with transaction ID 0x01..0x0c; `length` is the
// length field; `attributes` follow as given.
std::vector<uint8_t> Message(uint16_t length, const std::string& attributes,
                             uint32_t cookie = kMagicCookie) {
  std::vector<uint8_t> bytes = {0x00,
                                0x01,
                                static_cast<uint8_t>(length >> 8),
                                static_cast<uint8_t>(length),
                                static_cast<uint8_t>(cookie >> 24),
                                static_cast<uint8_t>(cookie >> 16),
                                static_cast<uint8_t>(cookie >> 8),
                                static_cast<uint8_t>(cookie),
                                1,
                                2,
                                3,
                                4,
                                5,
                                6,
                                7,
                                8,
                                9,
                                10,
                                11,
                                12};
  const std::vector<uint8_t> rest = FromHex(attributes);
  bytes.insert(bytes.end(), rest.begin(), rest.end());
  return bytes;
}

// The same, with the length field computed.
std::vector<uint8_t> Message(const std::string& attributes) {
  return Message(static_cast<uint16_t>(FromHex(attributes).size()), attributes);
}

std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  EXPECT_FALSE(message.ok());
  if (message.ok()) return "";
  EXPECT_EQ(message.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(message.status().message());
}

TEST(MessageParseTest, HeaderOnlyMessageParses) {
  const std::vector<uint8_t> bytes = Message("");
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->method(), Method::kBinding);
  EXPECT_EQ(message->message_class(), MessageClass::kRequest);
  EXPECT_EQ(message->transaction_id(),
            (TransactionId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(message->size(), 20u);
  EXPECT_EQ(message->attributes().begin(), message->attributes().end());
}

TEST(MessageParseTest, TruncatedHeaderIsAnError) {
  const std::vector<uint8_t> full = Message("");
  for (size_t size = 0; size < kHeaderSize; ++size) {
    EXPECT_THAT(
        ErrorOf(std::vector<uint8_t>(full.begin(), full.begin() + size)),
        HasSubstr("shorter than the 20-byte header"));
  }
}

TEST(MessageParseTest, LeadingBitsMustBeZero) {
  std::vector<uint8_t> bytes = Message("");
  bytes[0] = 0x40;  // ChannelData's range.
  EXPECT_THAT(ErrorOf(bytes), HasSubstr("first two bits are 01"));
  bytes[0] = 0x80;  // RTP's range.
  EXPECT_THAT(ErrorOf(bytes), HasSubstr("first two bits are 10"));
}

TEST(MessageParseTest, LengthMustBeAMultipleOfFour) {
  EXPECT_THAT(ErrorOf(Message(6, "00 25 00 00 00 00")),
              HasSubstr("length field 6 is not a multiple of 4"));
}

TEST(MessageParseTest, LengthMustMatchTheBytesPresent) {
  EXPECT_THAT(ErrorOf(Message(8, "00 25 00 00")),
              HasSubstr("says 8 bytes follow the header, but 4 do"));
  EXPECT_THAT(ErrorOf(Message(0, "00 25 00 00")),
              HasSubstr("says 0 bytes follow the header, but 4 do"));
}

TEST(MessageParseTest, AttributeOverrunningTheMessageIsAnError) {
  // PRIORITY claims 8 bytes; 4 remain.
  EXPECT_THAT(ErrorOf(Message("00 24 00 08 00 00 00 01")),
              HasSubstr("PRIORITY at offset 20 claims 8 value bytes but 4 "
                        "remain"));
  // The second attribute claims 0xFFFF bytes.
  EXPECT_THAT(ErrorOf(Message("00 25 00 00 80 22 ff ff")),
              HasSubstr("SOFTWARE at offset 24 claims 65535"));
}

TEST(MessageParseTest, MissingMagicCookieIsAClassicRfc3489Message) {
  const std::vector<uint8_t> bytes =
      Message(12, "00 01 00 08 00 01 12 34 c0 00 02 01", 0xdeadbeef);
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_TRUE(message->is_rfc3489());
  EXPECT_EQ(message->classic_transaction_id().size(), 16u);
  EXPECT_EQ(message->classic_transaction_id()[0], 0xde);
  EXPECT_TRUE(message->Has(attr::kMappedAddress));
  EXPECT_FALSE(LooksLikeStun(bytes));
}

TEST(MessageParseTest, IntegrityAttributesMustHaveTheirSizes) {
  EXPECT_THAT(ErrorOf(Message("00 08 00 10 " + std::string(16 * 3, ' ') +
                              "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                              "00")),
              HasSubstr("MESSAGE-INTEGRITY at offset 20 has 16 bytes, not 20"));
  EXPECT_THAT(ErrorOf(Message("00 1c 00 0c 00 00 00 00 00 00 00 00 00 00 00 "
                              "00")),
              HasSubstr("MESSAGE-INTEGRITY-SHA256 at offset 20 has 12 bytes"));
  EXPECT_THAT(ErrorOf(Message("00 1c 00 12 " + std::string(20 * 3, ' ') +
                              "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                              "00 00 00 00 00")),
              HasSubstr("MESSAGE-INTEGRITY-SHA256 at offset 20 has 18 bytes"));
  EXPECT_THAT(ErrorOf(Message("80 28 00 08 00 00 00 00 00 00 00 00")),
              HasSubstr("FINGERPRINT at offset 20 has 8 bytes, not 4"));
}

TEST(MessageParseTest, AnythingAfterFingerprintIsAnError) {
  EXPECT_THAT(ErrorOf(Message("80 28 00 04 00 00 00 00 00 25 00 00")),
              HasSubstr("USE-CANDIDATE at offset 28 follows FINGERPRINT"));
  EXPECT_THAT(ErrorOf(Message("80 28 00 04 00 00 00 00 80 28 00 04 00 00 00 "
                              "00")),
              HasSubstr("FINGERPRINT at offset 28 follows FINGERPRINT"));
}

constexpr char kIntegrity[] =
    "00 08 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ";
constexpr char kIntegritySha256[] =
    "00 1c 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ";
constexpr char kFingerprint[] = "80 28 00 04 00 00 00 00 ";

// RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY are ignored, except
// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT.
TEST(MessageParseTest, AttributesAfterMessageIntegrityAreIgnored) {
  const std::vector<uint8_t> bytes =
      Message(std::string("00 24 00 04 00 00 00 07 ") + kIntegrity +
              "00 25 00 00 "  // USE-CANDIDATE: ignored.
              "00 33 00 00 "  // Unknown required: ignored.
              "00 08 00 14 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 "
              "11 11 11 11 " +  // A second MI: ignored.
              kIntegritySha256 +
              kFingerprint);
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_TRUE(message->Has(attr::kPriority));
  EXPECT_FALSE(message->Has(attr::kUseCandidate));
  EXPECT_FALSE(message->Has(0x0033));
  EXPECT_TRUE(message->unknown_comprehension_required().empty());
  EXPECT_EQ(message->message_integrity_offset(), 28u);
  EXPECT_EQ(message->Find(attr::kMessageIntegrity)->at(0), 0x00);
  EXPECT_TRUE(message->message_integrity_sha256_offset().has_value());
  EXPECT_TRUE(message->fingerprint_offset().has_value());
  std::vector<uint16_t> types;
  for (const RawAttribute attribute : message->attributes()) {
    types.push_back(attribute.type);
  }
  EXPECT_THAT(types,
              ElementsAre(attr::kPriority, attr::kMessageIntegrity,
                          attr::kMessageIntegritySha256, attr::kFingerprint));
}

// RFC 8489 §14.6: after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT counts, and
// a MESSAGE-INTEGRITY there is ignored too.
TEST(MessageParseTest, AttributesAfterMessageIntegritySha256AreIgnored) {
  const std::vector<uint8_t> bytes =
      Message(std::string(kIntegritySha256) + kIntegrity +
              "00 24 00 04 00 00 00 07 " + kFingerprint);
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_FALSE(message->message_integrity_offset().has_value());
  EXPECT_FALSE(message->Has(attr::kPriority));
  EXPECT_TRUE(message->fingerprint_offset().has_value());
}

TEST(MessageParseTest, FirstOccurrenceOfARepeatedAttributeWins) {
  const std::vector<uint8_t> bytes =
      Message("00 24 00 04 00 00 00 01 00 24 00 04 00 00 00 02");
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_THAT(*message.Find(attr::kPriority), ElementsAre(0, 0, 0, 1));
}

// RFC 8489 §6.3.1: unknown comprehension-required attributes make a request
// fail with 420; unknown comprehension-optional ones are ignored.
TEST(MessageParseTest, UnknownComprehensionRequiredAttributesAreReported) {
  const std::vector<uint8_t> bytes = Message(
      "00 33 00 00 "              // Unknown, required.
      "80 77 00 01 ff 00 00 00 "  // Unknown, optional.
      "7f ff 00 00 "              // Unknown, required.
      "00 33 00 00");             // Repeated: reported once.
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_THAT(message.unknown_comprehension_required(),
              ElementsAre(0x0033, 0x7fff));
  EXPECT_EQ(message.unknown_count(), 2u);
  // Unknown attributes are still reachable by scanning.
  EXPECT_THAT(*message.Find(0x8077), ElementsAre(0xff));
}

TEST(MessageParseTest, ManyUnknownAttributesAreCountedBeyondTheListed) {
  std::string attributes;
  for (int i = 0; i < 20; ++i) {
    char buffer[16];
    snprintf(buffer, sizeof(buffer), "40 %02x 00 00 ", i);
    attributes += buffer;
  }
  const std::vector<uint8_t> bytes = Message(attributes);
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_EQ(message.unknown_comprehension_required().size(),
            MessageView::kMaxUnknownReported);
  EXPECT_EQ(message.unknown_count(), 20u);
}

TEST(MessageParseTest, AttributeValuesViewTheCallersBuffer) {
  const std::vector<uint8_t> bytes = Message("80 22 00 03 61 62 63 00");
  const MessageView message = MessageView::Parse(bytes).value();
  const absl::Span<const uint8_t> value = *message.Find(attr::kSoftware);
  EXPECT_EQ(value.data(), bytes.data() + 24);
  EXPECT_EQ(value.size(), 3u);  // Without the padding.
}

struct OnePriority {
  static constexpr uint16_t kType = attr::kPriority;
  static absl::StatusOr<OnePriority> Decode(absl::Span<const uint8_t>,
                                            const MessageView&) {
    return OnePriority{};
  }
};

TEST(MessageParseTest, GetReportsAMissingAttributeAsNotFound) {
  const std::vector<uint8_t> bytes = Message("");
  const MessageView message = MessageView::Parse(bytes).value();
  absl::StatusOr<OnePriority> priority = message.Get<OnePriority>();
  EXPECT_EQ(priority.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(priority.status().message()),
              HasSubstr("no PRIORITY"));
}

TEST(MessageParseTest, LooksLikeStunAndFrameSize) {
  const std::vector<uint8_t> bytes = FromHex(testing::kSampleRequest);
  EXPECT_TRUE(LooksLikeStun(bytes));
  EXPECT_EQ(StunMessageSizeFromHeader(bytes), bytes.size());
  EXPECT_FALSE(LooksLikeStun(absl::MakeConstSpan(bytes).first(19)));
}

}  // namespace
}  // namespace pinhole::stun
