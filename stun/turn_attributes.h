// TURN attributes (RFC 8656 §18; CONNECTION-ID from RFC 6062 §6.2.1), other
// than the address ones (XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS:
// address_attributes.h) and ADDRESS-ERROR-CODE (error_code.h).
#ifndef PINHOLE_STUN_TURN_ATTRIBUTES_H_
#define PINHOLE_STUN_TURN_ATTRIBUTES_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "stun/attribute_type.h"
#include "stun/fixed_attributes.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {

// Channel numbers a client may bind (RFC 8656 §12).
inline constexpr uint16_t kMinChannelNumber = 0x4000;
inline constexpr uint16_t kMaxChannelNumber = 0x4FFF;
constexpr bool IsValidChannelNumber(uint16_t number) {
  return number >= kMinChannelNumber && number <= kMaxChannelNumber;
}

// CHANNEL-NUMBER (§18.1): a 16-bit number and 16 reserved bits. Decoding does
// not check the range: a server answers 400 to an invalid number itself.
struct ChannelNumber {
  static constexpr uint16_t kType = attr::kChannelNumber;
  uint16_t number = kMinChannelNumber;

  static absl::StatusOr<ChannelNumber> Decode(absl::Span<const uint8_t> value,
                                              const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// LIFETIME (§18.2): seconds until the allocation expires.
using Lifetime = IntegerAttribute<attr::kLifetime, uint32_t>;

// DATA (§18.4): the application data, as a view.
struct Data {
  static constexpr uint16_t kType = attr::kData;
  absl::Span<const uint8_t> value;

  static absl::StatusOr<Data> Decode(absl::Span<const uint8_t> value,
                                     const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// REQUESTED-ADDRESS-FAMILY (§18.6) and ADDITIONAL-ADDRESS-FAMILY (§18.8): a
// family byte and 3 reserved bytes. The raw byte is kept: an unknown family
// is a 440 answer for the server to give, not a malformed attribute.
template <uint16_t kAttributeType>
struct AddressFamilyAttribute {
  static constexpr uint16_t kType = kAttributeType;
  uint8_t family = 0x01;

  static AddressFamilyAttribute Of(net::AddressFamily f) {
    return {static_cast<uint8_t>(f == net::AddressFamily::kIpv4 ? 0x01 : 0x02)};
  }
  // The family, when it is IPv4 (0x01) or IPv6 (0x02).
  std::optional<net::AddressFamily> address_family() const {
    if (family == 0x01) return net::AddressFamily::kIpv4;
    if (family == 0x02) return net::AddressFamily::kIpv6;
    return std::nullopt;
  }

  static absl::StatusOr<AddressFamilyAttribute> Decode(
      absl::Span<const uint8_t> value, const MessageView& /*message*/) {
    absl::Status status = CheckLength(kType, value, 4);
    if (!status.ok()) return status;
    return AddressFamilyAttribute{value[0]};
  }
  void AppendTo(MessageBuilder& builder) const {
    absl::Span<uint8_t> out = builder.AppendAttribute(kType, 4);
    if (!out.empty()) out[0] = family;
  }
};
using RequestedAddressFamily =
    AddressFamilyAttribute<attr::kRequestedAddressFamily>;
using AdditionalAddressFamily =
    AddressFamilyAttribute<attr::kAdditionalAddressFamily>;

// EVEN-PORT (§18.7): ask for an even relayed port, and with the R flag to
// reserve the next port too. One byte (padded to 4 on the wire).
struct EvenPort {
  static constexpr uint16_t kType = attr::kEvenPort;
  bool reserve_next = false;

  static absl::StatusOr<EvenPort> Decode(absl::Span<const uint8_t> value,
                                         const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// REQUESTED-TRANSPORT (§18.9): an IANA protocol number (17 UDP; 6 TCP with
// RFC 6062) and 3 reserved bytes.
struct RequestedTransport {
  static constexpr uint16_t kType = attr::kRequestedTransport;
  static constexpr uint8_t kUdp = 17;
  static constexpr uint8_t kTcp = 6;
  uint8_t protocol = kUdp;

  static absl::StatusOr<RequestedTransport> Decode(
      absl::Span<const uint8_t> value, const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// DONT-FRAGMENT (§18.10): no value.
using DontFragment = FlagAttribute<attr::kDontFragment>;

// RESERVATION-TOKEN (§18.11): 8 opaque bytes naming a reserved port.
using ReservationToken = IntegerAttribute<attr::kReservationToken, uint64_t>;

// ICMP (§18.13): an ICMP error the server received for relayed data. The
// figure gives 16 reserved bits, a 7-bit type and a 9-bit code, then 32 bits
// of error data (the next-hop MTU for "packet too big").
struct Icmp {
  static constexpr uint16_t kType = attr::kIcmp;
  uint8_t icmp_type = 0;   // 0-127.
  uint16_t icmp_code = 0;  // 0-511.
  uint32_t error_data = 0;

  static absl::StatusOr<Icmp> Decode(absl::Span<const uint8_t> value,
                                     const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// CONNECTION-ID (RFC 6062 §6.2.1): names a TCP connection of a TCP allocation.
using ConnectionId = IntegerAttribute<attr::kConnectionId, uint32_t>;

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_TURN_ATTRIBUTES_H_
