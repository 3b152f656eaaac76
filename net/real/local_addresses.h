// `ListLocalAddresses`: the addresses of this machine's interfaces that are
// up, from getifaddrs(3).
//
// - IPv4 and IPv6, loopback included (callers such as ICE gathering decide
//   what to skip).
// - IPv6 link-local addresses (fe80::/10) are left out: they are usable only
//   with the scope id of their interface, which `net::IpAddress` cannot carry
//   (see net/ip_address.h), so a socket bound or sending to one would fail.
// - A stable order: by interface index, then IPv4 before IPv6, then by
//   address; an address on two interfaces is listed once.
#ifndef PINHOLE_NET_REAL_LOCAL_ADDRESSES_H_
#define PINHOLE_NET_REAL_LOCAL_ADDRESSES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "net/ip_address.h"

namespace pinhole::net::real {

absl::StatusOr<std::vector<IpAddress>> ListLocalAddresses();

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_LOCAL_ADDRESSES_H_
