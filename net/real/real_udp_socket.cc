#include "net/real/real_udp_socket.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/posix_error.h"
#include "net/real/scoped_fd.h"
#include "net/real/socket_address.h"
#include "net/real/socket_options.h"
#include "net/transport_address.h"

namespace pinhole::net::real {
namespace {

// Each datagram of a batch gets this much of the loop's receive buffer: more
// than any UDP payload, so nothing is ever truncated.
constexpr size_t kSlotSize = 65536;
static_assert(RealUdpSocket::kBatchSize * kSlotSize <=
              EventLoop::kReceiveBufferSize);
// Room for one IP_PKTINFO or IPV6_PKTINFO control message, and then some.
constexpr size_t kControlSize = 64;
static_assert(CMSG_SPACE(sizeof(in6_pktinfo)) <= kControlSize);
static_assert(CMSG_SPACE(sizeof(in_pktinfo)) <= kControlSize);

// The receive buffer asked for: a server's socket takes bursts from many
// clients at once (a TURN relay, a STUN server under load), and the kernel's
// default (208 KiB on Debian) overflows first. The kernel caps the request
// at net.core.rmem_max and charges only what is queued, so asking costs an
// idle socket nothing; failing to get it is not an error.
constexpr int kReceiveBufferBytes = 4 << 20;

absl::Status Configure(int fd, AddressFamily family) {
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes,
             sizeof(kReceiveBufferBytes));
  if (family == AddressFamily::kIpv4) {
    return EnableSocketOption(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO");
  }
  if (absl::Status s =
          EnableSocketOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY");
      !s.ok()) {
    return s;
  }
  return EnableSocketOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO,
                            "IPV6_RECVPKTINFO");
}

// The destination address a packet-info control message carries.
std::optional<IpAddress> DestinationAddress(msghdr& message) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
       c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      std::array<uint8_t, 4> bytes;
      std::memcpy(bytes.data(), &info.ipi_addr, bytes.size());
      return IpAddress::FromV4Bytes(bytes);
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), &info.ipi6_addr, bytes.size());
      return IpAddress::FromV6Bytes(bytes);
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RealUdpSocket>> RealUdpSocket::Bind(
    EventLoop& loop, const TransportAddress& local,
    ReceiveCallback on_receive) {
  if (local.protocol() != TransportProtocol::kUdp) {
    return absl::InvalidArgumentError(
        absl::StrCat("BindUdp needs a UDP address, not ", local.ToString()));
  }
  const std::string what = absl::StrCat("UDP ", local.HostPort());
  ScopedFd fd(socket(SocketDomain(local.family()),
                     SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return PosixError(errno, absl::StrCat("socket for ", what));
  if (absl::Status s = Configure(fd.get(), local.family()); !s.ok()) return s;
  const SocketAddress address = SocketAddress::From(local);
  if (bind(fd.get(), address.get(), address.size) != 0) {
    const int error_number = errno;
    return PosixError(
        error_number,
        absl::StrCat("bind ", what,
                     error_number == EADDRNOTAVAIL
                         ? " (not an address of this host)"
                     : error_number == EADDRINUSE ? " (port in use)"
                                                  : ""));
  }
  absl::StatusOr<TransportAddress> bound =
      LocalAddressOf(fd.get(), TransportProtocol::kUdp);
  if (!bound.ok()) return bound.status();
  std::unique_ptr<RealUdpSocket> socket(
      new RealUdpSocket(loop, std::move(fd), *bound, std::move(on_receive)));
  if (absl::Status s =
          socket->watch_.Start(loop, socket->fd_.get(), EPOLLIN, *socket);
      !s.ok()) {
    return s;
  }
  return socket;
}

RealUdpSocket::RealUdpSocket(EventLoop& loop, ScopedFd fd,
                             TransportAddress local, ReceiveCallback on_receive)
    : loop_(loop),
      fd_(std::move(fd)),
      local_(local),
      on_receive_(std::move(on_receive)) {}

RealUdpSocket::~RealUdpSocket() { watch_.Stop(); }

void RealUdpSocket::OnFdEvents(uint32_t /*events*/) {
  Liveness::Scope scope(liveness_);
  // Held here while datagrams are delivered: a callback may destroy the
  // socket, and with it `on_receive_`.
  ReceiveCallback callback = std::move(on_receive_);
  size_t delivered = 0;
  while (delivered < kMaxDatagramsPerWakeup) {
    const size_t read = ReceiveBatch(callback, scope);
    if (!scope.alive()) return;
    delivered += read;
    if (read < kBatchSize) break;  // Drained, most likely.
  }
  on_receive_ = std::move(callback);
}

size_t RealUdpSocket::ReceiveBatch(ReceiveCallback& callback,
                                   const Liveness::Scope& scope) {
  uint8_t* const buffer = loop_.receive_buffer().data();
  std::array<mmsghdr, kBatchSize> messages{};
  std::array<iovec, kBatchSize> payloads;
  std::array<sockaddr_storage, kBatchSize> sources;
  alignas(cmsghdr) uint8_t control[kBatchSize][kControlSize];
  for (size_t i = 0; i < kBatchSize; ++i) {
    payloads[i] = {buffer + i * kSlotSize, kSlotSize};
    msghdr& m = messages[i].msg_hdr;
    m.msg_name = &sources[i];
    m.msg_namelen = sizeof(sources[i]);
    m.msg_iov = &payloads[i];
    m.msg_iovlen = 1;
    m.msg_control = control[i];
    m.msg_controllen = kControlSize;
  }
  const int received =
      recvmmsg(fd_.get(), messages.data(), kBatchSize, MSG_DONTWAIT, nullptr);
  // EAGAIN: nothing waiting. Any other error (EINTR, a stray ICMP error) is
  // reported once and cleared; what is waiting is read in the next batch.
  if (received <= 0) return 0;
  for (int i = 0; i < received; ++i) {
    msghdr& m = messages[i].msg_hdr;
    const std::optional<TransportAddress> source =
        ToTransportAddress(static_cast<const sockaddr*>(m.msg_name),
                           m.msg_namelen, TransportProtocol::kUdp);
    if (!source.has_value() || (m.msg_flags & MSG_TRUNC) != 0) continue;
    const std::optional<IpAddress> to = DestinationAddress(m);
    const DatagramView datagram{
        *source, to.has_value() ? TransportAddress(*to, local_.port()) : local_,
        absl::MakeConstSpan(buffer + i * kSlotSize, messages[i].msg_len)};
    if (callback) callback(datagram);
    if (!scope.alive()) break;
  }
  return static_cast<size_t>(received);
}

absl::Status RealUdpSocket::CheckDestination(
    const TransportAddress& destination, size_t payload_size) const {
  const auto refuse = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("UDP socket ", local_.HostPort(), " cannot send to ",
                     destination.ToString(), ": ", why));
  };
  if (destination.protocol() != TransportProtocol::kUdp) {
    return refuse("not a UDP address");
  }
  if (destination.family() != local_.family()) {
    return refuse(absl::StrCat(
        "the socket is ", AddressFamilyName(local_.family()),
        ", the destination ", AddressFamilyName(destination.family())));
  }
  if (destination.ip().IsUnspecified() || destination.port() == 0) {
    return refuse("an unspecified address or port 0 is no destination");
  }
  const size_t limit = local_.ip().is_v4() ? kMaxV4Payload : kMaxV6Payload;
  if (payload_size > limit) {
    return refuse(absl::StrCat("a ", payload_size,
                               "-byte payload is larger than an ",
                               AddressFamilyName(local_.family()),
                               " UDP datagram can carry (", limit, ")"));
  }
  return absl::OkStatus();
}

