// The connection's life cycle, with exact simulated times: handshake, loss of
// each handshake and close segment, refusal, time-outs, half close, abort,
// TIME-WAIT and simultaneous open. Data transfer is in transfer_test.cc.
#include "sim/tcp/connection.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/packet.h"
#include "sim/tcp/back_to_back.h"
#include "sim/tcp/segment.h"

namespace pinhole::sim::tcp {
namespace {

using net::Duration;
using net::Time;
using Type = Event::Type;

constexpr Duration kOneWay = Duration::Milliseconds(50);
constexpr Duration kRtt = kOneWay * 2;
constexpr Time kT0 = BackToBack::kStart;
constexpr Duration kLimit = Duration::Seconds(600);

bool Has(uint8_t flags, uint8_t bit) { return (flags & bit) == bit; }

// Drops the first `count` segments `from` sends that carry `flags`.
std::function<bool(const SentSegment&)> DropFirst(End from, uint8_t flags,
                                                  int count = 1) {
  auto left = std::make_shared<int>(count);
  return [=](const SentSegment& s) {
    if (s.from != from || !Has(s.packet.tcp.flags, flags) || *left == 0) {
      return false;
    }
    --*left;
    return true;
  };
}

std::vector<Time> SendTimes(const BackToBack& net, End from, uint8_t flags) {
  std::vector<Time> out;
  for (const SentSegment& s : net.SentBy(from)) {
    if (Has(s.packet.tcp.flags, flags)) out.push_back(s.time);
  }
  return out;
}

std::vector<Type> Types(const BackToBack& net, End end) {
  std::vector<Type> out;
  for (const ObservedEvent& e : net.events(end)) out.push_back(e.type);
  return out;
}

bool BothConnected(BackToBack& net) {
  return net.FirstEvent(End::kClient, Type::kConnected).has_value() &&
         net.FirstEvent(End::kServer, Type::kConnected).has_value();
}

TEST(ConnectionTest, HandshakeTakesOneRttForClientAndOneAndAHalfForServer) {
  BackToBack net({});
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kConnected), kT0 + kRtt);
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kConnected),
            kT0 + kRtt + kOneWay);

  ASSERT_EQ(net.sent().size(), 3u);
  const Packet& syn = net.sent()[0].packet;
  const Packet& syn_ack = net.sent()[1].packet;
  const Packet& ack = net.sent()[2].packet;
  EXPECT_EQ(syn.tcp.flags, TcpHeader::kSyn);
  EXPECT_EQ(syn.tcp.seq, 1000u);
  EXPECT_EQ(syn.id, 0u);
  EXPECT_EQ(syn.source, net.address(End::kClient));
  EXPECT_EQ(syn.destination, net.address(End::kServer));
  EXPECT_EQ(syn_ack.tcp.flags, TcpHeader::kSyn | TcpHeader::kAck);
  EXPECT_EQ(syn_ack.tcp.seq, 700000u);
  EXPECT_EQ(syn_ack.tcp.ack, 1001u);
  EXPECT_EQ(syn_ack.source, net.address(End::kServer));
  EXPECT_EQ(ack.tcp.flags, TcpHeader::kAck);
  EXPECT_EQ(ack.tcp.seq, 1001u);
  EXPECT_EQ(ack.tcp.ack, 700001u);
  EXPECT_EQ(net.sent()[2].time, kT0 + kRtt);
  EXPECT_EQ(net.connection(End::kClient)->state(),
            Connection::State::kEstablished);
  // The SYN's round trip was measured: RTO = 100 ms + 4 * 50 ms.
  EXPECT_EQ(net.connection(End::kClient)->rto(), Duration::Milliseconds(300));
  EXPECT_EQ(net.connection(End::kServer)->rto(), Duration::Milliseconds(300));
  EXPECT_EQ(net.misrouted(), 0);
}

