// `IpAddress`: an IPv4 or IPv6 address, parsed and printed as the RFCs say, and
// classified the way a TURN server's peer filter and a NAT's address pool need.
//
// Text forms:
// - IPv4 is dotted decimal with exactly four parts, each 0-255 with no leading
// zeros (a leading
//   zero would be read as octal by some parsers, so "010.0.0.1" is refused, as
//   inet_pton does).
// - IPv6 is RFC 4291 §2.2: up to eight groups of one to four hex digits, at
// most one "::", and
//   optionally a dotted IPv4 address as the last 32 bits. Output is RFC 5952
//   canonical: lower case, no leading zeros, the longest run of two or more
//   zero groups (the first on a tie) compressed to "::", and mixed notation for
//   IPv4-mapped and IPv4-compatible addresses.
// - Zone identifiers ("fe80::1%eth0", RFC 6874) are not supported and are
// refused with an
//   error saying so: a zone names an interface of one machine, and Pinhole's
//   addresses cross machines and the simulator.
#ifndef PINHOLE_NET_IP_ADDRESS_H_
#define PINHOLE_NET_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pinhole::net {

enum class AddressFamily : uint8_t {
  kIpv4,
  kIpv6,
};

// "IPv4" or "IPv6".
absl::string_view AddressFamilyName(AddressFamily family);

class IpAddress {
 public:
  // The IPv4 unspecified address, 0.0.0.0.
  constexpr IpAddress() = default;

  // From network-order bytes.
  static IpAddress FromV4Bytes(const std::array<uint8_t, 4>& bytes);
  static IpAddress FromV6Bytes(const std::array<uint8_t, 16>& bytes);
  // From 4 (IPv4) or 16 (IPv6) network-order bytes; any other length is an
  // error.
  static absl::StatusOr<IpAddress> FromBytes(absl::Span<const uint8_t> bytes);
  // From a host-order 32-bit value: FromV4Value(0xc0000201) is 192.0.2.1.
  static IpAddress FromV4Value(uint32_t value);

  // Parses IPv4 or IPv6 text (see the file comment); the error names the input
  // and the fault.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);

  static IpAddress V4Any() { return IpAddress(); }
  static IpAddress V6Any();
  static IpAddress V4Loopback();
  static IpAddress V6Loopback();
  static IpAddress Any(AddressFamily family);

  AddressFamily family() const { return family_; }
  bool is_v4() const { return family_ == AddressFamily::kIpv4; }
  bool is_v6() const { return family_ == AddressFamily::kIpv6; }

  // The address in network order: 4 bytes for IPv4, 16 for IPv6.
  absl::Span<const uint8_t> bytes() const;
  // The host-order value of an IPv4 address. Requires is_v4().
  uint32_t v4_value() const;

  // RFC 5952 canonical text for IPv6, dotted decimal for IPv4.
  std::string ToString() const;

  // --- Classification. Each looks at this address as it is: an IPv4-mapped
  // IPv6 address of a loopback address is not IsLoopback(); use EmbeddedV4()
  // (or the peer-safety check of TURN) to see through IPv6 spellings of IPv4
  // addresses.

  // 0.0.0.0 and ::, exactly.
  bool IsUnspecified() const;
  // 0.0.0.0/8, "this host on this network" (RFC 1122 §3.2.1.3); never a valid
  // destination.
  bool IsThisNetwork() const;
  // 127.0.0.0/8, ::1/128.
  bool IsLoopback() const;
  // RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16. IPv4 only; see
  // IsUniqueLocal() for v6.
  bool IsPrivate() const;
  // RFC 6598 shared address space used by carrier-grade NATs: 100.64.0.0/10.
  bool IsSharedAddressSpace() const;
  // 169.254.0.0/16 (RFC 3927; holds the cloud metadata address
  // 169.254.169.254), fe80::/10.
  bool IsLinkLocal() const;
  // RFC 4193 unique local addresses: fc00::/7.
  bool IsUniqueLocal() const;
  // 224.0.0.0/4, ff00::/8.
  bool IsMulticast() const;
  // The limited broadcast address 255.255.255.255.
  bool IsBroadcast() const;
  // ::ffff:0:0/96 (RFC 4291 §2.5.5.2).
  bool IsV4Mapped() const;
  // ::/96 other than :: and ::1 (RFC 4291 §2.5.5.1, deprecated but still
  // accepted by stacks).
  bool IsV4Compatible() const;
  // 64:ff9b::/96 (RFC 6052 well-known prefix) and 64:ff9b:1::/48 (RFC 8215
  // local-use prefix).
  bool IsNat64() const;

  // The IPv4 address an IPv6 address carries in its last 32 bits when it is
  // IPv4-mapped, IPv4-compatible or a NAT64 address (RFC 6052 /96 form);
  // nullopt otherwise and for IPv4.
  std::optional<IpAddress> EmbeddedV4() const;
  // ::ffff:a.b.c.d for an IPv4 address; an IPv6 address is returned unchanged.
  IpAddress ToV4Mapped() const;

  // The first `prefix_length` bits kept, the rest zero. `prefix_length` is
  // clamped to 0..32 (IPv4) or 0..128 (IPv6).
  IpAddress Masked(int prefix_length) const;

  // Total order: every IPv4 address before every IPv6 address, then by bytes.
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family_ == b.family_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) {
    return !(a == b);
  }
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    if (a.family_ != b.family_) return a.family_ < b.family_;
    return a.bytes_ < b.bytes_;
  }
  friend bool operator>(const IpAddress& a, const IpAddress& b) {
    return b < a;
  }
  friend bool operator<=(const IpAddress& a, const IpAddress& b) {
    return !(b < a);
  }
  friend bool operator>=(const IpAddress& a, const IpAddress& b) {
    return !(a < b);
  }

  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.family_, a.bytes_);
  }

 private:
  // Bytes in network order; an IPv4 address uses the first four and keeps the
  // rest zero, so the defaulted comparisons and hashing need no special case.
  AddressFamily family_ = AddressFamily::kIpv4;
  std::array<uint8_t, 16> bytes_{};
};

std::ostream& operator<<(std::ostream& os, const IpAddress& address);

}  // namespace pinhole::net

#endif  // PINHOLE_NET_IP_ADDRESS_H_
