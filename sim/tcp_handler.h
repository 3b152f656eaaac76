// `TcpHandler`: where a `Host` hands its TCP. The simulated stream transport
// (sim/tcp/) implements it; a host without one refuses TCP
// (`ListenTcp`/`ConnectTcp` return Unimplemented, and TCP packets reaching it
// are dropped with `kPortUnreachable`).
//
// The host gives the handler every TCP packet addressed to one of its
// addresses (after recording it as `delivered`), and forwards `ListenTcp` and
// `ConnectTcp` to it. The handler sends segments with `Host::SendPacket`,
// reads time from `Host::clock()`, and arms `Host::CreateTimer` timers. It owns
// its port space (TCP ports are separate from UDP's).
#ifndef PINHOLE_SIM_TCP_HANDLER_H_
#define PINHOLE_SIM_TCP_HANDLER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "net/tcp_stream.h"
#include "net/transport_address.h"
#include "sim/packet.h"

namespace pinhole::sim {

class TcpHandler {
 public:
  virtual ~TcpHandler() = default;

  // A TCP packet for one of the host's addresses. Runs inside a simulator
  // event, never inside a call into the handler.
  virtual void HandlePacket(Packet packet) = 0;

  // `net::Network::ListenTcp` and `ConnectTcp` of the host, with the same
  // contract.
  virtual absl::StatusOr<std::unique_ptr<net::TcpListener>> Listen(
      const net::TransportAddress& local,
      net::TcpListener::AcceptCallback on_accept) = 0;
  virtual absl::StatusOr<std::unique_ptr<net::TcpStream>> Connect(
      const net::TransportAddress& local, const net::TransportAddress& remote,
      net::TcpStream::Callbacks callbacks) = 0;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_TCP_HANDLER_H_