TEST(ConnectionTest, LostSynIsRetransmittedAfterOneSecond) {
  BackToBack net({});
  net.drop = DropFirst(End::kClient, TcpHeader::kSyn);
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  EXPECT_EQ(SendTimes(net, End::kClient, TcpHeader::kSyn),
            (std::vector<Time>{kT0, kT0 + Duration::Seconds(1)}));
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kConnected),
            kT0 + Duration::Seconds(1) + kRtt);
  // Karn: no sample from the retransmitted SYN; RFC 6298 §5.7: RTO 3 s.
  EXPECT_EQ(net.connection(End::kClient)->rto(), Duration::Seconds(3));
  EXPECT_EQ(net.connection(End::kServer)->rto(), Duration::Milliseconds(300));
}

TEST(ConnectionTest, LostSynAckIsRetransmittedByTimerAndOnTheRepeatedSyn) {
  BackToBack net({});
  net.drop = DropFirst(End::kServer, TcpHeader::kSyn | TcpHeader::kAck);
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  const std::vector<Time> syn_acks =
      SendTimes(net, End::kServer, TcpHeader::kSyn | TcpHeader::kAck);
  ASSERT_GE(syn_acks.size(), 2u);
  EXPECT_EQ(syn_acks[0], kT0 + kOneWay);
  // The server's RTO (1 s) and the client's repeated SYN coincide.
  EXPECT_EQ(syn_acks[1], kT0 + kOneWay + Duration::Seconds(1));
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kConnected),
            kT0 + Duration::Seconds(1) + kRtt);
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kConnected),
            kT0 + Duration::Seconds(1) + kRtt + kOneWay);
}

TEST(ConnectionTest, LostFinalAckIsRepairedByTheFirstData) {
  BackToBack net({});
  net.drop = [](const SentSegment& s) {
    return s.from == End::kClient && s.packet.tcp.flags == TcpHeader::kAck &&
           s.packet.payload.empty();
  };
  net.WriteFrom(End::kClient, {1, 2, 3}, /*close_after=*/false);
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  // The data went out with the handshake's ACK, so the server connected and
  // received it one RTT and a half in.
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kConnected),
            kT0 + kRtt + kOneWay);
  EXPECT_EQ(net.received(End::kServer), (std::vector<uint8_t>{1, 2, 3}));
}

TEST(ConnectionTest, RstAnswerToSynIsRefusal) {
  BackToBack::Options options;
  options.server_listens = false;
  BackToBack net(options);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kClient)->IsClosed(); }, kLimit));
  EXPECT_EQ(Types(net, End::kClient), (std::vector<Type>{Type::kRefused}));
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kRefused), kT0 + kRtt);
  ASSERT_EQ(net.sent().size(), 2u);
  EXPECT_EQ(net.sent()[1].packet.tcp.flags, TcpHeader::kRst | TcpHeader::kAck);
  EXPECT_FALSE(net.connection(End::kClient)->NextTimeout().has_value());
}

TEST(ConnectionTest, ConnectTimesOutAfterSixSynRetries) {
  BackToBack net({});
  net.drop = [](const SentSegment& s) { return s.from == End::kClient; };
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kClient)->IsClosed(); }, kLimit));
  std::vector<Time> expected;
  for (int s : {0, 1, 3, 7, 15, 31, 63}) {
    expected.push_back(kT0 + Duration::Seconds(s));
  }
  EXPECT_EQ(SendTimes(net, End::kClient, TcpHeader::kSyn), expected);
  EXPECT_EQ(Types(net, End::kClient), (std::vector<Type>{Type::kTimedOut}));
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kTimedOut),
            kT0 + Duration::Seconds(127));
}

TEST(ConnectionTest, DataRetransmissionBacksOffThenSucceeds) {
  BackToBack net({});
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  const Time t1 = net.now();  // kT0 + 150 ms; the client's RTO is 300 ms.
  net.drop = DropFirst(End::kClient, TcpHeader::kPsh, 2);
  net.WriteFrom(End::kClient, std::vector<uint8_t>(100, 7), false);
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.received(End::kServer).size() == 100; }, kLimit));
  EXPECT_EQ(SendTimes(net, End::kClient, TcpHeader::kPsh),
            (std::vector<Time>{t1, t1 + Duration::Milliseconds(300),
                               t1 + Duration::Milliseconds(900)}));
  EXPECT_EQ(net.events(End::kServer).back().time,
            t1 + Duration::Milliseconds(900) + kOneWay);
  // Karn: the ACK of a retransmission gives no sample; the backoff stays.
  EXPECT_EQ(net.connection(End::kClient)->rto(), Duration::Milliseconds(1200));
}

