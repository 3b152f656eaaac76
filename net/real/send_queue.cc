#include "net/real/send_queue.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace pinhole::net::real {

void SendQueue::Append(absl::Span<const uint8_t> data) {
  if (data.empty()) return;
  // Sent bytes are dropped once they are at least half the buffer, so every
  // byte moves at most once more on average.
  if (head_ > 0 && head_ >= bytes_.size() / 2) {
    bytes_.erase(bytes_.begin(), bytes_.begin() + head_);
    head_ = 0;
  }
  bytes_.insert(bytes_.end(), data.begin(), data.end());
}

void SendQueue::Consume(size_t count) {
  head_ += count < size() ? count : size();
  if (head_ == bytes_.size()) Clear();
}

void SendQueue::Clear() {
  bytes_.clear();
  head_ = 0;
  if (bytes_.capacity() > kRetainedCapacity) {
    std::vector<uint8_t>().swap(bytes_);
  }
}

int FlushQueue(int fd, SendQueue& queue) {
  while (!queue.empty()) {
    const absl::Span<const uint8_t> bytes = queue.front();
    const ssize_t sent =
        send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return errno;
    }
    queue.Consume(static_cast<size_t>(sent));
    // A short write means the kernel's buffer is full: skip the EAGAIN call.
    if (static_cast<size_t>(sent) < bytes.size()) return 0;
  }
  return 0;
}

}  // namespace pinhole::net::real
