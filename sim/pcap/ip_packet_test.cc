#include "sim/pcap/ip_packet.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/transport_address.h"
#include "sim/packet.h"
#include "sim/pcap/internet_checksum.h"

namespace pinhole::sim::pcap {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;

net::TransportAddress Address(const std::string& text,
                              net::TransportProtocol protocol) {
  return net::TransportAddress::Parse(text, protocol).value();
}

sim::Packet UdpPacket(const std::string& from, const std::string& to,
                      std::vector<uint8_t> payload) {
  sim::Packet packet;
  packet.source = Address(from, net::TransportProtocol::kUdp);
  packet.destination = Address(to, net::TransportProtocol::kUdp);
  packet.payload = std::move(payload);
  return packet;
}

sim::Packet TcpPacket(const std::string& from, const std::string& to,
                      std::vector<uint8_t> payload) {
  sim::Packet packet;
  packet.source = Address(from, net::TransportProtocol::kTcp);
  packet.destination = Address(to, net::TransportProtocol::kTcp);
  packet.payload = std::move(payload);
  return packet;
}

uint16_t Get16(absl::Span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint16_t>(bytes[offset] << 8 | bytes[offset + 1]);
}

// The transport checksum recomputed over a pseudo-header built here, from the
// RFCs, not from the code under test: 0 when the packet's checksum is right.
uint16_t VerifyTransportChecksum(const sim::Packet& packet,
                                 absl::Span<const uint8_t> bytes) {
  const bool v4 = packet.family() == net::AddressFamily::kIpv4;
  const size_t ip_header = v4 ? 20 : 40;
  const absl::Span<const uint8_t> segment = bytes.subspan(ip_header);
  const uint8_t protocol = packet.is_tcp() ? 6 : 17;
  std::vector<uint8_t> pseudo;
  const absl::Span<const uint8_t> src = packet.source.ip().bytes();
  const absl::Span<const uint8_t> dst = packet.destination.ip().bytes();
  pseudo.insert(pseudo.end(), src.begin(), src.end());
  pseudo.insert(pseudo.end(), dst.begin(), dst.end());
  const size_t length = segment.size();
  if (v4) {
    pseudo.insert(pseudo.end(), {0, protocol, static_cast<uint8_t>(length >> 8),
                                 static_cast<uint8_t>(length)});
  } else {
    pseudo.insert(
        pseudo.end(),
        {static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
         static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), 0, 0,
         0, protocol});
  }
  InternetChecksum checksum;
  checksum.Add(pseudo);
  checksum.Add(segment);
  return checksum.Checksum();
}

TEST(IpPacketTest, Ipv4UdpMatchesHandComputedBytes) {
  sim::Packet packet =
      UdpPacket("192.0.2.1:50000", "198.51.100.7:3478", {'p', 'i', 'n', 'g'});
  packet.id = 0xabcd1234;
  packet.hop_limit = 64;

  // IPv4 header checksum by hand: 4500 + 0020 + 1234 + 4000 + 4011 + c000 +
  // 0201 + c633 + 6407 = 0x2c3a0, folded 0xc3a2, complement 0x3c5d.
  // UDP checksum by hand: pseudo-header c000 + 0201 + c633 + 6407 + 0011 +
  // 000c, header c350 + 0d96 + 000c, data 7069 + 6e67 = 0x39c1a, folded
  // 0x9c1d, complement 0x63e2.
  const std::vector<uint8_t> expected = {
      // IPv4: version/IHL, DSCP, total length 32, identification 0x1234
      // (the id's low 16 bits), DF, TTL 64, UDP, checksum.
      0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x3c, 0x5d,
      0xc0, 0x00, 0x02, 0x01,  // 192.0.2.1
      0xc6, 0x33, 0x64, 0x07,  // 198.51.100.7
      // UDP: 50000 -> 3478, length 12, checksum.
      0xc3, 0x50, 0x0d, 0x96, 0x00, 0x0c, 0x63, 0xe2,
      // Payload.
      'p', 'i', 'n', 'g'};
  EXPECT_THAT(SerializeIpPacket(packet), ElementsAreArray(expected));
}