TEST(ConnectionTest, DataTimesOutAfterTheConfiguredRetries) {
  BackToBack::Options options;
  options.client_config.data_retries = 3;
  BackToBack net(options);
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  const Time t1 = net.now();
  net.drop = [](const SentSegment& s) { return s.from == End::kClient; };
  net.WriteFrom(End::kClient, std::vector<uint8_t>(10, 1), false);
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kClient)->IsClosed(); }, kLimit));
  EXPECT_EQ(SendTimes(net, End::kClient, TcpHeader::kPsh),
            (std::vector<Time>{t1, t1 + Duration::Milliseconds(300),
                               t1 + Duration::Milliseconds(900),
                               t1 + Duration::Milliseconds(2100)}));
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kTimedOut),
            t1 + Duration::Milliseconds(4500));
}

TEST(ConnectionTest, HalfCloseLetsThePeerGoOnSending) {
  BackToBack net({});
  net.WriteFrom(End::kClient, {'h', 'i'}, /*close_after=*/true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  net.RunFor(Duration::Seconds(1));
  EXPECT_EQ(net.connection(End::kClient)->state(),
            Connection::State::kFinWait2);
  EXPECT_EQ(net.connection(End::kServer)->state(),
            Connection::State::kCloseWait);
  net.WriteFrom(End::kServer, {'y', 'o', 'u'}, /*close_after=*/true);
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.connection(End::kClient)->IsClosed() &&
               net.connection(End::kServer)->IsClosed();
      },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), (std::vector<uint8_t>{'h', 'i'}));
  EXPECT_EQ(net.received(End::kClient), (std::vector<uint8_t>{'y', 'o', 'u'}));
  EXPECT_EQ(Types(net, End::kClient),
            (std::vector<Type>{Type::kConnected, Type::kData, Type::kPeerClosed,
                               Type::kClosed}));
  EXPECT_EQ(Types(net, End::kServer),
            (std::vector<Type>{Type::kConnected, Type::kData, Type::kPeerClosed,
                               Type::kClosed}));
  // The server's data and FIN left together, so the client closed one way
  // after, and the server when the last ACK came back.
  const Time server_fin = SendTimes(net, End::kServer, TcpHeader::kFin)[0];
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kClosed), server_fin + kOneWay);
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kClosed), server_fin + kRtt);
}

TEST(ConnectionTest, LostFinIsRetransmittedAfterOneRto) {
  BackToBack net({});
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  const Time t1 = net.now();
  net.drop = DropFirst(End::kClient, TcpHeader::kFin);
  net.CloseAt(End::kClient);
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  EXPECT_EQ(SendTimes(net, End::kClient, TcpHeader::kFin),
            (std::vector<Time>{t1, t1 + Duration::Milliseconds(300)}));
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kPeerClosed),
            t1 + Duration::Milliseconds(300) + kOneWay);
  net.CloseAt(End::kServer);
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.connection(End::kClient)->IsClosed() &&
               net.connection(End::kServer)->IsClosed();
      },
      kLimit));
  EXPECT_EQ(net.events(End::kServer).back().type, Type::kClosed);
  EXPECT_EQ(net.events(End::kClient).back().type, Type::kClosed);
}

TEST(ConnectionTest, AbortResetsThePeer) {
  BackToBack net({});
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  const Time t1 = net.now();
  net.AbortAt(End::kClient);
  EXPECT_TRUE(net.connection(End::kClient)->IsClosed());
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer)->IsClosed(); }, kLimit));
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kReset), t1 + kOneWay);
  EXPECT_EQ(Types(net, End::kClient), (std::vector<Type>{Type::kConnected}));
  EXPECT_EQ(net.sent().back().packet.tcp.flags,
            TcpHeader::kRst | TcpHeader::kAck);
  // Nothing more to say: no timers, no segments after the RST.
  net.RunFor(Duration::Seconds(10));
  EXPECT_EQ(net.sent().back().time, t1);
}