absl::Status RealUdpSocket::SendTo(const TransportAddress& destination,
                                   absl::Span<const uint8_t> payload) {
  if (absl::Status s = CheckDestination(destination, payload.size()); !s.ok()) {
    return s;
  }
  const SocketAddress to = SocketAddress::From(destination);
  int error_number = 0;
  // Retried for EINTR, and once for a stale ECONNREFUSED: an earlier
  // datagram's ICMP error, reported by this call although this datagram was
  // not sent.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (sendto(fd_.get(), payload.data(), payload.size(),
               MSG_DONTWAIT | MSG_NOSIGNAL, to.get(), to.size) >= 0) {
      return absl::OkStatus();
    }
    error_number = errno;
    if (error_number != EINTR && error_number != ECONNREFUSED) break;
  }
  const std::string what =
      absl::StrCat("UDP ", local_.HostPort(), " -> ", destination.HostPort());
  if (error_number == EAGAIN || error_number == EWOULDBLOCK ||
      error_number == ENOBUFS) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": the send buffer is full; datagram not sent"));
  }
  return PosixError(error_number, absl::StrCat(what, ": sendto"));
}

absl::Status RealUdpSocket::SetDontFragment(bool dont_fragment) {
  int rc = 0;
  if (local_.family() == AddressFamily::kIpv4) {
    const int value = dont_fragment ? IP_PMTUDISC_DO : IP_PMTUDISC_WANT;
    rc = setsockopt(fd_.get(), IPPROTO_IP, IP_MTU_DISCOVER, &value,
                    sizeof(value));
  } else {
    const int value = dont_fragment ? 1 : 0;
    rc = setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_DONTFRAG, &value,
                    sizeof(value));
  }
  if (rc != 0) {
    return PosixError(errno,
                      absl::StrCat("don't-fragment on ", local_.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace pinhole::net::real