TEST(IpPacketTest, Ipv6UdpMatchesHandComputedBytes) {
  sim::Packet packet = UdpPacket("[2001:db8::1]:3478", "[2001:db8::2]:50000",
                                 {'p', 'o', 'n', 'g'});
  packet.hop_limit = 64;

  // UDP checksum by hand: pseudo-header 2001 + 0db8 + 0001 + 2001 + 0db8 +
  // 0002 + 0000 + 000c + 0000 + 0011, header 0d96 + c350 + 000c, data 706f +
  // 6e67 = 0x20b5a, folded 0x0b5c, complement 0xf4a3.
  const std::vector<uint8_t> expected = {
      // IPv6: version 6, traffic class and flow label 0, payload length 12,
      // next header UDP, hop limit 64.
      0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40,                 //
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // Source.
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,  // Dest.
      // UDP: 3478 -> 50000, length 12, checksum.
      0x0d, 0x96, 0xc3, 0x50, 0x00, 0x0c, 0xf4, 0xa3,  //
      'p', 'o', 'n', 'g'};
  EXPECT_THAT(SerializeIpPacket(packet), ElementsAreArray(expected));
}

TEST(IpPacketTest, Ipv4TcpSynMatchesHandComputedBytes) {
  sim::Packet packet = TcpPacket("192.0.2.1:50000", "198.51.100.7:443", {});
  packet.id = 7;
  packet.hop_limit = 63;
  packet.tcp.seq = 0x01020304;
  packet.tcp.flags = sim::TcpHeader::kSyn;
  packet.tcp.window = 65535;

  // IPv4 checksum by hand: 4500 + 0028 + 0007 + 4000 + 3f06 + c000 + 0201 +
  // c633 + 6407 = 0x2b070, folded 0xb072, complement 0x4f8d.
  // TCP checksum by hand: pseudo-header c000 + 0201 + c633 + 6407 + 0006 +
  // 0014, header c350 + 01bb + 0102 + 0304 + 0000 + 0000 + 5002 + ffff =
  // 0x40567, folded 0x056b, complement 0xfa94.
  const std::vector<uint8_t> expected = {
      0x45, 0x00, 0x00, 0x28, 0x00, 0x07, 0x40, 0x00, 0x3f, 0x06, 0x4f, 0x8d,
      0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07,
      // TCP: 50000 -> 443, seq, ack 0, data offset 5, SYN, window 65535,
      // checksum, urgent pointer 0.
      0xc3, 0x50, 0x01, 0xbb, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
      0x50, 0x02, 0xff, 0xff, 0xfa, 0x94, 0x00, 0x00};
  EXPECT_THAT(SerializeIpPacket(packet), ElementsAreArray(expected));
}

TEST(IpPacketTest, EveryChecksumVerifies) {
  std::vector<sim::Packet> packets;
  for (size_t size : {0, 1, 2, 3, 17, 1200, 1201}) {
    std::vector<uint8_t> payload(size);
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(i * 7);
    packets.push_back(UdpPacket("10.0.0.1:1", "203.0.113.9:65535", payload));
    packets.push_back(UdpPacket("[fe80::1]:5000", "[ff02::fb]:5353", payload));
    packets.push_back(TcpPacket("10.0.0.1:1", "203.0.113.9:65535", payload));
    sim::Packet v6 =
        TcpPacket("[2001:db8:ffff::1]:443", "[2001:db8::abcd]:1", payload);
    v6.tcp = {0xfffffff0, 0x80000001,
              sim::TcpHeader::kAck | sim::TcpHeader::kPsh, 1024};
    packets.push_back(v6);
  }
  for (const sim::Packet& packet : packets) {
    SCOPED_TRACE(packet.source.ToString() + " " +
                 std::to_string(packet.payload.size()));
    ASSERT_THAT(WhyNotSerializable(packet), IsEmpty());
    const std::vector<uint8_t> bytes = SerializeIpPacket(packet);
    ASSERT_EQ(bytes.size(), packet.ip_size());
    if (packet.family() == net::AddressFamily::kIpv4) {
      EXPECT_EQ(
          ComputeInternetChecksum(absl::MakeConstSpan(bytes).subspan(0, 20)),
          0);
    }
    EXPECT_EQ(VerifyTransportChecksum(packet, bytes), 0);
  }
}

TEST(IpPacketTest, UdpChecksumOfZeroIsSentAsAllOnes) {
  // Choose two payload bytes that bring the one's complement sum to 0xffff:
  // the payload word must equal the checksum of the packet with a zero word.
  sim::Packet packet = UdpPacket("[2001:db8::1]:1", "[2001:db8::2]:2", {0, 0});
  const uint16_t with_zero = Get16(SerializeIpPacket(packet), 40 + 6);
  packet.payload = {static_cast<uint8_t>(with_zero >> 8),
                    static_cast<uint8_t>(with_zero)};
  const std::vector<uint8_t> bytes = SerializeIpPacket(packet);
  EXPECT_EQ(Get16(bytes, 40 + 6), 0xffff);
  EXPECT_EQ(VerifyTransportChecksum(packet, bytes), 0);
}

