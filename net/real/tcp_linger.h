// `TcpLinger`: the rest of an orderly close after its stream is gone. When a
// stream that was closed (or whose peer closed) is destroyed with bytes still
// queued, the loop adopts a `TcpLinger` that sends them, then the FIN, and
// closes the socket, without callbacks. Like Linux for an orphaned socket, it
// resets the connection if the peer takes no byte for `kTimeout`, and the
// kernel resets it if data arrives that nobody will read.
#ifndef PINHOLE_NET_REAL_TCP_LINGER_H_
#define PINHOLE_NET_REAL_TCP_LINGER_H_

#include <cstdint>

#include "net/real/event_loop.h"
#include "net/real/loop_timer.h"
#include "net/real/scoped_fd.h"
#include "net/real/send_queue.h"
#include "net/time.h"

namespace pinhole::net::real {

class TcpLinger final : public EventLoop::Adopted, private FdHandler {
 public:
  static constexpr Duration kTimeout = Duration::Seconds(60);

  // Hands `fd` and `queue` to a linger that `loop` adopts. If the loop cannot
  // watch the socket, it is reset and closed at once.
  static void Start(EventLoop& loop, ScopedFd fd, SendQueue queue);

  TcpLinger(const TcpLinger&) = delete;
  TcpLinger& operator=(const TcpLinger&) = delete;
  ~TcpLinger() override;

 private:
  TcpLinger(EventLoop& loop, ScopedFd fd, SendQueue queue);

  void OnFdEvents(uint32_t events) override;
  // Stops, resetting the connection when `reset`, and asks the loop to
  // destroy this linger.
  void Finish(bool reset);

  EventLoop& loop_;
  ScopedFd fd_;
  FdWatch watch_;  // After `fd_`: stops watching before the socket closes.
  SendQueue queue_;
  LoopTimer timeout_;
};

// Sets SO_LINGER to zero, so that closing `fd` resets the connection.
void ResetOnClose(int fd);

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_TCP_LINGER_H_
