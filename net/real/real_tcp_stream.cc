#include "net/real/real_tcp_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/loop_timer.h"
#include "net/real/posix_error.h"
#include "net/real/scoped_fd.h"
#include "net/real/send_queue.h"
#include "net/real/socket_address.h"
#include "net/real/socket_options.h"
#include "net/real/tcp_linger.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::net::real {
namespace {

absl::Status CheckConnect(const TransportAddress& local,
                          const TransportAddress& remote) {
  if (local.protocol() != TransportProtocol::kTcp ||
      remote.protocol() != TransportProtocol::kTcp ||
      local.family() != remote.family() || remote.ip().IsUnspecified() ||
      remote.port() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot connect TCP from ", local.ToString(), " to ", remote.ToString(),
        ": both must be TCP addresses of one family, and the "
        "remote one specified with a port"));
  }
  return absl::OkStatus();
}

// Whether a connect(2) error is the outcome of the attempt (reported through
// `on_closed`) rather than a reason it could not start.
bool IsConnectOutcome(int error_number) {
  return error_number == ECONNREFUSED || error_number == ETIMEDOUT ||
         error_number == EHOSTUNREACH || error_number == ECONNRESET;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RealTcpStream>> RealTcpStream::Connect(
    EventLoop& loop, const TransportAddress& local,
    const TransportAddress& remote, Callbacks callbacks) {
  if (absl::Status s = CheckConnect(local, remote); !s.ok()) return s;
  const std::string what =
      absl::StrCat("TCP ", local.HostPort(), " -> ", remote.HostPort());
  ScopedFd fd(socket(SocketDomain(local.family()),
                     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return PosixError(errno, absl::StrCat(what, ": socket"));
  if (absl::Status s =
          EnableSocketOption(fd.get(), IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
      !s.ok()) {
    return s;
  }
  if (!local.ip().IsUnspecified() || local.port() != 0) {
    if (absl::Status s = EnableSocketOption(fd.get(), SOL_SOCKET, SO_REUSEADDR,
                                            "SO_REUSEADDR");
        !s.ok()) {
      return s;
    }
    const SocketAddress from = SocketAddress::From(local);
    if (bind(fd.get(), from.get(), from.size) != 0) {
      return PosixError(errno, absl::StrCat(what, ": bind"));
    }
  }
  const SocketAddress to = SocketAddress::From(remote);
  const int error_number =
      connect(fd.get(), to.get(), to.size) == 0 ? 0 : errno;
  if (error_number == EADDRNOTAVAIL || error_number == EAGAIN) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": no local port is free to connect from"));
  }
  if (error_number != 0 && error_number != EINPROGRESS &&
      error_number != EINTR && !IsConnectOutcome(error_number)) {
    return PosixError(error_number, absl::StrCat(what, ": connect"));
  }
  // The system chose the local address and port in connect(2).
  absl::StatusOr<TransportAddress> bound =
      LocalAddressOf(fd.get(), TransportProtocol::kTcp);
  std::unique_ptr<RealTcpStream> stream(
      new RealTcpStream(loop, std::move(fd), bound.ok() ? *bound : local,
                        remote, std::move(callbacks), /*connecting=*/true));
  if (IsConnectOutcome(error_number)) {
    stream->FailLater(stream->Error(error_number, "connect"));
  } else {
    stream->UpdateInterest();
  }
  return stream;
}

absl::StatusOr<std::unique_ptr<RealTcpStream>> RealTcpStream::Accepted(
    EventLoop& loop, ScopedFd fd, const TransportAddress& remote) {
  if (absl::Status s =
          EnableSocketOption(fd.get(), IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<TransportAddress> local =
      LocalAddressOf(fd.get(), TransportProtocol::kTcp);
  if (!local.ok()) return local.status();
  std::unique_ptr<RealTcpStream> stream(new RealTcpStream(
      loop, std::move(fd), *local, remote, {}, /*connecting=*/false));
  stream->UpdateInterest();
  return stream;
}

RealTcpStream::RealTcpStream(EventLoop& loop, ScopedFd fd,
                             const TransportAddress& local,
                             const TransportAddress& remote,
                             Callbacks callbacks, bool connecting)
    : loop_(loop),
      fd_(std::move(fd)),
      local_(local),
      remote_(remote),
      callbacks_(std::move(callbacks)),
      connecting_(connecting),
      deferred_(loop, [this] { DeliverDeferredClose(); }) {}

RealTcpStream::~RealTcpStream() {
  watch_.Stop();
  if (broken_) return;  // `fd_` closes; the connection is gone already.
  const bool orderly = !connecting_ && (close_requested_ || read_ended_);
  if (!orderly) {
    ResetOnClose(fd_.get());
    return;
  }
  if (!queue_.empty()) {
    TcpLinger::Start(loop_, std::move(fd_), std::move(queue_));
    return;
  }
  // Closing sends the FIN after what the kernel still holds.
  if (!write_shut_) shutdown(fd_.get(), SHUT_WR);
}

void RealTcpStream::SetCallbacks(Callbacks callbacks) {
  callbacks_ = std::move(callbacks);
  ++callbacks_version_;
}

absl::Status RealTcpStream::Write(absl::Span<const uint8_t> data) {
  if (broken_ || close_requested_) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(), ": the stream is closing or closed"));
  }
  if (data.empty()) return absl::OkStatus();
  if (data.size() > kSendBufferLimit - queue_.size()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        Describe(), ": ", data.size(), " bytes do not fit in the send buffer (",
        kSendBufferLimit - queue_.size(), " of ", kSendBufferLimit, " free)"));
  }
  size_t sent = 0;
  if (!connecting_ && queue_.empty()) {
    ssize_t n;
    do {
      n = send(fd_.get(), data.data(), data.size(),
               MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
      sent = static_cast<size_t>(n);
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      absl::Status error = Error(errno, "send");
      FailLater(error);
      return error;
    }
  }
  queue_.Append(data.subspan(sent));
  UpdateInterest();
  return absl::OkStatus();
}

