// `MessageView`: a parsed STUN message (RFC 8489 §5, §14), zero-copy.
//
// Parsing checks the structure completely (header, every attribute length
// against the buffer, the order rules for MESSAGE-INTEGRITY,
// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT) and records where each known
// attribute's first occurrence sits; attribute values are views into the
// caller's buffer, which must outlive the view. Parsing never allocates.
// Typed decoding (`Get<XorMappedAddress>()`) and integrity checks
// (stun/integrity.h) are separate, so a server pays only for what it reads.
//
// Rules applied while parsing, from RFC 8489 §14:
// - Attributes after MESSAGE-INTEGRITY are ignored, except
//   MESSAGE-INTEGRITY-SHA256 and FINGERPRINT; attributes after
//   MESSAGE-INTEGRITY-SHA256 are ignored, except FINGERPRINT.
// - FINGERPRINT must be the last attribute; anything after it is an error.
// - An attribute may repeat; only its first occurrence counts.
// - Unknown comprehension-required attributes (type < 0x8000) are collected
//   so a server can answer 420 with UNKNOWN-ATTRIBUTES; unknown
//   comprehension-optional ones are skipped.
//
// A message without the magic cookie is a classic RFC 3489 message: it parses
// (its attributes have the same layout), `is_rfc3489()` says so, and its
// transaction ID is the 16 bytes after the length field.
#ifndef PINHOLE_STUN_MESSAGE_H_
#define PINHOLE_STUN_MESSAGE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stun/attribute_type.h"
#include "stun/byte_io.h"
#include "stun/message_type.h"

namespace pinhole::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kAttributeHeaderSize = 4;
// The length field is 16 bits and counts the bytes after the header.
inline constexpr size_t kMaxMessageSize = kHeaderSize + 0xFFFF;

using TransactionId = std::array<uint8_t, 12>;

// One attribute as it sits in the message.
struct RawAttribute {
  uint16_t type = 0;
  absl::Span<const uint8_t> value;  // Without padding.
  size_t offset = 0;  // Of the attribute header, from the message start.
};

// True when `bytes` could begin a STUN message: at least a header's worth,
// the two leading bits zero, the magic cookie in place and a length that is a
// multiple of 4. A cheap test for demultiplexing; Parse() decides.
bool LooksLikeStun(absl::Span<const uint8_t> bytes);

// For stream transports (RFC 8489 §6.2.2): the size of the STUN message that
// begins `header` (at least 4 bytes), which is 20 plus its length field.
size_t StunMessageSizeFromHeader(absl::Span<const uint8_t> header);

class MessageView {
 public:
  // Parses one whole message: `bytes` must be exactly one message (a
  // datagram, or one frame cut from a stream). Errors are InvalidArgument with
  // a message naming the problem and its byte offset.
  static absl::StatusOr<MessageView> Parse(absl::Span<const uint8_t> bytes);

  MessageType type() const { return MessageType::FromWire(LoadBe16(data())); }
  Method method() const { return type().method; }
  MessageClass message_class() const { return type().message_class; }
  bool is_rfc3489() const { return rfc3489_; }

  // The 96-bit transaction ID (bytes 8-19). For an RFC 3489 message, the
  // 128-bit ID is `classic_transaction_id()`.
  const TransactionId& transaction_id() const {
    return *reinterpret_cast<const TransactionId*>(data() + 8);
  }
  absl::Span<const uint8_t> classic_transaction_id() const {
    return bytes_.subspan(4, 16);
  }

  // The whole message, as given to Parse().
  absl::Span<const uint8_t> bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

  // The value of the first occurrence of attribute `type`, if present and not
  // ignored. O(1) for known types; a scan for unknown ones.
  std::optional<absl::Span<const uint8_t>> Find(uint16_t type) const;
  bool Has(uint16_t type) const { return Find(type).has_value(); }

  // Typed access: `A` is an attribute class from stun/attributes.h (or any
  // type with `kType` and `static StatusOr<A> Decode(value, MessageView)`).
  // NotFound when absent; InvalidArgument when present but malformed.
  template <typename A>
  absl::StatusOr<A> Get() const {
    const std::optional<absl::Span<const uint8_t>> value = Find(A::kType);
    if (!value.has_value()) return MissingAttribute(A::kType);
    return A::Decode(*value, *this);
  }

