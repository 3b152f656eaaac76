// `Packet`: one IP packet in flight through the virtual network. It carries a
// real 5-tuple (the protocol is that of `source` and `destination`, always UDP
// or TCP, never TLS), the transport payload, and for TCP the segment header
// the simulated stream transport needs. Links, routers, NATs and firewalls
// read and rewrite these fields; the pcap writer turns them into real
// IPv4/IPv6 + UDP/TCP headers.
#ifndef PINHOLE_SIM_PACKET_H_
#define PINHOLE_SIM_PACKET_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/ip_address.h"
#include "net/transport_address.h"

namespace pinhole::sim {

// The fields of a TCP header that the simulated stream transport uses.
struct TcpHeader {
  static constexpr uint8_t kFin = 0x01;
  static constexpr uint8_t kSyn = 0x02;
  static constexpr uint8_t kRst = 0x04;
  static constexpr uint8_t kPsh = 0x08;
  static constexpr uint8_t kAck = 0x10;

  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 65535;
};

struct Packet {
  // Unique within one simulation (a duplicate made by a link gets its own id);
  // the trace follows a packet by it.
  uint64_t id = 0;
  net::TransportAddress source;
  net::TransportAddress destination;
  // Decremented by each router; a packet reaching 0 is dropped.
  uint8_t hop_limit = 64;
  TcpHeader tcp;  // Meaningful only when the protocol is TCP.
  std::vector<uint8_t> payload;

  bool is_tcp() const {
    return source.protocol() == net::TransportProtocol::kTcp;
  }
  net::AddressFamily family() const { return source.family(); }

  // Bytes on the wire at the IP layer: IP header (20 for IPv4, 40 for IPv6),
  // transport header (8 for UDP, 20 for TCP) and payload. Links compare this
  // with their MTU and spend it against their bandwidth.
  size_t ip_size() const {
    const size_t ip_header = family() == net::AddressFamily::kIpv6 ? 40 : 20;
    const size_t transport_header = is_tcp() ? 20 : 8;
    return ip_header + transport_header + payload.size();
  }
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_PACKET_H_