TEST(ConnectionTest, SegmentAfterAbortIsAnsweredWithReset) {
  BackToBack net({});
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  // The client vanishes silently (its RST is lost); the server's next data
  // meets the client host's MakeReset.
  net.drop = DropFirst(End::kClient, TcpHeader::kRst);
  net.AbortAt(End::kClient);
  const Time t1 = net.now();
  net.WriteFrom(End::kServer, {9}, false);
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer)->IsClosed(); }, kLimit));
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kReset), t1 + kRtt);
}

TEST(ConnectionTest, TimeWaitReacknowledgesARetransmittedFin) {
  BackToBack::Options options;
  options.client_config.time_wait = Duration::Seconds(2);
  BackToBack net(options);
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  net.CloseAt(End::kClient);
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  // The client's ACK of the server's FIN is lost once.
  net.drop = DropFirst(End::kClient, TcpHeader::kAck);
  const Time t1 = net.now();
  net.CloseAt(End::kServer);
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer)->IsClosed(); }, kLimit));
  EXPECT_EQ(net.connection(End::kClient)->state(),
            Connection::State::kTimeWait);
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kClosed), t1 + kOneWay);
  // Server FIN again after its RTO (300 ms), re-acknowledged from TIME-WAIT.
  EXPECT_EQ(SendTimes(net, End::kServer, TcpHeader::kFin),
            (std::vector<Time>{t1, t1 + Duration::Milliseconds(300)}));
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kClosed),
            t1 + Duration::Milliseconds(300) + kRtt);
  // TIME-WAIT restarted at the repeated FIN, and ends 2 s after it.
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kClient)->IsClosed(); }, kLimit));
  EXPECT_EQ(net.now(),
            t1 + Duration::Milliseconds(300) + kOneWay + Duration::Seconds(2));
}

TEST(ConnectionTest, WithoutTimeWaitALostLastAckEndsInResetButStillClosed) {
  BackToBack net({});
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  net.CloseAt(End::kClient);
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  net.drop = DropFirst(End::kClient, TcpHeader::kAck);
  const Time t1 = net.now();
  net.CloseAt(End::kServer);
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer)->IsClosed(); }, kLimit));
  EXPECT_TRUE(net.connection(End::kClient)->IsClosed());
  EXPECT_EQ(net.events(End::kServer).back().type, Type::kClosed);
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kClosed),
            t1 + Duration::Milliseconds(300) + kRtt);
}

TEST(ConnectionTest, SimultaneousOpenConnectsBothEnds) {
  BackToBack net({});
  net.ConnectBoth();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  EXPECT_EQ(net.FirstEvent(End::kClient, Type::kConnected), kT0 + kRtt);
  EXPECT_EQ(net.FirstEvent(End::kServer, Type::kConnected), kT0 + kRtt);
  net.WriteFrom(End::kClient, {1, 2}, true);
  net.WriteFrom(End::kServer, {3}, true);
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.connection(End::kClient)->IsClosed() &&
               net.connection(End::kServer)->IsClosed();
      },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(net.received(End::kClient), (std::vector<uint8_t>{3}));
}

TEST(ConnectionTest, CloseBeforeConnectingEndsQuietly) {
  BackToBack net({});
  net.drop = [](const SentSegment&) { return true; };
  net.Connect();
  net.CloseAt(End::kClient);
  EXPECT_TRUE(net.connection(End::kClient)->IsClosed());
  EXPECT_EQ(Types(net, End::kClient), (std::vector<Type>{Type::kClosed}));
  EXPECT_FALSE(net.connection(End::kClient)->NextTimeout().has_value());
}

TEST(ConnectionTest, WriteAfterCloseIsRefused) {
  BackToBack net({});
  net.Connect();
  ASSERT_TRUE(net.RunUntil([&] { return BothConnected(net); }, kLimit));
  net.CloseAt(End::kClient);
  const uint8_t byte = 1;
  EXPECT_EQ(net.connection(End::kClient)->Write(net.now(), {&byte, 1}), 0u);
}

