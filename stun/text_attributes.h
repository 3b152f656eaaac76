// Text attributes (RFC 8489 §14.3, §14.9, §14.10, §14.14, §14.16): UTF-8
// values with the limits the RFC sets. Decoding is zero-copy (the value views
// the message) and accepts what the RFC allows a receiver to see; encoding
// enforces what it allows a sender to write:
//
//   attribute         encode: bytes   decode: bytes   characters  empty
//   USERNAME          < 509           <= 513 (*)      -           no
//   REALM, NONCE      <= 509          <= 763          < 128       no
//   SOFTWARE          <= 509          <= 763          < 128       yes
//   ALTERNATE-DOMAIN  <= 255          <= 255          -           no
//
// (*) RFC 5389 allowed 513 bytes; RFC 8489 senders stay below 509.
#ifndef PINHOLE_STUN_TEXT_ATTRIBUTES_H_
#define PINHOLE_STUN_TEXT_ATTRIBUTES_H_

#include <cstddef>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "stun/attribute_type.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {

struct TextLimits {
  size_t max_encode_bytes;
  size_t max_decode_bytes;
  size_t max_characters;  // 0: no limit.
  bool allow_empty;
};

// Validates `text` as a value of `type` under `limits`.
absl::Status CheckText(uint16_t type, absl::string_view text, size_t max_bytes,
                       const TextLimits& limits);

template <uint16_t kAttributeType, size_t kMaxEncode, size_t kMaxDecode,
          size_t kMaxCharacters, bool kAllowEmpty>
struct TextAttribute {
  static constexpr uint16_t kType = kAttributeType;
  static constexpr TextLimits kLimits{kMaxEncode, kMaxDecode, kMaxCharacters,
                                      kAllowEmpty};
  absl::string_view value;

  static absl::StatusOr<TextAttribute> Decode(absl::Span<const uint8_t> bytes,
                                              const MessageView& /*message*/) {
    const absl::string_view text(reinterpret_cast<const char*>(bytes.data()),
                                 bytes.size());
    absl::Status status = CheckText(kType, text, kMaxDecode, kLimits);
    if (!status.ok()) return status;
    return TextAttribute{text};
  }
  void AppendTo(MessageBuilder& builder) const {
    absl::Status status = CheckText(kType, value, kMaxEncode, kLimits);
    if (!status.ok()) return builder.Fail(std::move(status));
    builder.AddRaw(kType, absl::MakeConstSpan(
                              reinterpret_cast<const uint8_t*>(value.data()),
                              value.size()));
  }
};

using Username = TextAttribute<attr::kUsername, 508, 513, 0, false>;
using Realm = TextAttribute<attr::kRealm, 509, 763, 127, false>;
using Nonce = TextAttribute<attr::kNonce, 509, 763, 127, false>;
using Software = TextAttribute<attr::kSoftware, 509, 763, 127, true>;
using AlternateDomain =
    TextAttribute<attr::kAlternateDomain, 255, 255, 0, false>;

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_TEXT_ATTRIBUTES_H_
