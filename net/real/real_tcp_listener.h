// `RealTcpListener`: a `net::TcpListener` over a non-blocking listening
// socket (SO_REUSEADDR, so a restarted server can listen again while old
// connections linger in TIME-WAIT; IPv6 listeners are IPV6_V6ONLY).
//
// - Port 0 lets the system choose; `local_address()` reports its choice. A
//   port in use is AlreadyExists, an address that is not this host's
//   InvalidArgument.
// - Each loop batch accepts at most `kMaxAcceptsPerWakeup` connections (the
//   rest wait for the next batch) and hands each to the accept callback as an
//   established `RealTcpStream`, which delivers nothing before the callback
//   has returned. The callback may destroy the listener.
// - When the process runs out of descriptors or memory, accepting pauses for
//   `kPauseWhenExhausted` instead of spinning on a connection it cannot take;
//   connections wait in the kernel's backlog meanwhile.
#ifndef PINHOLE_NET_REAL_REAL_TCP_LISTENER_H_
#define PINHOLE_NET_REAL_REAL_TCP_LISTENER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/loop_timer.h"
#include "net/real/scoped_fd.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

class RealTcpListener final : public TcpListener, private FdHandler {
 public:
  static constexpr int kMaxAcceptsPerWakeup = 32;
  static constexpr Duration kPauseWhenExhausted = Duration::Milliseconds(100);

  // Listens at `local`, a TCP address.
  static absl::StatusOr<std::unique_ptr<RealTcpListener>> Listen(
      EventLoop& loop, const TransportAddress& local, AcceptCallback on_accept);
  RealTcpListener(const RealTcpListener&) = delete;
  RealTcpListener& operator=(const RealTcpListener&) = delete;
  ~RealTcpListener() override;

  TransportAddress local_address() const override { return local_; }

 private:
  RealTcpListener(EventLoop& loop, ScopedFd fd, TransportAddress local,
                  AcceptCallback on_accept);

  void OnFdEvents(uint32_t events) override;
  // Accepts one connection and hands it over: false when none is waiting,
  // accepting must pause, or the callback destroyed the listener.
  bool AcceptOne(const Liveness::Scope& scope);
  void Resume();

  EventLoop& loop_;
  ScopedFd fd_;
  FdWatch watch_;  // After `fd_`: stops watching before the socket closes.
  const TransportAddress local_;
  AcceptCallback on_accept_;
  LoopTimer resume_;
  Liveness liveness_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_REAL_TCP_LISTENER_H_
