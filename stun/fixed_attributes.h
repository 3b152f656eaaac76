// Building blocks for attributes whose value has a fixed layout: an unsigned
// integer of 4 or 8 bytes, or nothing at all.
#ifndef PINHOLE_STUN_FIXED_ATTRIBUTES_H_
#define PINHOLE_STUN_FIXED_ATTRIBUTES_H_

#include <cstdint>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stun/attribute_codec.h"
#include "stun/byte_io.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {

// A value that is one big-endian unsigned integer, uint32_t or uint64_t.
template <uint16_t kAttributeType, typename T>
struct IntegerAttribute {
  static_assert(std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>);
  static constexpr uint16_t kType = kAttributeType;
  T value = 0;

  static absl::StatusOr<IntegerAttribute> Decode(
      absl::Span<const uint8_t> bytes, const MessageView& /*message*/) {
    absl::Status status = CheckLength(kType, bytes, sizeof(T));
    if (!status.ok()) return status;
    if constexpr (sizeof(T) == 4) {
      return IntegerAttribute{LoadBe32(bytes.data())};
    } else {
      return IntegerAttribute{LoadBe64(bytes.data())};
    }
  }
  void AppendTo(MessageBuilder& builder) const {
    absl::Span<uint8_t> out = builder.AppendAttribute(kType, sizeof(T));
    if (out.empty()) return;
    if constexpr (sizeof(T) == 4) {
      StoreBe32(out.data(), value);
    } else {
      StoreBe64(out.data(), value);
    }
  }
};

// A value-less flag: present or not.
template <uint16_t kAttributeType>
struct FlagAttribute {
  static constexpr uint16_t kType = kAttributeType;

  static absl::StatusOr<FlagAttribute> Decode(absl::Span<const uint8_t> bytes,
                                              const MessageView& /*message*/) {
    absl::Status status = CheckLength(kType, bytes, 0);
    if (!status.ok()) return status;
    return FlagAttribute{};
  }
  void AppendTo(MessageBuilder& builder) const {
    builder.AppendAttribute(kType, 0);
  }
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_FIXED_ATTRIBUTES_H_
