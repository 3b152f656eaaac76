// `IpPrefix`: an address block such as 10.0.0.0/8 or 2001:db8::/32, the key of
// routing tables.
#ifndef PINHOLE_SIM_IP_PREFIX_H_
#define PINHOLE_SIM_IP_PREFIX_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"

namespace pinhole::sim {

class IpPrefix {
 public:
  // Fails when `length` exceeds the family's width (32 or 128) or is negative.
  // Bits of `address` past `length` are cleared.
  static absl::StatusOr<IpPrefix> Create(const net::IpAddress& address,
                                         int length);
  // "10.0.0.0/8", "2001:db8::/32"; a bare address is a host prefix (/32,
  // /128).
  static absl::StatusOr<IpPrefix> Parse(absl::string_view text);
  // 0.0.0.0/0 or ::/0.
  static IpPrefix Default(net::AddressFamily family);

  const net::IpAddress& address() const { return address_; }
  int length() const { return length_; }
  net::AddressFamily family() const { return address_.family(); }

  bool Contains(const net::IpAddress& address) const {
    return address.family() == address_.family() &&
           address.Masked(length_) == address_;
  }

  std::string ToString() const;

  friend bool operator==(const IpPrefix& a, const IpPrefix& b) {
    return a.length_ == b.length_ && a.address_ == b.address_;
  }
  friend bool operator!=(const IpPrefix& a, const IpPrefix& b) {
    return !(a == b);
  }

 private:
  IpPrefix(const net::IpAddress& address, int length)
      : address_(address), length_(length) {}

  net::IpAddress address_;
  int length_ = 0;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_IP_PREFIX_H_
