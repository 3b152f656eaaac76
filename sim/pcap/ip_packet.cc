#include "sim/pcap/ip_packet.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/transport_address.h"
#include "sim/packet.h"
#include "sim/pcap/internet_checksum.h"

namespace pinhole::sim::pcap {
namespace {

// IANA protocol numbers, the IPv4 protocol and IPv6 next-header field.
constexpr uint8_t kProtocolTcp = 6;
constexpr uint8_t kProtocolUdp = 17;

constexpr size_t kIpv4HeaderSize = 20;
constexpr size_t kUdpHeaderSize = 8;
constexpr size_t kTcpHeaderSize = 20;
// Offsets of the checksum field within the transport header.
constexpr size_t kUdpChecksumOffset = 6;
constexpr size_t kTcpChecksumOffset = 16;
constexpr size_t kIpv4ChecksumOffset = 10;

void Put8(std::vector<uint8_t>& out, uint8_t value) { out.push_back(value); }

void Put16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

void Put32(std::vector<uint8_t>& out, uint32_t value) {
  Put16(out, static_cast<uint16_t>(value >> 16));
  Put16(out, static_cast<uint16_t>(value));
}

void PutBytes(std::vector<uint8_t>& out, absl::Span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void Store16(std::vector<uint8_t>& out, size_t offset, uint16_t value) {
  out[offset] = static_cast<uint8_t>(value >> 8);
  out[offset + 1] = static_cast<uint8_t>(value);
}

uint8_t ProtocolNumber(const sim::Packet& packet) {
  return packet.is_tcp() ? kProtocolTcp : kProtocolUdp;
}

// The transport header and payload: UDP's length field, IPv6's payload
// length, and the length in either pseudo-header.
size_t TransportLength(const sim::Packet& packet) {
  return (packet.is_tcp() ? kTcpHeaderSize : kUdpHeaderSize) +
         packet.payload.size();
}

// RFC 791 §3.1.
void AppendIpv4Header(const sim::Packet& packet, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  Put8(out, 0x45);  // Version 4, IHL 5 (20 bytes, no options).
  Put8(out, 0);     // DSCP and ECN.
  Put16(out, static_cast<uint16_t>(kIpv4HeaderSize + TransportLength(packet)));
  Put16(out, static_cast<uint16_t>(packet.id));  // Identification.
  Put16(out, 0x4000);  // Flags: Don't Fragment; fragment offset 0.
  Put8(out, packet.hop_limit);
  Put8(out, ProtocolNumber(packet));
  Put16(out, 0);  // Header checksum, filled in below.
  PutBytes(out, packet.source.ip().bytes());
  PutBytes(out, packet.destination.ip().bytes());
  const uint16_t checksum = ComputeInternetChecksum(
      absl::MakeConstSpan(out).subspan(start, kIpv4HeaderSize));
  Store16(out, start + kIpv4ChecksumOffset, checksum);
}

// RFC 8200 §3.
void AppendIpv6Header(const sim::Packet& packet, std::vector<uint8_t>& out) {
  Put32(out, 0x60000000);  // Version 6, traffic class 0, flow label 0.
  Put16(out, static_cast<uint16_t>(TransportLength(packet)));
  Put8(out, ProtocolNumber(packet));  // Next header.
  Put8(out, packet.hop_limit);
  PutBytes(out, packet.source.ip().bytes());
  PutBytes(out, packet.destination.ip().bytes());
}

// RFC 768, checksum left zero.
void AppendUdpHeader(const sim::Packet& packet, std::vector<uint8_t>& out) {
  Put16(out, packet.source.port());
  Put16(out, packet.destination.port());
  Put16(out, static_cast<uint16_t>(TransportLength(packet)));
  Put16(out, 0);  // Checksum.
}

// RFC 9293 §3.1, checksum left zero.
void AppendTcpHeader(const sim::Packet& packet, std::vector<uint8_t>& out) {
  Put16(out, packet.source.port());
  Put16(out, packet.destination.port());
  Put32(out, packet.tcp.seq);
  Put32(out, packet.tcp.ack);
  Put8(out, (kTcpHeaderSize / 4) << 4);  // Data offset; reserved bits 0.
  Put8(out, packet.tcp.flags);
  Put16(out, packet.tcp.window);
  Put16(out, 0);  // Checksum.
  Put16(out, 0);  // Urgent pointer.
}

// Sums the pseudo-header of RFC 768 / RFC 9293 §3.1 (IPv4) or RFC 8200 §8.1
// (IPv6) into `checksum`.
void AddPseudoHeader(const sim::Packet& packet, InternetChecksum& checksum) {
  std::vector<uint8_t> pseudo;
  PutBytes(pseudo, packet.source.ip().bytes());
  PutBytes(pseudo, packet.destination.ip().bytes());
  if (packet.family() == net::AddressFamily::kIpv4) {
    Put8(pseudo, 0);
    Put8(pseudo, ProtocolNumber(packet));
    Put16(pseudo, static_cast<uint16_t>(TransportLength(packet)));
  } else {
    Put32(pseudo, static_cast<uint32_t>(TransportLength(packet)));
    Put16(pseudo, 0);
    Put8(pseudo, 0);
    Put8(pseudo, ProtocolNumber(packet));
  }
  checksum.Add(pseudo);
}

}  // namespace

absl::string_view WhyNotSerializable(const sim::Packet& packet) {
  if (packet.source.protocol() != packet.destination.protocol()) {
    return "source and destination differ in protocol";
  }
  if (packet.source.protocol() == net::TransportProtocol::kTls) {
    return "protocol is TLS; a packet carries UDP or TCP (TLS rides in TCP's "
           "payload)";
  }
  if (packet.source.family() != packet.destination.family()) {
    return "source and destination differ in address family";
  }
  const size_t length_field = packet.family() == net::AddressFamily::kIpv4
                                  ? kIpv4HeaderSize + TransportLength(packet)
                                  : TransportLength(packet);
  if (length_field > kMaxIpLengthField) {
    return "payload too long for the IP length field";
  }
  return "";
}

std::vector<uint8_t> SerializeIpPacket(const sim::Packet& packet) {
  std::vector<uint8_t> out;
  out.reserve(packet.ip_size());
  if (packet.family() == net::AddressFamily::kIpv4) {
    AppendIpv4Header(packet, out);
  } else {
    AppendIpv6Header(packet, out);
  }
  const size_t transport_start = out.size();
  if (packet.is_tcp()) {
    AppendTcpHeader(packet, out);
  } else {
    AppendUdpHeader(packet, out);
  }
  PutBytes(out, packet.payload);

  InternetChecksum checksum;
  AddPseudoHeader(packet, checksum);
  checksum.Add(absl::MakeConstSpan(out).subspan(transport_start));
  uint16_t value = checksum.Checksum();
  if (packet.is_tcp()) {
    Store16(out, transport_start + kTcpChecksumOffset, value);
  } else {
    // RFC 768: a computed zero is sent as all ones; zero means "no checksum"
    // (forbidden over IPv6, RFC 8200 §8.1).
    if (value == 0) value = 0xffff;
    Store16(out, transport_start + kUdpChecksumOffset, value);
  }
  return out;
}

}  // namespace pinhole::sim::pcap
