// `Host`: an end system of the virtual network, and its `net::Network`: the
// seam through which STUN, TURN and ICE drivers run on the simulator.
//
// - Interfaces: each attached to one end of a link, with one or more IPv4
//   and/or IPv6 addresses. The host accepts packets for any of its addresses
//   on any interface (the weak host model, RFC 1122 §3.3.4.2) and drops
//   others with `kNoRoute`; it never forwards.
// - Routes: longest-prefix match from destination to interface;
//   `SetDefaultRoute` adds 0.0.0.0/0 and ::/0. Links are point-to-point, so a
//   route names an interface, not a gateway. A packet to one of the host's
//   own addresses is delivered locally, in a later event of the same instant.
// - Source address: a socket bound to a specific address sends from it;
//   when only the default route leads to the destination, through the
//   interface that holds that address (source routing, so that a host on
//   Wi-Fi and cellular sends each address's packets into its own network).
//   One bound to a wildcard sends from the first address of its family on
//   the interface the route picks.
// - UDP: `BindUdp` at a specific address of the host or at the wildcard of a
//   family (which covers only that family: IPv6 wildcards are "v6only").
//   A port is taken when bound at the same address or when either binding is
//   the wildcard of the family. Port 0 takes the next free port of the
//   ephemeral range 49152-65535 (RFC 6335), in order from where the last
//   choice left off: deterministic and easy to read in traces. A datagram for
//   a port with no socket is dropped with `kPortUnreachable`.
// - `SendTo` fails with InvalidArgument for a destination of another family or
//   protocol, an unspecified destination or port 0, or a payload too large for
//   one IP packet (65507 bytes over IPv4, 65527 over IPv6), and with
//   Unavailable when no route leads to the destination or the chosen
//   interface has no address of the family.
// - TCP: see sim/tcp_handler.h. Without a handler, `ListenTcp` and
//   `ConnectTcp` return Unimplemented.
// - `random()` is the stream "host/NAME" of the simulator's seed.
// - Every interface is up; `LocalAddresses()` lists interfaces in the order
//   they were added, each interface's addresses in the order given.
//
// Lifetime: sockets, timers and listeners must be destroyed before the host;
// the host, its links and the simulator are destroyed together once nothing
// runs any more.
#ifndef PINHOLE_SIM_HOST_H_
#define PINHOLE_SIM_HOST_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/clock.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/network.h"
#include "net/random.h"
#include "net/tcp_stream.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/link.h"
#include "sim/packet.h"
#include "sim/packet_sink.h"
#include "sim/port.h"
#include "sim/routing_table.h"
#include "sim/simulator.h"
#include "sim/tcp_handler.h"
#include "sim/trace.h"

namespace pinhole::sim {

class Host final : public net::Network {
 public:
  static constexpr uint16_t kFirstEphemeralPort = 49152;

  static absl::StatusOr<std::unique_ptr<Host>> Create(Simulator& simulator,
                                                      absl::string_view name);
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;
  ~Host() override;

  const std::string& name() const { return name_; }
  Simulator& simulator() const { return simulator_; }

  // Attaches a new interface to `end` of `link` and returns its index (0, 1,
  // ...). Fails without addresses, for an unspecified, multicast or broadcast
  // address, for an address the host has already, or when the link end is
  // taken.
  absl::StatusOr<int> AddInterface(Link& link, LinkEnd end,
                                   std::vector<net::IpAddress> addresses);
  // Fails for an unknown interface or a prefix routed already.
  absl::Status AddRoute(const net::IpPrefix& prefix, int interface);
  absl::Status SetDefaultRoute(int interface);
  // Observes every packet the interface sends or receives.
  absl::Status AddInterfaceTap(int interface, PacketTap tap);

  bool IsLocalAddress(const net::IpAddress& address) const;