TEST(IpPacketTest, HeaderFieldsFollowThePacket) {
  sim::Packet packet = TcpPacket("192.0.2.1:1", "192.0.2.2:2", {1, 2, 3});
  packet.id = 0x1'0000'beef;
  packet.hop_limit = 1;
  packet.tcp = {0xdeadbeef, 0x01020304,
                sim::TcpHeader::kFin | sim::TcpHeader::kAck, 512};
  const std::vector<uint8_t> v4 = SerializeIpPacket(packet);
  EXPECT_EQ(Get16(v4, 2), 20 + 20 + 3);  // Total length.
  EXPECT_EQ(Get16(v4, 4), 0xbeef);       // Identification.
  EXPECT_EQ(v4[8], 1);                   // TTL.
  EXPECT_EQ(v4[9], 6);                   // TCP.
  EXPECT_THAT(absl::MakeConstSpan(v4).subspan(24, 8),
              ElementsAreArray({0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4}));
  EXPECT_EQ(v4[32], 0x50);  // Data offset 5.
  EXPECT_EQ(v4[33], 0x11);  // FIN, ACK.
  EXPECT_EQ(Get16(v4, 34), 512);

  packet.source = Address("[::1]:1", net::TransportProtocol::kTcp);
  packet.destination = Address("[::2]:2", net::TransportProtocol::kTcp);
  const std::vector<uint8_t> v6 = SerializeIpPacket(packet);
  EXPECT_EQ(Get16(v6, 4), 20 + 3);  // Payload length.
  EXPECT_EQ(v6[6], 6);              // Next header.
  EXPECT_EQ(v6[7], 1);              // Hop limit.
}

TEST(IpPacketTest, WhatHasNoIpForm) {
  const sim::Packet fine = UdpPacket("192.0.2.1:1", "192.0.2.2:2", {});
  EXPECT_THAT(WhyNotSerializable(fine), IsEmpty());

  sim::Packet mixed = fine;
  mixed.destination = Address("[2001:db8::2]:2", net::TransportProtocol::kUdp);
  EXPECT_THAT(WhyNotSerializable(mixed), Not(IsEmpty()));

  sim::Packet tls = fine;
  tls.source = Address("192.0.2.1:1", net::TransportProtocol::kTls);
  tls.destination = Address("192.0.2.2:2", net::TransportProtocol::kTls);
  EXPECT_THAT(WhyNotSerializable(tls), Not(IsEmpty()));

  sim::Packet protocols = fine;
  protocols.destination = Address("192.0.2.2:2", net::TransportProtocol::kTcp);
  EXPECT_THAT(WhyNotSerializable(protocols), Not(IsEmpty()));
}

TEST(IpPacketTest, LengthLimits) {
  // IPv4: the whole packet within 65535 bytes.
  sim::Packet v4 = UdpPacket("192.0.2.1:1", "192.0.2.2:2", {});
  v4.payload.resize(kMaxIpLengthField - 28);
  EXPECT_THAT(WhyNotSerializable(v4), IsEmpty());
  EXPECT_EQ(Get16(SerializeIpPacket(v4), 2), 65535);
  v4.payload.push_back(0);
  EXPECT_THAT(WhyNotSerializable(v4), Not(IsEmpty()));

  // IPv6: the payload (UDP header and data) within 65535 bytes.
  sim::Packet v6 = UdpPacket("[2001:db8::1]:1", "[2001:db8::2]:2", {});
  v6.payload.resize(kMaxIpLengthField - 8);
  EXPECT_THAT(WhyNotSerializable(v6), IsEmpty());
  const std::vector<uint8_t> bytes = SerializeIpPacket(v6);
  EXPECT_EQ(bytes.size(), 40u + 65535u);
  EXPECT_EQ(Get16(bytes, 4), 65535);
  EXPECT_EQ(VerifyTransportChecksum(v6, bytes), 0);
  v6.payload.push_back(0);
  EXPECT_THAT(WhyNotSerializable(v6), Not(IsEmpty()));
}

}  // namespace
}  // namespace pinhole::sim::pcap