void RealTcpStream::Close() {
  if (close_requested_ || broken_) return;
  close_requested_ = true;
  ShutdownIfDone();
  UpdateInterest();
}

void RealTcpStream::OnFdEvents(uint32_t events) {
  Liveness::Scope scope(liveness_);
  if (connecting_) {
    FinishConnect(events, scope);
    return;
  }
  if (!read_ended_ && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
    ReadSome(scope);
    if (!scope.alive()) return;
  }
  if (!broken_ && !queue_.empty() &&
      (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
    Flush(scope);
    if (!scope.alive()) return;
  }
  UpdateInterest();
}

void RealTcpStream::FinishConnect(uint32_t events,
                                  const Liveness::Scope& scope) {
  int error_number = 0;
  socklen_t size = sizeof(error_number);
  if (getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error_number, &size) != 0) {
    error_number = errno;
  }
  if (error_number != 0) {
    Fail(Error(error_number, "connect"), scope);
    return;
  }
  if ((events & EPOLLOUT) == 0) return;  // Not yet.
  connecting_ = false;
  if (absl::StatusOr<TransportAddress> local =
          LocalAddressOf(fd_.get(), TransportProtocol::kTcp);
      local.ok()) {
    local_ = *local;
  }
  Invoke(&Callbacks::on_connected, scope);
  if (!scope.alive()) return;
  if (!broken_) Flush(scope);
  if (!scope.alive()) return;
  UpdateInterest();
}

void RealTcpStream::ReadSome(const Liveness::Scope& scope) {
  const absl::Span<uint8_t> buffer =
      loop_.receive_buffer().subspan(0, kReadSize);
  for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
    const ssize_t n = recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n > 0) {
      Invoke(&Callbacks::on_data, scope,
             absl::MakeConstSpan(buffer.data(), static_cast<size_t>(n)));
      // A write inside the callback may have found the stream broken.
      if (!scope.alive() || broken_) return;
      if (static_cast<size_t>(n) < buffer.size()) return;  // Drained.
      continue;
    }
    if (n == 0) {
      read_ended_ = true;
      ReportClosed(absl::OkStatus(), scope);
      return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    Fail(Error(errno, "recv"), scope);
    return;
  }
}

void RealTcpStream::Flush(const Liveness::Scope& scope) {
  if (const int error_number = FlushQueue(fd_.get(), queue_);
      error_number != 0) {
    Fail(Error(error_number, "send"), scope);
    return;
  }
  ShutdownIfDone();
}

void RealTcpStream::ShutdownIfDone() {
  if (close_requested_ && !write_shut_ && !connecting_ && !broken_ &&
      queue_.empty()) {
    // A failure (the peer reset the connection) shows in the next read.
    shutdown(fd_.get(), SHUT_WR);
    write_shut_ = true;
  }
}

void RealTcpStream::UpdateInterest() {
  uint32_t events = 0;
  if (connecting_) {
    events = EPOLLOUT;
  } else if (!broken_) {
    if (!read_ended_) events |= EPOLLIN;
    if (!queue_.empty()) events |= EPOLLOUT;
  }
  if (broken_ || events == 0) {
    watch_.Stop();
  } else if (watch_.active()) {
    watch_.SetEvents(events);
  } else if (absl::Status s = watch_.Start(loop_, fd_.get(), events, *this);
             !s.ok()) {
    FailLater(s);
  }
}

void RealTcpStream::Fail(const absl::Status& status,
                         const Liveness::Scope& scope) {
  broken_ = true;
  queue_.Clear();
  watch_.Stop();
  ReportClosed(status, scope);
}

void RealTcpStream::FailLater(const absl::Status& status) {
  broken_ = true;
  queue_.Clear();
  watch_.Stop();
  if (closed_reported_) return;
  closed_reported_ = true;
  deferred_close_ = status;
  deferred_.SetAt(Time());  // In the past: the next batch.
}

void RealTcpStream::ReportClosed(const absl::Status& status,
                                 const Liveness::Scope& scope) {
  if (closed_reported_) return;
  closed_reported_ = true;
  Invoke(&Callbacks::on_closed, scope, status);
}

void RealTcpStream::DeliverDeferredClose() {
  if (!deferred_close_.has_value()) return;
  const absl::Status status = *std::move(deferred_close_);
  deferred_close_.reset();
  Liveness::Scope scope(liveness_);
  Invoke(&Callbacks::on_closed, scope, status);
}

template <typename Member, typename... Args>
void RealTcpStream::Invoke(Member member, const Liveness::Scope& scope,
                           Args&&... args) {
  InvokeHeldCallback(callbacks_, callbacks_version_, member, scope,
                     std::forward<Args>(args)...);
}

absl::Status RealTcpStream::Error(int error_number,
                                  absl::string_view what) const {
  return PosixError(error_number, absl::StrCat(Describe(), ": ", what));
}

std::string RealTcpStream::Describe() const {
  return absl::StrCat("TCP ", local_.HostPort(), " -> ", remote_.HostPort());
}

}  // namespace pinhole::net::real