  // Routes and sends a packet its caller built (the TCP handler's segments):
  // gives it a fresh id, fills in an unspecified source address, records it
  // as `sent`. Fails with InvalidArgument when source and destination differ
  // in family or protocol, the protocol is TLS (a `Packet` carries UDP or
  // TCP), or the destination is unspecified; with Unavailable as `SendTo`
  // does when there is no route.
  absl::Status SendPacket(Packet packet);

  // Hands the host's TCP to `handler` (see sim/tcp_handler.h).
  void SetTcpHandler(std::unique_ptr<TcpHandler> handler) {
    tcp_handler_ = std::move(handler);
  }
  TcpHandler* tcp_handler() const { return tcp_handler_.get(); }
  // Takes the TCP handler back, to wrap it in another (sim/tls/ does): the
  // host refuses TCP until it is given one again.
  std::unique_ptr<TcpHandler> TakeTcpHandler() {
    return std::move(tcp_handler_);
  }

  // What routing picks for a packet to `destination` from an unspecified
  // address: the source address, and the MTU of the link it leaves by (for
  // the host itself, the largest an IP packet can be). Unavailable without a
  // route or without an address of the destination's family there.
  struct RouteInfo {
    net::IpAddress source;
    size_t mtu;
  };
  absl::StatusOr<RouteInfo> RouteTowards(
      const net::IpAddress& destination) const;

  // net::Network.
  const net::Clock& clock() const override { return simulator_; }
  net::Random& random() override { return random_; }
  std::vector<net::IpAddress> LocalAddresses() const override;
  std::unique_ptr<net::Timer> CreateTimer(
      absl::AnyInvocable<void()> on_fire) override;
  absl::StatusOr<std::unique_ptr<net::UdpSocket>> BindUdp(
      const net::TransportAddress& local,
      net::UdpSocket::ReceiveCallback on_receive) override;
  absl::StatusOr<std::unique_ptr<net::TcpListener>> ListenTcp(
      const net::TransportAddress& local,
      net::TcpListener::AcceptCallback on_accept) override;
  absl::StatusOr<std::unique_ptr<net::TcpStream>> ConnectTcp(
      const net::TransportAddress& local, const net::TransportAddress& remote,
      net::TcpStream::Callbacks callbacks) override;

 private:
  class UdpSocketImpl;
  struct Interface {
    std::unique_ptr<Port> port;
    std::vector<net::IpAddress> addresses;
    std::vector<PacketTap> taps;
  };

  Host(Simulator& simulator, std::string name, Trace::NodeId node);

  absl::Status SendUdp(const net::TransportAddress& local,
                       const net::TransportAddress& destination,
                       absl::Span<const uint8_t> payload);
  // Picks the interface (nullopt: local delivery) and the source address.
  absl::Status Route(const net::IpAddress& destination,
                     const net::IpAddress& bound, std::optional<int>& interface,
                     net::IpAddress& source) const;
  void Transmit(std::optional<int> interface, Packet packet);
  void Receive(int interface, Packet packet);
  void Deliver(Packet packet);
  void DeliverLocal();
  bool PortFree(const net::IpAddress& address, uint16_t port) const;
  void Unbind(const net::TransportAddress& local);
  static uint32_t PortKey(net::AddressFamily family, uint16_t port) {
    return static_cast<uint32_t>(family) << 16 | port;
  }

  Simulator& simulator_;
  const std::string name_;
  const Trace::NodeId node_;
  net::DeterministicRandom random_;
  std::vector<Interface> interfaces_;
  RoutingTable routes_;
  // Looked up, never iterated: their order cannot leak into behaviour.
  absl::flat_hash_map<net::TransportAddress, UdpSocketImpl*> sockets_;
  absl::flat_hash_map<uint32_t, int> port_users_;  // By PortKey.
  uint16_t next_ephemeral_ = kFirstEphemeralPort;
  std::deque<std::pair<EventId, Packet>> local_queue_;
  std::unique_ptr<TcpHandler> tcp_handler_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_HOST_H_
