// `ScopedFd`: sole owner of one file descriptor, closed on destruction.
#ifndef PINHOLE_NET_REAL_SCOPED_FD_H_
#define PINHOLE_NET_REAL_SCOPED_FD_H_

#include <unistd.h>

#include <utility>

namespace pinhole::net::real {

class ScopedFd {
 public:
  ScopedFd() = default;
  // Takes ownership of `fd` (-1 owns nothing).
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.release()) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }

  // Closes the descriptor owned (close(2) errors are not reported: the
  // descriptor is gone either way) and owns `fd` instead.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_SCOPED_FD_H_
