// `SendQueue`: the bytes a TCP stream was given but the kernel has not taken
// yet, in order; and `FlushQueue`, which hands the kernel as many as it takes.
#ifndef PINHOLE_NET_REAL_SEND_QUEUE_H_
#define PINHOLE_NET_REAL_SEND_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace pinhole::net::real {

class SendQueue {
 public:
  SendQueue() = default;
  // A queue moved from is empty.
  SendQueue(SendQueue&& other) noexcept
      : bytes_(std::move(other.bytes_)), head_(std::exchange(other.head_, 0)) {
    other.bytes_.clear();
  }
  SendQueue& operator=(SendQueue&& other) noexcept {
    bytes_ = std::move(other.bytes_);
    head_ = std::exchange(other.head_, 0);
    other.bytes_.clear();
    return *this;
  }

  size_t size() const { return bytes_.size() - head_; }
  bool empty() const { return size() == 0; }

  void Append(absl::Span<const uint8_t> data);
  // The bytes waiting, oldest first.
  absl::Span<const uint8_t> front() const {
    return absl::MakeConstSpan(bytes_).subspan(head_);
  }
  // Drops the first `count` bytes (at most size()).
  void Consume(size_t count);
  void Clear();

 private:
  // Memory kept while empty; more is given back.
  static constexpr size_t kRetainedCapacity = 64 * 1024;

  std::vector<uint8_t> bytes_;
  size_t head_ = 0;  // Bytes before it were sent.
};

// Sends from the front of `queue` on the non-blocking socket `fd` until the
// queue is empty or the kernel's buffer is full. Returns 0, or the errno of a
// failure (the connection broke); what was sent leaves the queue.
int FlushQueue(int fd, SendQueue& queue);

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_SEND_QUEUE_H_
