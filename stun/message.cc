#include "stun/message.h"

#include <utility>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pinhole::stun {

namespace {

template <typename... Args>
absl::Status Malformed(const absl::FormatSpec<Args...>& format,
                       const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat(
      "malformed STUN message: ", absl::StrFormat(format, args...)));
}

// Whether an attribute of `type` is ignored because it follows
// MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY-SHA256), RFC 8489 §14.5-§14.6.
bool IgnoredAfterIntegrity(uint16_t type, bool after_integrity,
                           bool after_integrity_sha256) {
  if (type == attr::kFingerprint) return false;
  if (after_integrity_sha256) return true;
  return after_integrity && type != attr::kMessageIntegritySha256;
}

}  // namespace

bool LooksLikeStun(absl::Span<const uint8_t> bytes) {
  return bytes.size() >= kHeaderSize && (bytes[0] & 0xC0) == 0 &&
         (bytes[3] & 0x03) == 0 && LoadBe32(bytes.data() + 4) == kMagicCookie;
}

size_t StunMessageSizeFromHeader(absl::Span<const uint8_t> header) {
  return kHeaderSize + LoadBe16(header.data() + 2);
}

absl::Status MessageView::MissingAttribute(uint16_t type) {
  return absl::NotFoundError(
      absl::StrCat("the message has no ", AttributeTypeName(type)));
}

