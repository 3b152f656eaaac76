// STUN message types (RFC 8489 §5): a 12-bit method and a 2-bit class,
// interleaved in the 14 low bits of the first 16 bits of the header:
//
//   0                 1
//   2  3  4 5 6 7 8 9 0 1 2 3 4 5
//  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
//  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
//  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
#ifndef PINHOLE_STUN_MESSAGE_TYPE_H_
#define PINHOLE_STUN_MESSAGE_TYPE_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"

namespace pinhole::stun {

enum class MessageClass : uint8_t {
  kRequest = 0b00,
  kIndication = 0b01,
  kSuccessResponse = 0b10,
  kErrorResponse = 0b11,
};

// Methods from the IANA "STUN Methods" registry that Pinhole speaks. Any
// 12-bit value may appear on the wire; unknown ones keep their number.
enum class Method : uint16_t {
  kBinding = 0x001,            // RFC 8489
  kAllocate = 0x003,           // RFC 8656
  kRefresh = 0x004,            // RFC 8656
  kSend = 0x006,               // RFC 8656
  kData = 0x007,               // RFC 8656
  kCreatePermission = 0x008,   // RFC 8656
  kChannelBind = 0x009,        // RFC 8656
  kConnect = 0x00A,            // RFC 6062
  kConnectionBind = 0x00B,     // RFC 6062
  kConnectionAttempt = 0x00C,  // RFC 6062
};

inline constexpr uint16_t kMaxMethod = 0x0FFF;

struct MessageType {
  Method method = Method::kBinding;
  MessageClass message_class = MessageClass::kRequest;

  // The 14-bit wire value. `method` must be at most kMaxMethod.
  constexpr uint16_t ToWire() const {
    const uint16_t m = static_cast<uint16_t>(method);
    const uint16_t c = static_cast<uint16_t>(message_class);
    return static_cast<uint16_t>((m & 0x000F) | ((m & 0x0070) << 1) |
                                 ((m & 0x0F80) << 2) | ((c & 0b01) << 4) |
                                 ((c & 0b10) << 7));
  }

  // Any 14-bit value decodes; the two top bits of `wire` are ignored.
  static constexpr MessageType FromWire(uint16_t wire) {
    const uint16_t m = static_cast<uint16_t>(
        (wire & 0x000F) | ((wire >> 1) & 0x0070) | ((wire >> 2) & 0x0F80));
    const uint16_t c =
        static_cast<uint16_t>(((wire >> 4) & 0b01) | ((wire >> 7) & 0b10));
    return MessageType{static_cast<Method>(m), static_cast<MessageClass>(c)};
  }

  friend constexpr bool operator==(MessageType a, MessageType b) {
    return a.method == b.method && a.message_class == b.message_class;
  }
  friend constexpr bool operator!=(MessageType a, MessageType b) {
    return !(a == b);
  }
};

// "Binding", "Allocate", ...; "0x0ABC" for methods outside the list above.
std::string MethodName(Method method);
absl::string_view MessageClassName(MessageClass message_class);
// "Binding request", "Allocate error response", ...
std::string MessageTypeName(MessageType type);

std::ostream& operator<<(std::ostream& os, Method method);
std::ostream& operator<<(std::ostream& os, MessageClass message_class);
std::ostream& operator<<(std::ostream& os, MessageType type);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_MESSAGE_TYPE_H_
