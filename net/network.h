// `Network`: one host's view of a network, the seam between Pinhole's protocol
// drivers and the world they run in. The simulator implements it for each
// virtual host; the real-socket backend implements it over the operating
// system's sockets. Nothing here names either.
//
// All objects a `Network` hands out, and all their callbacks, belong to one
// thread: the one that runs the network. They must be destroyed before the
// `Network` that made them.
#ifndef PINHOLE_NET_NETWORK_H_
#define PINHOLE_NET_NETWORK_H_

#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "net/clock.h"
#include "net/ip_address.h"
#include "net/random.h"
#include "net/tcp_stream.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net {

class Network {
 public:
  virtual ~Network() = default;

  virtual const Clock& clock() const = 0;
  // The host's source of randomness: a seeded stream in the simulator,
  // OpenSSL's CSPRNG on real networks.
  virtual Random& random() = 0;

  // The addresses of this host's interfaces that are up, in a stable order.
  virtual std::vector<IpAddress> LocalAddresses() const = 0;

  // A timer, not armed, that runs `on_fire` when it fires.
  virtual std::unique_ptr<Timer> CreateTimer(
      absl::AnyInvocable<void()> on_fire) = 0;

  // Binds a UDP socket at `local` (protocol must be UDP). An unspecified
  // address binds every interface of that family; port 0 asks the network to
  // choose one. Fails when the address is not this host's or the port is taken.
  virtual absl::StatusOr<std::unique_ptr<UdpSocket>> BindUdp(
      const TransportAddress& local, UdpSocket::ReceiveCallback on_receive) = 0;

  // Listens for TCP (or TLS, by `local`'s protocol) connections at `local`, as
  // BindUdp does.
  virtual absl::StatusOr<std::unique_ptr<TcpListener>> ListenTcp(
      const TransportAddress& local, TcpListener::AcceptCallback on_accept) = 0;

  // Starts connecting to `remote` (TCP or TLS, by its protocol) from `local`
  // (an unspecified address and port 0 let the network choose). The stream
  // reports the outcome through its callbacks; an error here means the attempt
  // could not even start.
  virtual absl::StatusOr<std::unique_ptr<TcpStream>> ConnectTcp(
      const TransportAddress& local, const TransportAddress& remote,
      TcpStream::Callbacks callbacks) = 0;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_NETWORK_H_
