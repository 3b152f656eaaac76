// RFC 5780 (NAT behaviour discovery) attributes other than the address ones
// (RESPONSE-ORIGIN and OTHER-ADDRESS live in address_attributes.h).
#ifndef PINHOLE_STUN_NAT_BEHAVIOR_ATTRIBUTES_H_
#define PINHOLE_STUN_NAT_BEHAVIOR_ATTRIBUTES_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stun/attribute_type.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {

// CHANGE-REQUEST (RFC 5780 §7.2): ask the server to answer from its other
// address ("A" flag) and/or its other port ("B" flag). 32 bits.
struct ChangeRequest {
  static constexpr uint16_t kType = attr::kChangeRequest;
  static constexpr uint8_t kChangeIpFlag = 0x04;
  static constexpr uint8_t kChangePortFlag = 0x02;
  bool change_ip = false;
  bool change_port = false;

  static absl::StatusOr<ChangeRequest> Decode(absl::Span<const uint8_t> value,
                                              const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// RESPONSE-PORT (RFC 5780 §7.5): the port the response should go to. A 16-bit
// port and 2 bytes of padding inside the 4-byte value; a 2-byte value, which
// some implementations send, is accepted too.
struct ResponsePort {
  static constexpr uint16_t kType = attr::kResponsePort;
  uint16_t port = 0;

  static absl::StatusOr<ResponsePort> Decode(absl::Span<const uint8_t> value,
                                             const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// PADDING (RFC 5780 §7.6): free-form bytes that make a message large (to test
// fragmentation). Written as `length` zero bytes; any content is accepted.
struct Padding {
  static constexpr uint16_t kType = attr::kPadding;
  size_t length = 0;

  static absl::StatusOr<Padding> Decode(absl::Span<const uint8_t> value,
                                        const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_NAT_BEHAVIOR_ATTRIBUTES_H_
