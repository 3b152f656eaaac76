#include "stun/message_builder.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"

namespace pinhole::stun {
namespace {

using ::testing::HasSubstr;

constexpr TransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
constexpr MessageType kRequest{Method::kBinding, MessageClass::kRequest};

TEST(MessageBuilderTest, WritesHeaderCookieAndTransactionId) {
  const std::vector<uint8_t> bytes =
      MessageBuilder({Method::kAllocate, MessageClass::kRequest}, kId)
          .Finish()
          .value();
  EXPECT_EQ(bytes, std::vector<uint8_t>(
                       {0x00, 0x03, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3,
                        4,    5,    6,    7,    8,    9,    10,   11,   12}));
}

TEST(MessageBuilderTest, PadsValuesWithZerosAndKeepsTheLengthCurrent) {
  MessageBuilder builder(kRequest, kId);
  builder.Add(Software{"abcde"});
  EXPECT_EQ(builder.bytes().size(), 20u + 4u + 8u);
  EXPECT_EQ(builder.bytes()[3], 12);  // The length field.
  EXPECT_EQ(builder.bytes()[29], 0);  // Padding.
  builder.Add(UseCandidate{});
  EXPECT_EQ(builder.bytes()[3], 16);
}

TEST(MessageBuilderTest, NothingButFingerprintFollowsIntegrity) {
  const IntegrityKey key = IntegrityKey::ShortTerm("pw").value();
  MessageBuilder builder(kRequest, kId);
  builder.AddMessageIntegrity(key).Add(Priority{1});
  EXPECT_EQ(builder.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(builder.Finish().status().message()),
              HasSubstr("PRIORITY cannot follow MESSAGE-INTEGRITY"));
}

TEST(MessageBuilderTest, NothingFollowsFingerprint) {
  const IntegrityKey key = IntegrityKey::ShortTerm("pw").value();
  MessageBuilder builder(kRequest, kId);
  builder.AddFingerprint().AddMessageIntegrity(key);
  EXPECT_THAT(std::string(builder.Finish().status().message()),
              HasSubstr("MESSAGE-INTEGRITY cannot follow FINGERPRINT"));
  MessageBuilder twice(kRequest, kId);
  twice.AddFingerprint().AddFingerprint();
  EXPECT_FALSE(twice.Finish().ok());
}

TEST(MessageBuilderTest, IntegrityComesBeforeIntegritySha256) {
  const IntegrityKey key = IntegrityKey::ShortTerm("pw").value();
  MessageBuilder builder(kRequest, kId);
  builder.AddMessageIntegritySha256(key).AddMessageIntegrity(key);
  EXPECT_THAT(
      std::string(builder.Finish().status().message()),
      HasSubstr("MESSAGE-INTEGRITY cannot follow MESSAGE-INTEGRITY-SHA256"));
}

TEST(MessageBuilderTest, FirstErrorIsKept) {
  MessageBuilder builder(kRequest, kId);
  builder.Add(Username{""}).Add(ErrorCode{999, "x"});
  EXPECT_THAT(std::string(builder.Finish().status().message()),
              HasSubstr("USERNAME"));
}

TEST(MessageBuilderTest, RefusesValuesAndMessagesOverTheLengthFields) {
  const std::vector<uint8_t> huge(70000);
  MessageBuilder builder(kRequest, kId);
  builder.AddRaw(attr::kData, huge);
  EXPECT_THAT(std::string(builder.Finish().status().message()),
              HasSubstr("value of 70000 bytes exceeds 65535"));

  const std::vector<uint8_t> big(40000);
  MessageBuilder two(kRequest, kId);
  two.AddRaw(attr::kData, big).AddRaw(attr::kPadding, big);
  EXPECT_THAT(std::string(two.Finish().status().message()),
              HasSubstr("over STUN's 65555"));
}

TEST(MessageBuilderTest, LargestMessageFits) {
  const std::vector<uint8_t> value(0xFFFF - 4 - 3);  // Padded to 0xFFF8.
  MessageBuilder builder(kRequest, kId);
  builder.AddRaw(attr::kData, value);
  const std::vector<uint8_t> bytes = builder.Finish().value();
  EXPECT_EQ(bytes.size(), 20u + 4u + 0xFFF8u);
  EXPECT_TRUE(MessageView::Parse(bytes).ok());
}

TEST(MessageBuilderTest, MethodsOverTwelveBitsAreRefused) {
  MessageBuilder builder({static_cast<Method>(0x1000), MessageClass::kRequest},
                         kId);
  EXPECT_THAT(std::string(builder.Finish().status().message()),
              HasSubstr("does not fit in 12 bits"));
}

TEST(MessageBuilderTest, ResetReusesTheBuilder) {
  MessageBuilder builder(kRequest, kId);
  builder.Add(Username{""});
  ASSERT_FALSE(builder.status().ok());
  TransactionId other = kId;
  other[0] = 0xEE;
  builder.Reset({Method::kBinding, MessageClass::kSuccessResponse}, other);
  builder.Add(Priority{7});
  const std::vector<uint8_t> bytes = builder.Finish().value();
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_EQ(message.message_class(), MessageClass::kSuccessResponse);
  EXPECT_EQ(message.transaction_id()[0], 0xEE);
  EXPECT_EQ(message.Get<Priority>()->value, 7u);
  // After Finish() the builder is empty until Reset().
  builder.Reset(kRequest, kId);
  EXPECT_EQ(builder.bytes().size(), 20u);
}

}  // namespace
}  // namespace pinhole::stun
