// Authentication attributes other than the text ones: USERHASH (RFC 8489
// §14.4), PASSWORD-ALGORITHMS (§14.11), PASSWORD-ALGORITHM (§14.12) and
// UNKNOWN-ATTRIBUTES (§14.13).
#ifndef PINHOLE_STUN_AUTH_ATTRIBUTES_H_
#define PINHOLE_STUN_AUTH_ATTRIBUTES_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "stun/attribute_type.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {

// USERHASH: SHA-256(OpaqueString(username) ":" OpaqueString(realm)), 32 bytes.
struct Userhash {
  static constexpr uint16_t kType = attr::kUserhash;
  std::array<uint8_t, 32> hash{};

  static absl::StatusOr<Userhash> Compute(absl::string_view username,
                                          absl::string_view realm);
  static absl::StatusOr<Userhash> Decode(absl::Span<const uint8_t> value,
                                         const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// One entry of PASSWORD-ALGORITHMS, and the value of PASSWORD-ALGORITHM: an
// algorithm number and its parameters (none for MD5 and SHA-256).
struct PasswordAlgorithmEntry {
  uint16_t algorithm = static_cast<uint16_t>(PasswordAlgorithm::kMd5);
  absl::Span<const uint8_t> parameters;
};

struct PasswordAlgorithmAttribute {
  static constexpr uint16_t kType = attr::kPasswordAlgorithm;
  PasswordAlgorithmEntry entry;

  static absl::StatusOr<PasswordAlgorithmAttribute> Decode(
      absl::Span<const uint8_t> value, const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

struct PasswordAlgorithms {
  static constexpr uint16_t kType = attr::kPasswordAlgorithms;
  std::vector<PasswordAlgorithmEntry> entries;  // At least one.

  static absl::StatusOr<PasswordAlgorithms> Decode(
      absl::Span<const uint8_t> value, const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// UNKNOWN-ATTRIBUTES: the comprehension-required types a server did not
// understand, in its 420 answer. At least one.
struct UnknownAttributes {
  static constexpr uint16_t kType = attr::kUnknownAttributes;
  std::vector<uint16_t> types;

  static absl::StatusOr<UnknownAttributes> Decode(
      absl::Span<const uint8_t> value, const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_AUTH_ATTRIBUTES_H_
