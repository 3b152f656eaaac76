// TCP sequence-number arithmetic, modulo 2^32 (RFC 9293 §3.4).
//
// Two sequence numbers compare by the sign of their 32-bit difference, so the
// comparison stays right across the wrap from 2^32 - 1 to 0 as long as the
// numbers are less than 2^31 apart (TCP's windows keep them far closer).
#ifndef PINHOLE_SIM_TCP_SEQUENCE_H_
#define PINHOLE_SIM_TCP_SEQUENCE_H_

#include <cstdint>

namespace pinhole::sim::tcp {

// `a - b` as a signed distance: positive when `a` is after `b`.
constexpr int32_t SeqDiff(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b);
}
constexpr bool SeqLt(uint32_t a, uint32_t b) { return SeqDiff(a, b) < 0; }
constexpr bool SeqLeq(uint32_t a, uint32_t b) { return SeqDiff(a, b) <= 0; }
constexpr bool SeqGt(uint32_t a, uint32_t b) { return SeqDiff(a, b) > 0; }
constexpr bool SeqGeq(uint32_t a, uint32_t b) { return SeqDiff(a, b) >= 0; }

// Whether `lo <= x < lo + size` (modulo 2^32). `size` is at most 2^31.
constexpr bool SeqInWindow(uint32_t x, uint32_t lo, uint32_t size) {
  return x - lo < size;
}

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_SEQUENCE_H_
