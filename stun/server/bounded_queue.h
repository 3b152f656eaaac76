// `BoundedQueue`: a FIFO of at most `capacity` elements in a ring, for an
// engine's outputs. A flood of input cannot grow it: when it is full the
// caller either refuses the new element (check `full()` first) or pushes
// anyway and the oldest element is discarded. The ring grows with use, up to
// `capacity` slots, and is then reused: a queue that never holds more than a
// few elements never builds the rest. Elements are moved in and out.
#ifndef PINHOLE_STUN_SERVER_BOUNDED_QUEUE_H_
#define PINHOLE_STUN_SERVER_BOUNDED_QUEUE_H_

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace pinhole::stun {

template <typename T>
class BoundedQueue {
 public:
  // `capacity` must be at least 1.
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == capacity_; }

  // Appends `value`. When the queue is full, the oldest element is discarded
  // first and true is returned.
  bool PushEvictingOldest(T value) {
    bool evicted = false;
    if (full()) {
      head_ = Next(head_);
      --size_;
      evicted = true;
    }
    if (size_ == slots_.size()) {
      // Every slot is taken and the ring may grow: make it linear, then add
      // one at the end.
      std::rotate(slots_.begin(), slots_.begin() + head_, slots_.end());
      head_ = 0;
      slots_.push_back(std::move(value));
    } else {
      slots_[(head_ + size_) % slots_.size()] = std::move(value);
    }
    ++size_;
    return evicted;
  }

  // Removes and returns the oldest element, or nullopt when empty.
  std::optional<T> Pop() {
    if (size_ == 0) return std::nullopt;
    std::optional<T> out(std::move(slots_[head_]));
    head_ = Next(head_);
    --size_;
    return out;
  }

 private:
  size_t Next(size_t index) const { return (index + 1) % slots_.size(); }

  size_t capacity_;
  std::vector<T> slots_;  // Grows to at most `capacity_`.
  size_t head_ = 0;       // The oldest element, when size_ > 0.
  size_t size_ = 0;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_SERVER_BOUNDED_QUEUE_H_
