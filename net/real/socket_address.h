// Conversions between Pinhole's `TransportAddress` and the operating system's
// socket addresses (`sockaddr_in`, `sockaddr_in6`).
//
// IPv6 scope ids (the interface of a link-local address) have no place in
// `net::IpAddress` (see net/ip_address.h, "Zone identifiers"): an address read
// from the system drops its scope id, and one written to the system has scope
// 0, which the kernel refuses for link-local destinations.
#ifndef PINHOLE_NET_REAL_SOCKET_ADDRESS_H_
#define PINHOLE_NET_REAL_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <optional>

#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

// A socket address the system calls take and fill in.
struct SocketAddress {
  sockaddr_storage storage{};
  // The bytes of `storage` in use; as a value-result argument, its capacity.
  socklen_t size = sizeof(sockaddr_storage);

  // `address`'s IP and port, as `sockaddr_in` or `sockaddr_in6`.
  static SocketAddress From(const TransportAddress& address);

  const sockaddr* get() const {
    return reinterpret_cast<const sockaddr*>(&storage);
  }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// AF_INET or AF_INET6.
int SocketDomain(AddressFamily family);

// The IP address and port of an AF_INET or AF_INET6 socket address, with
// `protocol`; nullopt for any other family or a size too small for it.
std::optional<TransportAddress> ToTransportAddress(const sockaddr* address,
                                                   socklen_t size,
                                                   TransportProtocol protocol);

// getsockname(2) and getpeername(2) of `fd`, as transport addresses of
// `protocol`.
absl::StatusOr<TransportAddress> LocalAddressOf(int fd,
                                                TransportProtocol protocol);
absl::StatusOr<TransportAddress> PeerAddressOf(int fd,
                                               TransportProtocol protocol);

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_SOCKET_ADDRESS_H_
