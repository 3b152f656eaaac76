// Stateless helpers on TCP segments (`sim::Packet` with protocol kTcp): their
// length in sequence space, whether one opens a connection, the RST a host
// sends when no connection wants a segment, and the MSS that fits an MTU.
#ifndef PINHOLE_SIM_TCP_SEGMENT_H_
#define PINHOLE_SIM_TCP_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "net/ip_address.h"
#include "sim/packet.h"

namespace pinhole::sim::tcp {

// SEG.LEN of RFC 9293 §3.4: payload bytes, plus one for SYN, plus one for FIN.
uint32_t SegmentLength(const Packet& segment);

// A TCP segment with SYN set and neither ACK nor RST: what a host hands to
// `Connection::Accept` when something listens on its destination.
bool IsConnectionRequest(const Packet& segment);

// The reset a host sends for a segment that no connection and no listener
// wants (RFC 9293 §3.10.7.1, state CLOSED), from the segment's destination to
// its source:
// - if the segment has ACK: <SEQ=SEG.ACK><CTL=RST>;
// - otherwise: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; for a SYN this is
//   "connection refused".
// Returns nothing for a segment that is itself a RST (a reset is never
// answered) or is not TCP. The packet's id is 0: the simulator assigns ids.
std::optional<Packet> MakeReset(const Packet& received);

// The largest payload per segment whose IP packet fits `mtu`: the MTU less
// the IP header (20 bytes for IPv4, 40 for IPv6) and the 20-byte TCP header
// (1460 and 1440 for an MTU of 1500). 0 when the MTU is too small for headers.
size_t MssForMtu(size_t mtu, net::AddressFamily family);

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_SEGMENT_H_
