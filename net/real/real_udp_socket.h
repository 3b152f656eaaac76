// `RealUdpSocket`: a `net::UdpSocket` over a non-blocking Linux UDP socket,
// watched by an `EventLoop`.
//
// - Binding: IPv4 or IPv6 (IPv6 sockets are IPV6_V6ONLY, so the IPv6 wildcard
//   covers IPv6 only, as in the simulator); port 0 lets the system choose, and
//   `local_address()` reports its choice. A port in use is AlreadyExists, an
//   address that is not this host's InvalidArgument; messages name the
//   address.
// - Receiving: datagrams arrive through recvmmsg in batches, at most
//   `kMaxDatagramsPerWakeup` per socket per loop batch, so one busy socket
//   cannot starve the others (what is left is read in the next batch). With
//   IP_PKTINFO / IPV6_RECVPKTINFO every datagram carries the destination
//   address it was sent to, which a wildcard-bound socket reports in
//   `DatagramView::destination`. The callback may destroy the socket. ICMP
//   errors (port unreachable) are not reported on these unconnected sockets.
// - Sending: sendto at once, never queued. InvalidArgument for a destination
//   of another family or protocol, an unspecified address, port 0, or a
//   payload over 65507 bytes (IPv4) or 65527 (IPv6); ResourceExhausted when
//   the socket's send buffer is full (UDP promises no delivery; the caller
//   decides whether to drop or retry); Unavailable when no route leads there;
//   PermissionDenied when a firewall rule refuses it. A stale
//   ECONNREFUSED left by an earlier datagram's ICMP error is skipped.
#ifndef PINHOLE_NET_REAL_REAL_UDP_SOCKET_H_
#define PINHOLE_NET_REAL_REAL_UDP_SOCKET_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/scoped_fd.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net::real {

class RealUdpSocket final : public UdpSocket, private FdHandler {
 public:
  // Datagrams one recvmmsg call returns at most.
  static constexpr size_t kBatchSize = 16;
  // The most datagrams one socket delivers per batch of the loop.
  static constexpr size_t kMaxDatagramsPerWakeup = 64;
  // The largest payloads, over IPv4 and IPv6 (65535 minus the headers).
  static constexpr size_t kMaxV4Payload = 65507;
  static constexpr size_t kMaxV6Payload = 65527;

  static absl::StatusOr<std::unique_ptr<RealUdpSocket>> Bind(
      EventLoop& loop, const TransportAddress& local,
      ReceiveCallback on_receive);
  RealUdpSocket(const RealUdpSocket&) = delete;
  RealUdpSocket& operator=(const RealUdpSocket&) = delete;
  ~RealUdpSocket() override;

  TransportAddress local_address() const override { return local_; }
  absl::Status SendTo(const TransportAddress& destination,
                      absl::Span<const uint8_t> payload) override;
  // IP_MTU_DISCOVER = IP_PMTUDISC_DO (IPv4) or IPV6_DONTFRAG (IPv6): the
  // kernel sets DF and refuses, rather than fragments, what exceeds the path
  // MTU.
  absl::Status SetDontFragment(bool dont_fragment) override;

 private:
  RealUdpSocket(EventLoop& loop, ScopedFd fd, TransportAddress local,
                ReceiveCallback on_receive);

  void OnFdEvents(uint32_t events) override;
  // One recvmmsg, and `callback` for each datagram it returned: how many it
  // read (0 when none was waiting). Stops early when a callback destroys the
  // socket (`scope` tells).
  size_t ReceiveBatch(ReceiveCallback& callback, const Liveness::Scope& scope);
  absl::Status CheckDestination(const TransportAddress& destination,
                                size_t payload_size) const;

  EventLoop& loop_;
  ScopedFd fd_;
  FdWatch watch_;  // After `fd_`: stops watching before the socket closes.
  const TransportAddress local_;
  ReceiveCallback on_receive_;
  Liveness liveness_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_REAL_UDP_SOCKET_H_
