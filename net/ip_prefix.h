// `IpPrefix`: an address block such as 10.0.0.0/8 or 2001:db8::/32: the key of
// the simulator's routing tables and the unit of the TURN server's peer
// address rules.
#ifndef PINHOLE_NET_IP_PREFIX_H_
#define PINHOLE_NET_IP_PREFIX_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"

namespace pinhole::net {

class IpPrefix {
 public:
  // Fails when `length` exceeds the family's width (32 or 128) or is negative.
  // Bits of `address` past `length` are cleared.
  static absl::StatusOr<IpPrefix> Create(const IpAddress& address, int length);
  // "10.0.0.0/8", "2001:db8::/32"; a bare address is a host prefix (/32,
  // /128).
  static absl::StatusOr<IpPrefix> Parse(absl::string_view text);
  // A comma-separated list as an operator writes it in a flag:
  // "10.0.0.0/8, 192.168.0.0/16,fc00::/7". Spaces around an entry are ignored;
  // empty or blank text is the empty list; an empty entry ("a,,b", a trailing
  // comma) is an error, as is any entry Parse refuses, and the error names it.
  static absl::StatusOr<std::vector<IpPrefix>> ParseList(
      absl::string_view text);
  // 0.0.0.0/0 or ::/0.
  static IpPrefix Default(AddressFamily family);

  const IpAddress& address() const { return address_; }
  int length() const { return length_; }
  AddressFamily family() const { return address_.family(); }

  // True when `address` is of this prefix's family and its first `length()`
  // bits are the prefix's. An IPv4 prefix never contains an IPv6 address, not
  // even an IPv4-mapped one: seeing through IPv6 spellings is the caller's
  // decision.
  bool Contains(const IpAddress& address) const {
    return address.family() == address_.family() &&
           address.Masked(length_) == address_;
  }

  // "10.0.0.0/8", with the address in RFC 5952 text.
  std::string ToString() const;

  friend bool operator==(const IpPrefix& a, const IpPrefix& b) {
    return a.length_ == b.length_ && a.address_ == b.address_;
  }
  friend bool operator!=(const IpPrefix& a, const IpPrefix& b) {
    return !(a == b);
  }

 private:
  IpPrefix(const IpAddress& address, int length)
      : address_(address), length_(length) {}

  IpAddress address_;
  int length_ = 0;
};

std::ostream& operator<<(std::ostream& os, const IpPrefix& prefix);

}  // namespace pinhole::net

#endif  // PINHOLE_NET_IP_PREFIX_H_
