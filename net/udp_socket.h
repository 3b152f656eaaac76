// `UdpSocket`: a bound datagram socket. `Network::BindUdp` creates one;
// destroying it unbinds.
//
// Datagrams received arrive through the callback given at bind time, with the
// actual source and destination transport addresses (for a socket bound to a
// wildcard address, the destination is the local address the datagram was sent
// to). The callback runs on the network's thread; the payload it sees is valid
// only during the call.
#ifndef PINHOLE_NET_UDP_SOCKET_H_
#define PINHOLE_NET_UDP_SOCKET_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/transport_address.h"

namespace pinhole::net {

class UdpSocket {
 public:
  using ReceiveCallback =
      absl::AnyInvocable<void(const DatagramView& datagram)>;

  virtual ~UdpSocket() = default;

  // The bound address, with the port the network chose when asked for port 0.
  virtual TransportAddress local_address() const = 0;

  // Queues `payload` for `destination`. UDP promises nothing about delivery: an
  // OK status means the datagram left this socket, not that it arrived. Errors
  // are local ones: the destination is of the wrong family, the payload is
  // larger than a datagram may be, the socket's network refused it (no route,
  // interface down).
  virtual absl::Status SendTo(const TransportAddress& destination,
                              absl::Span<const uint8_t> payload) = 0;

  // Whether the datagrams this socket sends carry the IP "don't fragment" bit
  // (IPv4 DF; for IPv6, whose routers never fragment, whether the sending
  // host may). A TURN relay sets it for allocations that ask with
  // DONT-FRAGMENT (RFC 8656 §7.2). An error means the network cannot honour
  // the request.
  virtual absl::Status SetDontFragment(bool dont_fragment) = 0;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_UDP_SOCKET_H_
