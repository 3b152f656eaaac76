#include "net/real/real_tcp_listener.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/posix_error.h"
#include "net/real/real_tcp_stream.h"
#include "net/real/scoped_fd.h"
#include "net/real/socket_address.h"
#include "net/real/socket_options.h"
#include "net/transport_address.h"

namespace pinhole::net::real {
namespace {

absl::StatusOr<ScopedFd> OpenListeningSocket(const TransportAddress& local) {
  const std::string what = absl::StrCat("TCP ", local.HostPort());
  ScopedFd fd(socket(SocketDomain(local.family()),
                     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return PosixError(errno, absl::StrCat("socket for ", what));
  if (absl::Status s = EnableSocketOption(fd.get(), SOL_SOCKET, SO_REUSEADDR,
                                          "SO_REUSEADDR");
      !s.ok()) {
    return s;
  }
  if (local.ip().is_v6()) {
    if (absl::Status s = EnableSocketOption(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY,
                                            "IPV6_V6ONLY");
        !s.ok()) {
      return s;
    }
  }
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
  if (listen(fd.get(), SOMAXCONN) != 0) {
    return PosixError(errno, absl::StrCat("listen on ", what));
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RealTcpListener>> RealTcpListener::Listen(
    EventLoop& loop, const TransportAddress& local, AcceptCallback on_accept) {
  if (local.protocol() != TransportProtocol::kTcp) {
    return absl::InvalidArgumentError(
        absl::StrCat("ListenTcp needs a TCP address, not ", local.ToString()));
  }
  absl::StatusOr<ScopedFd> fd = OpenListeningSocket(local);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<TransportAddress> bound =
      LocalAddressOf(fd->get(), TransportProtocol::kTcp);
  if (!bound.ok()) return bound.status();
  std::unique_ptr<RealTcpListener> listener(
      new RealTcpListener(loop, *std::move(fd), *bound, std::move(on_accept)));
  if (absl::Status s =
          listener->watch_.Start(loop, listener->fd_.get(), EPOLLIN, *listener);
      !s.ok()) {
    return s;
  }
  return listener;
}

RealTcpListener::RealTcpListener(EventLoop& loop, ScopedFd fd,
                                 TransportAddress local,
                                 AcceptCallback on_accept)
    : loop_(loop),
      fd_(std::move(fd)),
      local_(local),
      on_accept_(std::move(on_accept)),
      resume_(loop, [this] { Resume(); }) {}

RealTcpListener::~RealTcpListener() { watch_.Stop(); }

void RealTcpListener::OnFdEvents(uint32_t /*events*/) {
  Liveness::Scope scope(liveness_);
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    if (!AcceptOne(scope)) return;
  }
}

bool RealTcpListener::AcceptOne(const Liveness::Scope& scope) {
  SocketAddress peer;
  ScopedFd fd(
      accept4(fd_.get(), peer.get(), &peer.size, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!fd.valid()) {
    switch (errno) {
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        watch_.Stop();
        resume_.SetAt(loop_.Now() + kPauseWhenExhausted);
        return false;
      case ECONNABORTED:  // The peer gave up while queued: take the next.
      case EINTR:
      case EPROTO:
      case EPERM:
        return true;
      default:  // EAGAIN: none waiting.
        return false;
    }
  }
  const std::optional<TransportAddress> remote =
      ToTransportAddress(peer.get(), peer.size, TransportProtocol::kTcp);
  if (!remote.has_value()) return true;
  absl::StatusOr<std::unique_ptr<RealTcpStream>> stream =
      RealTcpStream::Accepted(loop_, std::move(fd), *remote);
  if (!stream.ok() || !on_accept_) return true;  // Closed: dropped.
  // Held here while it runs: it may destroy the listener.
  AcceptCallback callback = std::move(on_accept_);
  callback(*std::move(stream));
  if (!scope.alive()) return false;
  on_accept_ = std::move(callback);
  return true;
}

void RealTcpListener::Resume() {
  if (watch_.active()) return;
  // Failing again here leaves the listener paused until the next attempt.
  if (!watch_.Start(loop_, fd_.get(), EPOLLIN, *this).ok()) {
    resume_.SetAt(loop_.Now() + kPauseWhenExhausted);
  }
}

}  // namespace pinhole::net::real