absl::StatusOr<MessageView> MessageView::Parse(
    absl::Span<const uint8_t> bytes) {
  const size_t size = bytes.size();
  if (size < kHeaderSize) {
    return Malformed("%d bytes, shorter than the 20-byte header", size);
  }
  const uint8_t* const p = bytes.data();
  if ((p[0] & 0xC0) != 0) {
    return Malformed("the first two bits are %d%d, STUN requires 00", p[0] >> 7,
                     (p[0] >> 6) & 1);
  }
  const size_t length = LoadBe16(p + 2);
  if (length % 4 != 0) {
    return Malformed("length field %d is not a multiple of 4", length);
  }
  if (kHeaderSize + length != size) {
    return Malformed("length field says %d bytes follow the header, but %d do",
                     length, size - kHeaderSize);
  }

  return ParseCheckedHeader(bytes);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::StatusOr<MessageView>
MessageView::ParseCheckedHeader(absl::Span<const uint8_t> bytes) {
  // The only return is `result`, so it is built in place in the caller's
  // storage (NRVO): no copy of the view.
  absl::StatusOr<MessageView> result(absl::in_place, ConstructionKey());
  result->bytes_ = bytes;
  result->rfc3489_ = LoadBe32(bytes.data() + 4) != kMagicCookie;
  absl::Status status = result->IndexAttributes();
  if (!status.ok()) result = std::move(status);
  return result;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status
MessageView::IndexAttributes() {
  const uint8_t* const p = bytes_.data();
  const size_t size = bytes_.size();
  MessageView& view = *this;
  uint64_t present = 0;  // Kept in a register; stored once at the end.
  bool after_integrity = false;
  bool after_integrity_sha256 = false;
  bool after_fingerprint = false;
  size_t offset = kHeaderSize;
  while (offset < size) {
    // `size - offset` is a positive multiple of 4: a whole attribute header.
    const uint16_t type = LoadBe16(p + offset);
    const size_t value_length = LoadBe16(p + offset + 2);
    const size_t room = size - offset - kAttributeHeaderSize;
    if (after_fingerprint) {
      return Malformed(
          "%s at offset %d follows FINGERPRINT, which must be last",
          AttributeTypeName(type), offset);
    }
    if (value_length > room) {
      return Malformed("%s at offset %d claims %d value bytes but %d remain",
                       AttributeTypeName(type), offset, value_length, room);
    }
    // `room` is a multiple of 4, so the padding fits whenever the value does.
    if (!IgnoredAfterIntegrity(type, after_integrity, after_integrity_sha256)) {
      const int slot = KnownAttributeSlot(type);
      if (slot != kUnknownAttributeSlot) {
        const uint64_t bit = uint64_t{1} << slot;
        if ((present & bit) == 0) {
          present |= bit;
          view.slot_offset_[slot] = static_cast<uint16_t>(offset / 4);
        }
      } else if (IsComprehensionRequired(type)) {
        bool seen = false;
        for (size_t i = 0; i < view.unknown_listed_; ++i) {
          seen = seen || view.unknown_[i] == type;
        }
        if (!seen) {
          ++view.unknown_count_;
          if (view.unknown_listed_ < kMaxUnknownReported) {
            view.unknown_[view.unknown_listed_++] = type;
          }
        }
      }
      switch (type) {
        case attr::kMessageIntegrity:
          if (value_length != 20) {
            return Malformed(
                "MESSAGE-INTEGRITY at offset %d has %d bytes, "
                "not 20",
                offset, value_length);
          }
          after_integrity = true;
          view.integrity_offset_ = static_cast<uint32_t>(offset);
          break;
        case attr::kMessageIntegritySha256:
          if (value_length < 16 || value_length > 32 || value_length % 4 != 0) {
            return Malformed(
                "MESSAGE-INTEGRITY-SHA256 at offset %d has %d bytes; it must "
                "have 16 to 32, a multiple of 4",
                offset, value_length);
          }
          after_integrity_sha256 = true;
          view.integrity_sha256_offset_ = static_cast<uint32_t>(offset);
          break;
        case attr::kFingerprint:
          if (value_length != 4) {
            return Malformed("FINGERPRINT at offset %d has %d bytes, not 4",
                             offset, value_length);
          }
          after_fingerprint = true;
          break;
        default:
          break;
      }
    }
    offset += kAttributeHeaderSize + PaddedLength(value_length);
  }
  present_ = present;
  return absl::OkStatus();
}

std::optional<absl::Span<const uint8_t>> MessageView::Find(
    uint16_t type) const {
  const int slot = KnownAttributeSlot(type);
  if (slot != kUnknownAttributeSlot) {
    if ((present_ & (uint64_t{1} << slot)) == 0) return std::nullopt;
    const size_t offset = size_t{slot_offset_[slot]} * 4;
    return bytes_.subspan(offset + kAttributeHeaderSize,
                          LoadBe16(data() + offset + 2));
  }
  for (const RawAttribute attribute : attributes()) {
    if (attribute.type == type) return attribute.value;
  }
  return std::nullopt;
}

RawAttribute MessageView::AttributeIterator::operator*() const {
  const uint8_t* p = message_->data() + offset_;
  return RawAttribute{
      LoadBe16(p),
      message_->bytes_.subspan(offset_ + kAttributeHeaderSize, LoadBe16(p + 2)),
      offset_};
}

MessageView::AttributeIterator& MessageView::AttributeIterator::operator++() {
  const size_t length = LoadBe16(message_->data() + offset_ + 2);
  offset_ = SkipIgnored(*message_,
                        offset_ + kAttributeHeaderSize + PaddedLength(length));
  return *this;
}

size_t MessageView::AttributeIterator::SkipIgnored(const MessageView& message,
                                                   size_t offset) {
  // Parse() has validated every length, so the walk stays in bounds.
  while (offset < message.size()) {
    const uint16_t type = LoadBe16(message.data() + offset);
    const bool after_integrity =
        message.integrity_offset_ != 0 && offset > message.integrity_offset_;
    const bool after_integrity_sha256 =
        message.integrity_sha256_offset_ != 0 &&
        offset > message.integrity_sha256_offset_;
    if (!IgnoredAfterIntegrity(type, after_integrity, after_integrity_sha256)) {
      break;
    }
    offset += kAttributeHeaderSize +
              PaddedLength(LoadBe16(message.data() + offset + 2));
  }
  return offset;
}

MessageView::AttributeIterator MessageView::Attributes::begin() const {
  return AttributeIterator(
      message_, AttributeIterator::SkipIgnored(*message_, kHeaderSize));
}

MessageView::AttributeIterator MessageView::Attributes::end() const {
  return AttributeIterator(message_, message_->size());
}

}  // namespace pinhole::stun