TEST(ConnectionTest, AcceptOfANonSynIsClosedAndSilent) {
  Packet ack;
  ack.source = net::TransportAddress(net::IpAddress::V4Loopback(), 1,
                                     net::TransportProtocol::kTcp);
  ack.destination = net::TransportAddress(net::IpAddress::V4Loopback(), 2,
                                          net::TransportProtocol::kTcp);
  ack.tcp.flags = TcpHeader::kAck;
  Connection c = Connection::Accept({}, kT0, ack, 1);
  EXPECT_TRUE(c.IsClosed());
  EXPECT_FALSE(c.PollTransmit().has_value());
  EXPECT_FALSE(c.PollEvent().has_value());
}

net::TransportAddress Tcp(uint32_t ip, uint16_t port) {
  return net::TransportAddress(net::IpAddress::FromV4Value(ip), port,
                               net::TransportProtocol::kTcp);
}

Packet Segment(const net::TransportAddress& from,
               const net::TransportAddress& to, uint8_t flags, uint32_t seq,
               uint32_t ack) {
  Packet p;
  p.source = from;
  p.destination = to;
  p.tcp.flags = flags;
  p.tcp.seq = seq;
  p.tcp.ack = ack;
  return p;
}

// The five verbs driven by hand, without the bench.
TEST(ConnectionTest, SansIoContractStepByStep) {
  const net::TransportAddress a = Tcp(0x0a000001, 5000);
  const net::TransportAddress b = Tcp(0x0a000002, 80);
  Connection c = Connection::Connect({}, kT0, a, b, 42);
  std::optional<Packet> syn = c.PollTransmit();
  ASSERT_TRUE(syn.has_value());
  EXPECT_EQ(syn->tcp.flags, TcpHeader::kSyn);
  EXPECT_EQ(syn->tcp.seq, 42u);
  EXPECT_EQ(syn->tcp.window, 65535);
  EXPECT_EQ(syn->hop_limit, 64);
  EXPECT_EQ(syn->source, a);
  EXPECT_EQ(syn->destination, b);
  EXPECT_FALSE(c.PollTransmit().has_value());
  EXPECT_FALSE(c.PollEvent().has_value());
  EXPECT_EQ(c.NextTimeout(), kT0 + Duration::Seconds(1));

  c.HandleTimeout(kT0 + Duration::Milliseconds(999));  // Early: nothing.
  EXPECT_FALSE(c.PollTransmit().has_value());
  c.HandleTimeout(kT0 + Duration::Seconds(1));
  EXPECT_EQ(c.PollTransmit()->tcp.seq, 42u);
  EXPECT_EQ(c.NextTimeout(), kT0 + Duration::Seconds(3));

  const Time t1 = kT0 + Duration::Milliseconds(1100);
  c.HandleSegment(t1,
                  Segment(b, a, TcpHeader::kSyn | TcpHeader::kAck, 9000, 43));
  EXPECT_EQ(c.PollEvent()->type, Type::kConnected);
  std::optional<Packet> ack = c.PollTransmit();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->tcp.flags, TcpHeader::kAck);
  EXPECT_EQ(ack->tcp.seq, 43u);
  EXPECT_EQ(ack->tcp.ack, 9001u);
  EXPECT_FALSE(c.NextTimeout().has_value());

  const uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(c.Write(t1, hello), 5u);
  std::optional<Packet> data = c.PollTransmit();
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->payload, std::vector<uint8_t>(hello, hello + 5));
  EXPECT_EQ(data->tcp.flags, TcpHeader::kAck | TcpHeader::kPsh);
  EXPECT_EQ(c.bytes_in_flight(), 5u);
  EXPECT_EQ(c.queued_bytes(), 0u);
  // RFC 6298 §5.7: the SYN was retransmitted and nothing measured, so 3 s.
  EXPECT_EQ(c.NextTimeout(), t1 + Duration::Seconds(3));

  // An ACK of everything stops the timer.
  c.HandleSegment(t1 + kRtt, Segment(b, a, TcpHeader::kAck, 9001, 48));
  EXPECT_FALSE(c.PollTransmit().has_value());  // Nothing to acknowledge.
  EXPECT_FALSE(c.NextTimeout().has_value());
  EXPECT_EQ(c.bytes_in_flight(), 0u);
}

