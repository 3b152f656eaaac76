// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT: keys, the
// length-adjustment rule, and every way a check can fail.
#include "stun/integrity.h"

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stun/attributes.h"
#include "stun/byte_io.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/testing/hex.h"
#include "stun/testing/rfc5769_vectors.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::FromHex;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr TransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

std::vector<uint8_t> KeyBytes(const IntegrityKey& key) {
  return std::vector<uint8_t>(key.bytes().begin(), key.bytes().end());
}

TEST(IntegrityKeyTest, ShortTermKeyIsThePassword) {
  EXPECT_EQ(
      KeyBytes(IntegrityKey::ShortTerm("pass word").value()),
      std::vector<uint8_t>({'p', 'a', 's', 's', ' ', 'w', 'o', 'r', 'd'}));
  EXPECT_FALSE(IntegrityKey::ShortTerm("").ok());
}

// RFC 8489 §9.2.2, with digests computed independently (md5sum, sha256sum of
// "user:example.org:secret").
TEST(IntegrityKeyTest, LongTermKeysHashUsernameRealmAndPassword) {
  EXPECT_EQ(
      KeyBytes(IntegrityKey::LongTerm("user", "example.org", "secret").value()),
      FromHex("a9832fed4a7567b40e43443f9f30c272"));
  EXPECT_EQ(
      KeyBytes(IntegrityKey::LongTerm("user", "example.org", "secret",
                                      PasswordAlgorithm::kSha256)
                   .value()),
      FromHex(
          "bf9f8cc2da128fcb78077f794a818f9d3ccf550dab291cb21c82f29a153b3355"));
  EXPECT_FALSE(IntegrityKey::LongTerm("user", "", "secret").ok());
  EXPECT_FALSE(IntegrityKey::LongTerm("user", "realm", "secret",
                                      static_cast<PasswordAlgorithm>(0x0003))
                   .ok());
}

std::vector<uint8_t> Bytes(absl::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

std::vector<uint8_t> HmacSha1(const IntegrityKey& key, absl::string_view a,
                              absl::string_view b) {
  std::vector<uint8_t> out(20);
  key.HmacSha1(Bytes(a), Bytes(b), out.data());
  return out;
}

std::vector<uint8_t> HmacSha256(const IntegrityKey& key, absl::string_view a,
                                absl::string_view b) {
  std::vector<uint8_t> out(32);
  key.HmacSha256(Bytes(a), Bytes(b), out.data());
  return out;
}

// RFC 2202 §3 (HMAC-SHA1) and RFC 4231 §4 (HMAC-SHA256) test cases 1, 2 and
// 6; case 6 has a key longer than the hash block, which HMAC hashes first.
TEST(IntegrityKeyTest, HmacMatchesPublishedTestCases) {
  const IntegrityKey key1 =
      IntegrityKey::FromBytes(std::vector<uint8_t>(20, 0x0b));
  EXPECT_EQ(HmacSha1(key1, "Hi ", "There"),
            FromHex("b617318655057264e28bc0b6fb378c8ef146be00"));
  EXPECT_EQ(HmacSha256(key1, "Hi There", ""),
            FromHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e"
                    "32cff7"));
  const IntegrityKey key2 = IntegrityKey::FromBytes(Bytes("Jefe"));
  EXPECT_EQ(HmacSha1(key2, "what do ya want ", "for nothing?"),
            FromHex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
  EXPECT_EQ(HmacSha256(key2, "what do ya want ", "for nothing?"),
            FromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964"
                    "ec3843"));
  const char* data = "Test Using Larger Than Block-Size Key - Hash Key First";
  EXPECT_EQ(HmacSha1(IntegrityKey::FromBytes(std::vector<uint8_t>(80, 0xaa)),
                     data, ""),
            FromHex("aa4ae5e15272d00e95705637ce8a3b55ed402112"));
  EXPECT_EQ(
      HmacSha256(IntegrityKey::FromBytes(std::vector<uint8_t>(131, 0xaa)), "",
                 data),
      FromHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f5"
              "4"));
}

