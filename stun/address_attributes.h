// Address attributes (RFC 8489 §14.1, §14.2; RFC 5780 §7; RFC 8656 §18).
//
// Plain form (MAPPED-ADDRESS, ALTERNATE-SERVER, RESPONSE-ORIGIN,
// OTHER-ADDRESS): a zero byte, the family (0x01 IPv4, 0x02 IPv6), the port and
// the address. XOR form (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS,
// XOR-RELAYED-ADDRESS): the same layout with the port XORed with the top 16
// bits of the magic cookie and the address XORed with the magic cookie (IPv4)
// or the cookie followed by the transaction ID (IPv6).
//
// Decoded addresses carry TransportProtocol::kUdp; callers that know better
// (a response received over TCP) set the protocol themselves.
#ifndef PINHOLE_STUN_ADDRESS_ATTRIBUTES_H_
#define PINHOLE_STUN_ADDRESS_ATTRIBUTES_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/transport_address.h"
#include "stun/attribute_type.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {

inline constexpr uint8_t kFamilyIpv4 = 0x01;
inline constexpr uint8_t kFamilyIpv6 = 0x02;

// Shared codecs. `xor_with` is the transaction ID for the XOR form, null for
// the plain form.
absl::StatusOr<net::TransportAddress> DecodeAddress(
    uint16_t type, absl::Span<const uint8_t> value,
    const TransactionId* xor_with);
void AppendAddress(MessageBuilder& builder, uint16_t type,
                   const net::TransportAddress& address, bool xored);

template <uint16_t kAttributeType>
struct PlainAddressAttribute {
  static constexpr uint16_t kType = kAttributeType;
  net::TransportAddress address;

  static absl::StatusOr<PlainAddressAttribute> Decode(
      absl::Span<const uint8_t> value, const MessageView& /*message*/) {
    absl::StatusOr<net::TransportAddress> address =
        DecodeAddress(kType, value, nullptr);
    if (!address.ok()) return address.status();
    return PlainAddressAttribute{*address};
  }
  void AppendTo(MessageBuilder& builder) const {
    AppendAddress(builder, kType, address, /*xored=*/false);
  }
};

template <uint16_t kAttributeType>
struct XorAddressAttribute {
  static constexpr uint16_t kType = kAttributeType;
  net::TransportAddress address;

  static absl::StatusOr<XorAddressAttribute> Decode(
      absl::Span<const uint8_t> value, const MessageView& message) {
    absl::StatusOr<net::TransportAddress> address =
        DecodeAddress(kType, value, &message.transaction_id());
    if (!address.ok()) return address.status();
    return XorAddressAttribute{*address};
  }
  void AppendTo(MessageBuilder& builder) const {
    AppendAddress(builder, kType, address, /*xored=*/true);
  }
};

using MappedAddress = PlainAddressAttribute<attr::kMappedAddress>;
using AlternateServer = PlainAddressAttribute<attr::kAlternateServer>;
using ResponseOrigin = PlainAddressAttribute<attr::kResponseOrigin>;
using OtherAddress = PlainAddressAttribute<attr::kOtherAddress>;
using XorMappedAddress = XorAddressAttribute<attr::kXorMappedAddress>;
using XorPeerAddress = XorAddressAttribute<attr::kXorPeerAddress>;
using XorRelayedAddress = XorAddressAttribute<attr::kXorRelayedAddress>;

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_ADDRESS_ATTRIBUTES_H_
