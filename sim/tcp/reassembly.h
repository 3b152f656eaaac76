// `Reassembly`: the receive side's out-of-order buffer. Bytes are addressed by
// their 64-bit offset in the stream (0 is the first byte after the SYN), so
// the sequence-number wrap never reaches it. It holds only bytes inside
// [next_offset, next_offset + capacity): anything before was delivered
// already (a duplicate), anything beyond is outside the advertised window;
// both are dropped, so memory stays bounded by `capacity`.
#ifndef PINHOLE_SIM_TCP_REASSEMBLY_H_
#define PINHOLE_SIM_TCP_REASSEMBLY_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "absl/types/span.h"

namespace pinhole::sim::tcp {

class Reassembly {
 public:
  explicit Reassembly(size_t capacity) : capacity_(capacity) {}

  // Stores the part of `data` (which starts at stream offset `offset`) that
  // lies inside the window and is not held already.
  void Insert(uint64_t offset, absl::Span<const uint8_t> data);

  // Removes and returns the bytes contiguous from `next_offset()`, advancing
  // it; empty when the next byte has not arrived.
  std::vector<uint8_t> TakeInOrder();

  // The offset of the next byte to deliver (= bytes delivered so far).
  uint64_t next_offset() const { return next_offset_; }
  // Bytes held out of order.
  size_t buffered_bytes() const { return buffered_bytes_; }

 private:
  size_t capacity_;
  uint64_t next_offset_ = 0;
  size_t buffered_bytes_ = 0;
  // Non-overlapping runs, keyed by their first offset.
  std::map<uint64_t, std::vector<uint8_t>> runs_;
};

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_REASSEMBLY_H_