std::vector<uint8_t> Signed(const IntegrityKey& key, bool sha1, bool sha256,
                            bool fingerprint) {
  MessageBuilder builder({Method::kBinding, MessageClass::kRequest}, kId);
  builder.Add(Username{"alice"}).Add(Priority{42});
  if (sha1) builder.AddMessageIntegrity(key);
  if (sha256) builder.AddMessageIntegritySha256(key);
  if (fingerprint) builder.AddFingerprint();
  return builder.Finish().value();
}

TEST(MessageIntegrityTest, SignedMessagesVerify) {
  const IntegrityKey key = IntegrityKey::ShortTerm("password").value();
  for (bool fingerprint : {false, true}) {
    const std::vector<uint8_t> bytes = Signed(key, true, true, fingerprint);
    const MessageView message = MessageView::Parse(bytes).value();
    EXPECT_TRUE(VerifyMessageIntegrity(message, key).ok());
    EXPECT_TRUE(VerifyMessageIntegritySha256(message, key).ok());
    EXPECT_EQ(VerifyFingerprint(message).ok(), fingerprint);
  }
}

TEST(MessageIntegrityTest, WrongKeyIsUnauthenticated) {
  const IntegrityKey key = IntegrityKey::ShortTerm("password").value();
  const IntegrityKey wrong = IntegrityKey::ShortTerm("Password").value();
  const std::vector<uint8_t> bytes = Signed(key, true, true, true);
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_EQ(VerifyMessageIntegrity(message, wrong).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyMessageIntegritySha256(message, wrong).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(MessageIntegrityTest, AnyChangedByteBeforeTheIntegrityFailsIt) {
  const IntegrityKey key = IntegrityKey::ShortTerm("password").value();
  const std::vector<uint8_t> original = Signed(key, true, false, false);
  const size_t integrity_offset =
      *MessageView::Parse(original).value().message_integrity_offset();
  for (size_t i = 0; i < integrity_offset + 24; ++i) {
    if (i == 2 || i == 3) continue;  // The length field: Parse would refuse.
    std::vector<uint8_t> tampered = original;
    tampered[i] ^= 0x01;
    absl::StatusOr<MessageView> message = MessageView::Parse(tampered);
    if (!message.ok()) continue;  // Broke the structure: also a rejection.
    EXPECT_FALSE(VerifyMessageIntegrity(*message, key).ok()) << "byte " << i;
  }
}

TEST(MessageIntegrityTest, MissingIntegrityIsNotFound) {
  const IntegrityKey key = IntegrityKey::ShortTerm("password").value();
  const std::vector<uint8_t> bytes = Signed(key, false, false, false);
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_EQ(VerifyMessageIntegrity(message, key).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyMessageIntegritySha256(message, key).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyFingerprint(message).code(), absl::StatusCode::kNotFound);
}

// RFC 8489 §14.5: the HMAC is computed with the length field counting up to
// the end of MESSAGE-INTEGRITY, so attributes a sender appends after it (which
// a receiver ignores) do not break the check.
TEST(MessageIntegrityTest, LengthAdjustmentIgnoresTrailingAttributes) {
  const IntegrityKey key = IntegrityKey::ShortTerm("password").value();
  std::vector<uint8_t> bytes = Signed(key, true, false, false);
  const std::vector<uint8_t> extra = FromHex("80 22 00 03 61 62 63 00");
  bytes.insert(bytes.end(), extra.begin(), extra.end());
  StoreBe16(bytes.data() + 2, static_cast<uint16_t>(bytes.size() - 20));
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_FALSE(message.Has(attr::kSoftware));  // Ignored: after integrity.
  EXPECT_TRUE(VerifyMessageIntegrity(message, key).ok());
}

TEST(MessageIntegrityTest, TruncatedSha256Verifies) {
  const IntegrityKey key = IntegrityKey::ShortTerm("password").value();
  for (size_t length : {16, 20, 24, 28, 32}) {
    MessageBuilder builder({Method::kBinding, MessageClass::kRequest}, kId);
    builder.Add(Username{"alice"}).AddMessageIntegritySha256(key, length);
    const std::vector<uint8_t> bytes = builder.Finish().value();
    const MessageView message = MessageView::Parse(bytes).value();
    EXPECT_EQ(message.Find(attr::kMessageIntegritySha256)->size(), length);
    EXPECT_TRUE(VerifyMessageIntegritySha256(message, key).ok()) << length;
  }
}

TEST(MessageIntegrityTest, LongTermSha256KeySignsAndVerifies) {
  const IntegrityKey key =
      IntegrityKey::LongTerm("user", "example.org", "secret",
                             PasswordAlgorithm::kSha256)
          .value();
  const std::vector<uint8_t> bytes = Signed(key, false, true, true);
  const MessageView message = MessageView::Parse(bytes).value();
  EXPECT_TRUE(VerifyMessageIntegritySha256(message, key).ok());
}

TEST(MessageIntegrityTest, CopiedKeysWorkIndependently) {
  IntegrityKey key = IntegrityKey::ShortTerm("password").value();
  const std::vector<uint8_t> bytes = Signed(key, true, false, false);
  const MessageView message = MessageView::Parse(bytes).value();
  ASSERT_TRUE(VerifyMessageIntegrity(message, key).ok());  // Caches state.
  const IntegrityKey copy = key;
  key = IntegrityKey::ShortTerm("other").value();
  EXPECT_TRUE(VerifyMessageIntegrity(message, copy).ok());
  EXPECT_FALSE(VerifyMessageIntegrity(message, key).ok());
}

TEST(FingerprintTest, MismatchIsReportedWithBothValues) {
  std::vector<uint8_t> bytes = FromHex(testing::kSampleRequest);
  bytes.back() ^= 0xFF;
  const MessageView message = MessageView::Parse(bytes).value();
  const absl::Status status = VerifyFingerprint(message);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("carries 0xE57A3B30, its bytes give 0xE57A3BCF"));
}

TEST(FingerprintTest, CoversEveryByteBeforeIt) {
  const std::vector<uint8_t> original = FromHex(testing::kSampleIpv4Response);
  for (size_t i = 4; i < original.size() - 8; ++i) {
    std::vector<uint8_t> tampered = original;
    tampered[i] ^= 0x80;
    absl::StatusOr<MessageView> message = MessageView::Parse(tampered);
    if (!message.ok()) continue;  // Broke the structure: also a rejection.
    EXPECT_FALSE(VerifyFingerprint(*message).ok()) << "byte " << i;
  }
}

// RFC 8489 §14.7: CRC-32 of the message XOR 0x5354554e. The CRC-32 of
// "123456789" is 0xCBF43926.
TEST(FingerprintTest, IsCrc32XorStun) {
  const std::vector<uint8_t> digits = {'1', '2', '3', '4', '5',
                                       '6', '7', '8', '9'};
  EXPECT_EQ(StunFingerprint({}, digits), 0xCBF43926u ^ 0x5354554eu);
  EXPECT_EQ(StunFingerprint(absl::MakeConstSpan(digits).first(4),
                            absl::MakeConstSpan(digits).subspan(4)),
            0xCBF43926u ^ 0x5354554eu);
}

// libdeflate computes FINGERPRINT's CRC; zlib is the reference it must match,
// on every length (the fast path folds 16 bytes at a time) and alignment.
TEST(FingerprintTest, AgreesWithZlibOnEveryLengthAndAlignment) {
  std::vector<uint8_t> bytes(600);
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<uint8_t>(i * 131 + 7);
  }
  for (size_t start = 0; start < 8; ++start) {
    for (size_t length = 0; start + length <= bytes.size(); length += 7) {
      const absl::Span<const uint8_t> span =
          absl::MakeConstSpan(bytes).subspan(start, length);
      const uint32_t zlib = static_cast<uint32_t>(crc32(
          crc32(0L, Z_NULL, 0), span.data(), static_cast<uInt>(span.size())));
      ASSERT_EQ(StunFingerprint({}, span), zlib ^ 0x5354554eu)
          << "start " << start << " length " << length;
    }
  }
}

}  // namespace
}  // namespace pinhole::stun
