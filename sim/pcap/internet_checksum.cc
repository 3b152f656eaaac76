#include "sim/pcap/internet_checksum.h"

#include <cstdint>

#include "absl/types/span.h"

namespace pinhole::sim::pcap {

void InternetChecksum::Add(absl::Span<const uint8_t> bytes) {
  for (const uint8_t byte : bytes) {
    // A byte at an even offset of the concatenation is the high half of its
    // word, one at an odd offset the low half (RFC 1071 §1, big-endian).
    sum_ += odd_ ? byte : static_cast<uint64_t>(byte) << 8;
    odd_ = !odd_;
  }
}

uint16_t InternetChecksum::Checksum() const {
  // End-around carry (RFC 1071 §2 (B)): fold the carries back in until none
  // is left. A 64-bit sum of 16-bit words cannot overflow for any input that
  // fits in memory.
  uint64_t sum = sum_;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint16_t ComputeInternetChecksum(absl::Span<const uint8_t> bytes) {
  InternetChecksum checksum;
  checksum.Add(bytes);
  return checksum.Checksum();
}

}  // namespace pinhole::sim::pcap
