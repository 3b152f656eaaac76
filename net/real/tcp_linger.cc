#include "net/real/tcp_linger.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "net/real/event_loop.h"
#include "net/real/loop_timer.h"
#include "net/real/scoped_fd.h"
#include "net/real/send_queue.h"

namespace pinhole::net::real {

void ResetOnClose(int fd) {
  const linger abort_on_close{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
             sizeof(abort_on_close));
}

void TcpLinger::Start(EventLoop& loop, ScopedFd fd, SendQueue queue) {
  std::unique_ptr<TcpLinger> linger(
      new TcpLinger(loop, std::move(fd), std::move(queue)));
  if (!linger->watch_.Start(loop, linger->fd_.get(), EPOLLOUT, *linger).ok()) {
    ResetOnClose(linger->fd_.get());
    return;
  }
  linger->timeout_.SetAt(loop.Now() + kTimeout);
  loop.Adopt(std::move(linger));
}

TcpLinger::TcpLinger(EventLoop& loop, ScopedFd fd, SendQueue queue)
    : loop_(loop),
      fd_(std::move(fd)),
      queue_(std::move(queue)),
      timeout_(loop, [this] { Finish(/*reset=*/true); }) {}

TcpLinger::~TcpLinger() { watch_.Stop(); }

void TcpLinger::OnFdEvents(uint32_t /*events*/) {
  const size_t before = queue_.size();
  if (FlushQueue(fd_.get(), queue_) != 0) {
    Finish(/*reset=*/true);
    return;
  }
  if (queue_.empty()) {
    shutdown(fd_.get(), SHUT_WR);
    Finish(/*reset=*/false);
    return;
  }
  if (queue_.size() < before) timeout_.SetAt(loop_.Now() + kTimeout);
}

void TcpLinger::Finish(bool reset) {
  watch_.Stop();
  timeout_.Cancel();
  if (reset) ResetOnClose(fd_.get());
  fd_.reset();
  loop_.Disown(this);
}

}  // namespace pinhole::net::real
