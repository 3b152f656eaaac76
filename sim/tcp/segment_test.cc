#include "sim/tcp/segment.h"

#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/transport_address.h"
#include "sim/packet.h"

namespace pinhole::sim::tcp {
namespace {

Packet Segment(uint8_t flags, uint32_t seq, uint32_t ack, size_t payload) {
  Packet p;
  p.source = net::TransportAddress(net::IpAddress::FromV4Value(0xc0000201),
                                   40000, net::TransportProtocol::kTcp);
  p.destination = net::TransportAddress(net::IpAddress::FromV4Value(0xc6336401),
                                        443, net::TransportProtocol::kTcp);
  p.tcp.flags = flags;
  p.tcp.seq = seq;
  p.tcp.ack = ack;
  p.payload.assign(payload, 0xab);
  return p;
}

TEST(SegmentTest, LengthCountsSynAndFin) {
  EXPECT_EQ(SegmentLength(Segment(TcpHeader::kSyn, 0, 0, 0)), 1u);
  EXPECT_EQ(SegmentLength(Segment(TcpHeader::kAck, 0, 0, 100)), 100u);
  EXPECT_EQ(
      SegmentLength(Segment(TcpHeader::kAck | TcpHeader::kFin, 0, 0, 100)),
      101u);
  EXPECT_EQ(SegmentLength(Segment(TcpHeader::kAck, 0, 0, 0)), 0u);
}

TEST(SegmentTest, OnlyABareSynRequestsAConnection) {
  EXPECT_TRUE(IsConnectionRequest(Segment(TcpHeader::kSyn, 1, 0, 0)));
  EXPECT_FALSE(
      IsConnectionRequest(Segment(TcpHeader::kSyn | TcpHeader::kAck, 1, 0, 0)));
  EXPECT_FALSE(
      IsConnectionRequest(Segment(TcpHeader::kSyn | TcpHeader::kRst, 1, 0, 0)));
  EXPECT_FALSE(IsConnectionRequest(Segment(TcpHeader::kAck, 1, 0, 0)));
  Packet udp = Segment(TcpHeader::kSyn, 1, 0, 0);
  udp.source = net::TransportAddress(udp.source.ip(), 40000);
  EXPECT_FALSE(IsConnectionRequest(udp));
}

TEST(SegmentTest, ResetForASynRefusesIt) {
  const Packet syn = Segment(TcpHeader::kSyn, 0xfffffffe, 0, 0);
  const std::optional<Packet> reset = MakeReset(syn);
  ASSERT_TRUE(reset.has_value());
  EXPECT_EQ(reset->id, 0u);
  EXPECT_EQ(reset->source, syn.destination);
  EXPECT_EQ(reset->destination, syn.source);
  EXPECT_EQ(reset->tcp.flags, TcpHeader::kRst | TcpHeader::kAck);
  EXPECT_EQ(reset->tcp.seq, 0u);
  EXPECT_EQ(reset->tcp.ack, 0xffffffffu);
  EXPECT_TRUE(reset->payload.empty());
}

TEST(SegmentTest, ResetForAnAckTakesItsSequenceFromTheAck) {
  const Packet data = Segment(TcpHeader::kAck | TcpHeader::kPsh, 10, 777, 50);
  const std::optional<Packet> reset = MakeReset(data);
  ASSERT_TRUE(reset.has_value());
  EXPECT_EQ(reset->tcp.flags, TcpHeader::kRst);
  EXPECT_EQ(reset->tcp.seq, 777u);
}

TEST(SegmentTest, ResetForDataWithoutAckAcknowledgesItAll) {
  const Packet data = Segment(TcpHeader::kFin, 0xfffffff0, 0, 0x20);
  const std::optional<Packet> reset = MakeReset(data);
  ASSERT_TRUE(reset.has_value());
  EXPECT_EQ(reset->tcp.flags, TcpHeader::kRst | TcpHeader::kAck);
  EXPECT_EQ(reset->tcp.ack, 0x11u);  // Wrapped: 0xfffffff0 + 32 + FIN.
}

TEST(SegmentTest, AResetIsNeverAnswered) {
  EXPECT_FALSE(MakeReset(Segment(TcpHeader::kRst, 1, 0, 0)).has_value());
  EXPECT_FALSE(MakeReset(Segment(TcpHeader::kRst | TcpHeader::kAck, 1, 2, 0))
                   .has_value());
}

TEST(SegmentTest, MssFitsTheMtu) {
  EXPECT_EQ(MssForMtu(1500, net::AddressFamily::kIpv4), 1460u);
  EXPECT_EQ(MssForMtu(1500, net::AddressFamily::kIpv6), 1440u);
  EXPECT_EQ(MssForMtu(1280, net::AddressFamily::kIpv6), 1220u);
  EXPECT_EQ(MssForMtu(40, net::AddressFamily::kIpv4), 0u);
}

}  // namespace
}  // namespace pinhole::sim::tcp
