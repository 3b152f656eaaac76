// `RelaySockets`: how a `TurnServer` gets the UDP sockets of its relayed
// transport addresses (RFC 8656 §7.2) without owning any. The server picks
// the address (a relay IP of its configuration and a port drawn at random
// from its range) and asks the driver to open a socket there; datagrams that
// arrive on it must reach `TurnServer::HandleDatagram` with the relayed
// address as destination, and datagrams the server sends from it must leave
// through it.
#ifndef PINHOLE_TURN_RELAY_SOCKETS_H_
#define PINHOLE_TURN_RELAY_SOCKETS_H_

#include "absl/status/status.h"
#include "net/transport_address.h"

namespace pinhole::turn {

class RelaySockets {
 public:
  virtual ~RelaySockets() = default;

  // Opens a UDP socket at `address` (never port 0). Any error means "not
  // here": the server tries another port. `dont_fragment` asks that every
  // datagram sent from it carry the IP DF bit (RFC 8656 §7.2, DONT-FRAGMENT);
  // a driver that cannot honour it must fail.
  virtual absl::Status Open(const net::TransportAddress& address,
                            bool dont_fragment) = 0;

  // Closes the socket at `address`. The driver may defer the close, but no
  // datagram from it may reach the server afterwards.
  virtual void Close(const net::TransportAddress& address) = 0;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_RELAY_SOCKETS_H_
