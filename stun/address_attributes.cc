#include "stun/address_attributes.h"

#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "net/ip_address.h"
#include "stun/byte_io.h"

namespace pinhole::stun {
namespace {

// The XOR pad: the magic cookie, then the transaction ID (IPv6 uses all 16
// bytes, IPv4 the first 4).
std::array<uint8_t, 16> XorPad(const TransactionId& transaction_id) {
  std::array<uint8_t, 16> pad;
  StoreBe32(pad.data(), kMagicCookie);
  for (size_t i = 0; i < transaction_id.size(); ++i) {
    pad[4 + i] = transaction_id[i];
  }
  return pad;
}

}  // namespace

absl::StatusOr<net::TransportAddress> DecodeAddress(
    uint16_t type, absl::Span<const uint8_t> value,
    const TransactionId* xor_with) {
  if (value.size() < 4) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %d bytes, too short for an address",
                        AttributeTypeName(type), value.size()));
  }
  const uint8_t family = value[1];
  size_t address_size;
  if (family == kFamilyIpv4) {
    address_size = 4;
  } else if (family == kFamilyIpv6) {
    address_size = 16;
  } else {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: unknown address family 0x%02X", AttributeTypeName(type), family));
  }
  if (value.size() != 4 + address_size) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: %d bytes, but an %s address takes %d", AttributeTypeName(type),
        value.size(), family == kFamilyIpv4 ? "IPv4" : "IPv6",
        4 + address_size));
  }
  uint16_t port = LoadBe16(value.data() + 2);
  std::array<uint8_t, 16> address{};
  for (size_t i = 0; i < address_size; ++i) address[i] = value[4 + i];
  if (xor_with != nullptr) {
    const std::array<uint8_t, 16> pad = XorPad(*xor_with);
    port ^= static_cast<uint16_t>(kMagicCookie >> 16);
    for (size_t i = 0; i < address_size; ++i) address[i] ^= pad[i];
  }
  const net::IpAddress ip =
      family == kFamilyIpv4
          ? net::IpAddress::FromV4Bytes(
                {address[0], address[1], address[2], address[3]})
          : net::IpAddress::FromV6Bytes(address);
  return net::TransportAddress(ip, port);
}

void AppendAddress(MessageBuilder& builder, uint16_t type,
                   const net::TransportAddress& address, bool xored) {
  const absl::Span<const uint8_t> ip = address.ip().bytes();
  absl::Span<uint8_t> out = builder.AppendAttribute(type, 4 + ip.size());
  if (out.empty()) return;
  out[0] = 0;
  out[1] = address.ip().is_v4() ? kFamilyIpv4 : kFamilyIpv6;
  uint16_t port = address.port();
  if (xored) port ^= static_cast<uint16_t>(kMagicCookie >> 16);
  StoreBe16(out.data() + 2, port);
  const std::array<uint8_t, 16> pad = XorPad(builder.transaction_id());
  for (size_t i = 0; i < ip.size(); ++i) {
    out[4 + i] = xored ? ip[i] ^ pad[i] : ip[i];
  }
}

}  // namespace pinhole::stun
