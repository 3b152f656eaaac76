// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
// complement sum of a byte string taken as big-endian 16-bit words, the last
// odd byte padded with a zero byte. IPv4 (RFC 791), UDP (RFC 768) and TCP
// (RFC 9293) headers carry it; UDP and TCP sum a pseudo-header first.
#ifndef PINHOLE_SIM_PCAP_INTERNET_CHECKSUM_H_
#define PINHOLE_SIM_PCAP_INTERNET_CHECKSUM_H_

#include <cstdint>

#include "absl/types/span.h"

namespace pinhole::sim::pcap {

// Sums several byte strings as if they were one: a pseudo-header, a header
// and a payload, for instance. A string of odd length may be followed by more:
// the byte positions stay those of the concatenation.
class InternetChecksum {
 public:
  void Add(absl::Span<const uint8_t> bytes);

  // The checksum of everything added so far: the one's complement of the
  // folded sum. Written into a checksum field that was zero during the sum,
  // it makes the sum over the same bytes verify to zero.
  uint16_t Checksum() const;

 private:
  uint64_t sum_ = 0;  // Of 16-bit words; folded only when read.
  bool odd_ = false;  // Whether an odd number of bytes has been added.
};

// The checksum of one byte string.
uint16_t ComputeInternetChecksum(absl::Span<const uint8_t> bytes);

}  // namespace pinhole::sim::pcap

#endif  // PINHOLE_SIM_PCAP_INTERNET_CHECKSUM_H_
