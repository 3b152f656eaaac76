// `MessageBuilder`: composes a STUN message without hand-computed lengths.
//
//   std::vector<uint8_t> bytes =
//       MessageBuilder({Method::kBinding, MessageClass::kSuccessResponse}, id)
//           .Add(XorMappedAddress{reflexive})
//           .Add(Software{"pinhole"})
//           .AddMessageIntegrity(key)
//           .AddFingerprint()
//           .Finish()
//           .value();
//
// Attributes are written in the order added, padded to 4 bytes with zeros.
// MESSAGE-INTEGRITY, then MESSAGE-INTEGRITY-SHA256, then FINGERPRINT close
// the message in that order (RFC 8489 §14.5-§14.7): once one is added, only
// those after it may follow. Mistakes (an attribute value over 65535 bytes, a
// message over the 16-bit length, an attribute after FINGERPRINT, an
// attribute value its type forbids) latch an error that Finish() returns, so
// a chain of Add() calls needs one check at the end.
#ifndef PINHOLE_STUN_MESSAGE_BUILDER_H_
#define PINHOLE_STUN_MESSAGE_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stun/message.h"
#include "stun/message_type.h"

namespace pinhole::stun {

class IntegrityKey;

class MessageBuilder {
 public:
  MessageBuilder(MessageType type, const TransactionId& transaction_id);

  // Starts over with a new header, keeping the buffer's capacity: a server
  // that answers many requests can reuse one builder.
  void Reset(MessageType type, const TransactionId& transaction_id);

  const TransactionId& transaction_id() const { return transaction_id_; }

  // A typed attribute from stun/attributes.h (anything with
  // `void AppendTo(MessageBuilder&) const`).
  template <typename A>
  MessageBuilder& Add(const A& attribute) {
    attribute.AppendTo(*this);
    return *this;
  }

  // An attribute from raw value bytes.
  MessageBuilder& AddRaw(uint16_t type, absl::Span<const uint8_t> value);

  // Appends an attribute header for `type` and `length` value bytes, and
  // returns the zero-filled value area (padding included after it) for the
  // caller to fill; empty after an error. Typed attributes use this.
  absl::Span<uint8_t> AppendAttribute(uint16_t type, size_t length);

  // Latches `status` (the first error wins). Typed attributes report invalid
  // values through this.
  void Fail(absl::Status status);

  // HMAC-SHA1 over the message so far (RFC 8489 §14.5).
  MessageBuilder& AddMessageIntegrity(const IntegrityKey& key);
  // HMAC-SHA256 (RFC 8489 §14.6), truncated to `length` bytes: 16 to 32, a
  // multiple of 4.
  MessageBuilder& AddMessageIntegritySha256(const IntegrityKey& key,
                                            size_t length = 32);
  // CRC-32 of the message so far XOR 0x5354554e (RFC 8489 §14.7).
  MessageBuilder& AddFingerprint();

  // The byte that pads attribute values to 4 bytes: zero unless set. RFC 8489
  // lets senders pad with anything (receivers ignore it); RFC 5769's test
  // vectors pad with spaces.
  void set_padding_byte(uint8_t byte) { padding_byte_ = byte; }

  // The error latched so far, if any.
  const absl::Status& status() const { return status_; }

  // The finished message, or the first error. Leaves the builder empty; call
  // Reset() to build another.
  absl::StatusOr<std::vector<uint8_t>> Finish();

  // The bytes so far, with the length field up to date.
  absl::Span<const uint8_t> bytes() const { return buffer_; }

 private:
  enum class Stage : uint8_t {
    kAttributes,
    kAfterIntegrity,
    kAfterIntegritySha256,
    kAfterFingerprint,
  };
  bool Admit(uint16_t type);
  void SetLength(size_t attributes_length);

  std::vector<uint8_t> buffer_;
  TransactionId transaction_id_;
  absl::Status status_;
  Stage stage_ = Stage::kAttributes;
  uint8_t padding_byte_ = 0;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_MESSAGE_BUILDER_H_
