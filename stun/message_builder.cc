#include "stun/message_builder.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stun/attribute_type.h"
#include "stun/byte_io.h"
#include "stun/integrity.h"

namespace pinhole::stun {
namespace {

// Most messages fit; larger ones grow the buffer once or twice.
constexpr size_t kInitialCapacity = 256;

}  // namespace

MessageBuilder::MessageBuilder(MessageType type,
                               const TransactionId& transaction_id) {
  buffer_.reserve(kInitialCapacity);
  Reset(type, transaction_id);
}

void MessageBuilder::Reset(MessageType type,
                           const TransactionId& transaction_id) {
  transaction_id_ = transaction_id;
  status_ = absl::OkStatus();
  stage_ = Stage::kAttributes;
  buffer_.resize(kHeaderSize);
  uint8_t* p = buffer_.data();
  if (static_cast<uint16_t>(type.method) > kMaxMethod) {
    Fail(absl::InvalidArgumentError(
        absl::StrFormat("method 0x%04X does not fit in 12 bits",
                        static_cast<uint16_t>(type.method))));
  }
  StoreBe16(p, type.ToWire());
  StoreBe16(p + 2, 0);
  StoreBe32(p + 4, kMagicCookie);
  std::memcpy(p + 8, transaction_id.data(), transaction_id.size());
}

void MessageBuilder::Fail(absl::Status status) {
  if (status_.ok()) status_ = std::move(status);
}

void MessageBuilder::SetLength(size_t attributes_length) {
  StoreBe16(buffer_.data() + 2, static_cast<uint16_t>(attributes_length));
}

bool MessageBuilder::Admit(uint16_t type) {
  if (!status_.ok()) return false;
  const Stage needed =
      type == attr::kMessageIntegrity         ? Stage::kAttributes
      : type == attr::kMessageIntegritySha256 ? Stage::kAfterIntegrity
      : type == attr::kFingerprint            ? Stage::kAfterIntegritySha256
                                              : Stage::kAttributes;
  if (stage_ > needed) {
    const char* after = stage_ == Stage::kAfterFingerprint ? "FINGERPRINT"
                        : stage_ == Stage::kAfterIntegritySha256
                            ? "MESSAGE-INTEGRITY-SHA256"
                            : "MESSAGE-INTEGRITY";
    Fail(absl::FailedPreconditionError(
        absl::StrCat(AttributeTypeName(type), " cannot follow ", after,
                     " (RFC 8489 §14.5-§14.7)")));
    return false;
  }
  return true;
}

absl::Span<uint8_t> MessageBuilder::AppendAttribute(uint16_t type,
                                                    size_t length) {
  if (!Admit(type)) return {};
  if (length > 0xFFFF) {
    Fail(absl::InvalidArgumentError(
        absl::StrFormat("%s value of %d bytes exceeds 65535",
                        AttributeTypeName(type), length)));
    return {};
  }
  const size_t start = buffer_.size();
  const size_t end = start + kAttributeHeaderSize + PaddedLength(length);
  if (end - kHeaderSize > 0xFFFF) {
    Fail(absl::InvalidArgumentError(absl::StrFormat(
        "adding %s makes the message %d bytes, over STUN's 65555",
        AttributeTypeName(type), end)));
    return {};
  }
  buffer_.resize(end);  // Zero-fills value and padding.
  uint8_t* p = buffer_.data() + start;
  if (padding_byte_ != 0) {
    std::memset(p + kAttributeHeaderSize + length, padding_byte_,
                end - start - kAttributeHeaderSize - length);
  }
  StoreBe16(p, type);
  StoreBe16(p + 2, static_cast<uint16_t>(length));
  SetLength(end - kHeaderSize);
  return absl::MakeSpan(p + kAttributeHeaderSize, length);
}

MessageBuilder& MessageBuilder::AddRaw(uint16_t type,
                                       absl::Span<const uint8_t> value) {
  absl::Span<uint8_t> out = AppendAttribute(type, value.size());
  if (!value.empty() && out.size() == value.size()) {
    std::memcpy(out.data(), value.data(), value.size());
  }
  return *this;
}

MessageBuilder& MessageBuilder::AddMessageIntegrity(const IntegrityKey& key) {
  const size_t offset = buffer_.size();
  absl::Span<uint8_t> out =
      AppendAttribute(attr::kMessageIntegrity, kMessageIntegritySize);
  if (out.empty()) return *this;
  // The length field already counts this attribute, as the HMAC requires.
  key.HmacSha1(
      absl::MakeConstSpan(buffer_.data(), kHeaderSize),
      absl::MakeConstSpan(buffer_.data() + kHeaderSize, offset - kHeaderSize),
      out.data());
  stage_ = Stage::kAfterIntegrity;
  return *this;
}

MessageBuilder& MessageBuilder::AddMessageIntegritySha256(
    const IntegrityKey& key, size_t length) {
  if (length < kMessageIntegritySha256MinSize ||
      length > kMessageIntegritySha256MaxSize || length % 4 != 0) {
    Fail(absl::InvalidArgumentError(absl::StrFormat(
        "MESSAGE-INTEGRITY-SHA256 length %d: it must be 16 to 32, a multiple "
        "of 4",
        length)));
    return *this;
  }
  const size_t offset = buffer_.size();
  absl::Span<uint8_t> out =
      AppendAttribute(attr::kMessageIntegritySha256, length);
  if (out.empty()) return *this;
  uint8_t mac[kMessageIntegritySha256MaxSize];
  key.HmacSha256(
      absl::MakeConstSpan(buffer_.data(), kHeaderSize),
      absl::MakeConstSpan(buffer_.data() + kHeaderSize, offset - kHeaderSize),
      mac);
  std::memcpy(out.data(), mac, length);
  stage_ = Stage::kAfterIntegritySha256;
  return *this;
}

MessageBuilder& MessageBuilder::AddFingerprint() {
  const size_t offset = buffer_.size();
  absl::Span<uint8_t> out =
      AppendAttribute(attr::kFingerprint, kFingerprintSize);
  if (out.empty()) return *this;
  StoreBe32(out.data(),
            StunFingerprint(absl::MakeConstSpan(buffer_.data(), kHeaderSize),
                            absl::MakeConstSpan(buffer_.data() + kHeaderSize,
                                                offset - kHeaderSize)));
  stage_ = Stage::kAfterFingerprint;
  return *this;
}

absl::StatusOr<std::vector<uint8_t>> MessageBuilder::Finish() {
  if (!status_.ok()) return status_;
  std::vector<uint8_t> out = std::move(buffer_);
  buffer_.clear();
  return out;
}

}  // namespace pinhole::stun
