// `TurnClientDriver`: a `TurnClient` bound to a `net::Network` (a simulated
// host or real sockets), as `TurnService` binds the server. Over UDP it binds
// the client's local address through a `net::UdpDriver` (port 0: the network
// chooses, and the client learns the address); over TCP and TLS a
// `stun::StreamDriver` opens the connection on the first request, and its
// closing reaches `TurnClient::HandleConnectionClosed` (RFC 8656 §3.1: the
// allocation goes with it).
//
// After calling into the client directly (Allocate, Send, ...), call
// `Flush()`. The client and the network must outlive the driver.
#ifndef PINHOLE_TURN_CLIENT_DRIVER_H_
#define PINHOLE_TURN_CLIENT_DRIVER_H_

#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "net/network.h"
#include "net/udp_driver.h"
#include "stun/stream_driver.h"
#include "turn/client.h"
#include "turn/client_event.h"

namespace pinhole::turn {

class TurnClientDriver {
 public:
  using EventCallback = absl::AnyInvocable<void(TurnClientEvent)>;

  // Binds `client` by its configuration's transport. Errors: the UDP bind
  // failed (the address is not this host's, the port is taken).
  static absl::StatusOr<std::unique_ptr<TurnClientDriver>> Start(
      net::Network& network, TurnClient& client, EventCallback on_event);
  TurnClientDriver(const TurnClientDriver&) = delete;
  TurnClientDriver& operator=(const TurnClientDriver&) = delete;

  void Flush();

 private:
  TurnClientDriver() = default;

  // One of the two, by the transport to the server.
  std::unique_ptr<net::UdpDriver<TurnClient>> udp_;
  std::unique_ptr<stun::StreamDriver<TurnClient>> stream_;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_CLIENT_DRIVER_H_
