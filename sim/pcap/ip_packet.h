// The bytes a `sim::Packet` would have on a real wire, at the IP layer: an
// IPv4 (RFC 791) or IPv6 (RFC 8200) header, a UDP (RFC 768) or TCP (RFC 9293)
// header, then the payload. This is what the pcap writer records (link type
// LINKTYPE_RAW, which starts at the IP header).
//
// The header fields a `sim::Packet` does not model are fixed:
// - IPv4: no options (IHL 5), DSCP/ECN 0, Don't Fragment set (the simulator
//   never fragments: a packet larger than a link's MTU is dropped, exactly what
//   a router does to a DF packet), fragment offset 0, identification = the low
//   16 bits of the packet id (so Wireshark's `ip.id` leads back to the trace;
//   RFC 6864 §4.1 lets an atomic datagram carry any value there).
// - IPv6: traffic class 0, flow label 0, no extension headers.
// - TCP: data offset 5 (no options), reserved bits 0, urgent pointer 0; the
//   flags byte is `TcpHeader::flags` as it is.
// Every checksum is computed: IPv4 header, UDP (over the pseudo-header, for
// IPv4 too; a computed 0 is sent as 0xffff, RFC 768 and RFC 8200 §8.1) and
// TCP.
#ifndef PINHOLE_SIM_PCAP_IP_PACKET_H_
#define PINHOLE_SIM_PCAP_IP_PACKET_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "sim/packet.h"

namespace pinhole::sim::pcap {

// IPv4's total length and IPv6's payload length are 16-bit fields, and
// Pinhole sends no IPv6 jumbograms (RFC 2675): the IPv4 packet, or the IPv6
// payload (transport header and data), holds at most this many bytes.
inline constexpr size_t kMaxIpLengthField = 65535;

// Why `packet` has no IP form, or "" when it has one. It has none when its
// source and destination differ in address family or protocol, when its
// protocol is TLS (a `sim::Packet` carries TCP segments, TLS is their
// payload), or when it is too long for the length fields.
absl::string_view WhyNotSerializable(const sim::Packet& packet);

// The packet's bytes: exactly `packet.ip_size()` of them. Requires
// `WhyNotSerializable(packet)` to be empty; otherwise the result is memory-safe
// but its length and checksum fields are meaningless.
std::vector<uint8_t> SerializeIpPacket(const sim::Packet& packet);

}  // namespace pinhole::sim::pcap

#endif  // PINHOLE_SIM_PCAP_IP_PACKET_H_