  // Every attribute that counts (the ones after MESSAGE-INTEGRITY and
  // friends that the rules above ignore are left out), in wire order.
  class AttributeIterator;
  class Attributes;
  Attributes attributes() const;

  // Unknown comprehension-required attribute types, in wire order, without
  // repeats; at most kMaxUnknownReported are listed (`unknown_count()` counts
  // them all).
  static constexpr size_t kMaxUnknownReported = 16;
  absl::Span<const uint16_t> unknown_comprehension_required() const {
    return absl::MakeConstSpan(unknown_.data(), unknown_listed_);
  }
  size_t unknown_count() const { return unknown_count_; }

  // Offsets of the integrity attributes' headers, when present. Integrity
  // checks (stun/integrity.h) use them.
  std::optional<size_t> message_integrity_offset() const {
    return OffsetOfSlot(kMessageIntegritySlot);
  }
  std::optional<size_t> message_integrity_sha256_offset() const {
    return OffsetOfSlot(kMessageIntegritySha256Slot);
  }
  std::optional<size_t> fingerprint_offset() const {
    return OffsetOfSlot(kFingerprintSlot);
  }

 private:
  // Only Parse() makes views; the key lets it build one in place inside the
  // StatusOr it returns (a copy would cost a fifth of the parse).
  class ConstructionKey {
    friend class MessageView;
    ConstructionKey() = default;
  };

 public:
  explicit MessageView(ConstructionKey) {}

 private:
  const uint8_t* data() const { return bytes_.data(); }
  std::optional<size_t> OffsetOfSlot(int slot) const {
    if ((present_ & (uint64_t{1} << slot)) == 0) return std::nullopt;
    return size_t{slot_offset_[slot]} * 4;
  }
  static absl::Status MissingAttribute(uint16_t type);
  // Parse() after the header checks.
  static absl::StatusOr<MessageView> ParseCheckedHeader(
      absl::Span<const uint8_t> bytes);
  // Walks the attributes of `bytes_` (whose header Parse() has checked),
  // filling the index; the first structural error.
  absl::Status IndexAttributes();

  static constexpr int kMessageIntegritySlot =
      KnownAttributeSlot(attr::kMessageIntegrity);
  static constexpr int kMessageIntegritySha256Slot =
      KnownAttributeSlot(attr::kMessageIntegritySha256);
  static constexpr int kFingerprintSlot =
      KnownAttributeSlot(attr::kFingerprint);

  absl::Span<const uint8_t> bytes_;
  // Bit `slot` is set when the known attribute of that slot is present;
  // `slot_offset_[slot]` (offset / 4 of its header) is written only then.
  static_assert(kKnownAttributeCount <= 64, "one bit per known attribute");
  uint64_t present_ = 0;
  std::array<uint16_t, kKnownAttributeCount> slot_offset_;
  // Offsets of the first MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256, 0
  // when absent: the attributes after them are ignored, as the rules above say.
  uint32_t integrity_offset_ = 0;
  uint32_t integrity_sha256_offset_ = 0;
  uint32_t unknown_count_ = 0;
  uint32_t unknown_listed_ = 0;
  bool rfc3489_ = false;
  // Only the first `unknown_listed_` entries are meaningful (and written).
  std::array<uint16_t, kMaxUnknownReported> unknown_;
};

class MessageView::AttributeIterator {
 public:
  RawAttribute operator*() const;
  AttributeIterator& operator++();
  friend bool operator==(const AttributeIterator& a,
                         const AttributeIterator& b) {
    return a.offset_ == b.offset_;
  }
  friend bool operator!=(const AttributeIterator& a,
                         const AttributeIterator& b) {
    return !(a == b);
  }

 private:
  friend class MessageView::Attributes;
  AttributeIterator(const MessageView* message, size_t offset)
      : message_(message), offset_(offset) {}
  // The offset of the first attribute at or after `offset` that counts.
  static size_t SkipIgnored(const MessageView& message, size_t offset);

  const MessageView* message_;
  size_t offset_;
};

class MessageView::Attributes {
 public:
  AttributeIterator begin() const;
  AttributeIterator end() const;

 private:
  friend class MessageView;
  explicit Attributes(const MessageView* message) : message_(message) {}
  const MessageView* message_;
};

inline MessageView::Attributes MessageView::attributes() const {
  return Attributes(this);
}

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_MESSAGE_H_