TEST(ConnectionTest, ResetOutsideTheWindowIsIgnored) {
  const net::TransportAddress a = Tcp(0x0a000001, 5000);
  const net::TransportAddress b = Tcp(0x0a000002, 80);
  Connection c = Connection::Connect({}, kT0, a, b, 42);
  c.HandleSegment(kT0 + kRtt,
                  Segment(b, a, TcpHeader::kSyn | TcpHeader::kAck, 9000, 43));
  while (c.PollTransmit()) {
  }
  EXPECT_EQ(c.PollEvent()->type, Type::kConnected);
  // A blind reset far from RCV.NXT (9001): ignored, and not answered.
  c.HandleSegment(kT0 + kRtt, Segment(b, a, TcpHeader::kRst, 9001 + 70000, 0));
  EXPECT_FALSE(c.PollEvent().has_value());
  EXPECT_FALSE(c.PollTransmit().has_value());
  EXPECT_EQ(c.state(), Connection::State::kEstablished);
  c.HandleSegment(kT0 + kRtt, Segment(b, a, TcpHeader::kRst, 9001, 0));
  EXPECT_EQ(c.PollEvent()->type, Type::kReset);
  EXPECT_TRUE(c.IsClosed());
}

TEST(ConnectionTest, SynSentAnswersABogusAckWithReset) {
  const net::TransportAddress a = Tcp(0x0a000001, 5000);
  const net::TransportAddress b = Tcp(0x0a000002, 80);
  Connection c = Connection::Connect({}, kT0, a, b, 42);
  c.PollTransmit();
  c.HandleSegment(kT0 + kRtt,
                  Segment(b, a, TcpHeader::kSyn | TcpHeader::kAck, 9000, 4242));
  std::optional<Packet> reset = c.PollTransmit();
  ASSERT_TRUE(reset.has_value());
  EXPECT_EQ(reset->tcp.flags, TcpHeader::kRst);
  EXPECT_EQ(reset->tcp.seq, 4242u);
  EXPECT_EQ(c.state(), Connection::State::kSynSent);  // Still waiting.
  EXPECT_FALSE(c.PollEvent().has_value());
}

TEST(ConnectionTest, SameInputsGiveTheSameSegments) {
  auto run = [] {
    BackToBack net({});
    auto count = std::make_shared<int>(0);
    net.drop = [count](const SentSegment&) { return ++*count % 6 == 0; };
    std::vector<uint8_t> data(50000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
    net.WriteFrom(End::kClient, data, true);
    net.Connect();
    net.RunFor(Duration::Seconds(30));
    std::vector<std::tuple<Time, uint8_t, uint32_t, uint32_t, size_t>> trace;
    for (const SentSegment& s : net.sent()) {
      trace.emplace_back(s.time, s.packet.tcp.flags, s.packet.tcp.seq,
                         s.packet.tcp.ack, s.packet.payload.size());
    }
    return trace;
  };
  EXPECT_EQ(run(), run());
}

TEST(ConnectionTest, SendBufferIsBounded) {
  Config config;
  config.send_buffer_size = 10000;
  Connection c = Connection::Connect(config, kT0, Tcp(0x0a000001, 5000),
                                     Tcp(0x0a000002, 80), 42);
  const std::vector<uint8_t> data(25000, 1);
  EXPECT_EQ(c.Write(kT0, data), 10000u);
  EXPECT_EQ(c.send_buffer_space(), 0u);
  EXPECT_EQ(c.queued_bytes(), 10000u);  // Nothing leaves before the SYN-ACK.
  EXPECT_EQ(c.Write(kT0, data), 0u);
}

}  // namespace
}  // namespace pinhole::sim::tcp
