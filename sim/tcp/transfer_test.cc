// Moving bytes: integrity of large transfers in both directions, with loss,
// duplication, reordering and sequence-number wrap-around; fast retransmit;
// window limits; segment sizes against the MTU. Exact simulated times where
// the schedule is fixed by the window and the round trip.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "sim/packet.h"
#include "sim/tcp/back_to_back.h"
#include "sim/tcp/connection.h"
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

// Bytes that differ from their neighbours and from other streams' bytes.
std::vector<uint8_t> Pattern(size_t size, uint8_t salt) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<uint8_t>(i * 131 + (i >> 8) * 7 + salt);
  }
  return out;
}

bool BothClosed(BackToBack& net) {
  return net.connection(End::kClient) && net.connection(End::kServer) &&
         net.connection(End::kClient)->IsClosed() &&
         net.connection(End::kServer)->IsClosed();
}

std::optional<Time> LastDataTime(const BackToBack& net, End end) {
  std::optional<Time> last;
  for (const ObservedEvent& e : net.events(end)) {
    if (e.type == Type::kData) last = e.time;
  }
  return last;
}

// Both ends' events: data, then the peer's FIN, then an orderly close.
void ExpectOrderlyEnd(const BackToBack& net, End end) {
  const std::vector<ObservedEvent>& events = net.events(end);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front().type, Type::kConnected);
  EXPECT_EQ(events.back().type, Type::kClosed);
  size_t peer_closed = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].type == Type::kPeerClosed) {
      ++peer_closed;
      for (size_t j = i + 1; j < events.size(); ++j) {
        EXPECT_NE(events[j].type, Type::kData) << "data after the FIN";
      }
    }
  }
  EXPECT_EQ(peer_closed, 1u);
}

// Drops every `n`th segment that `from` sends (any `from` when null).
std::function<bool(const SentSegment&)> DropEveryNth(
    int n, std::optional<End> from = std::nullopt) {
  auto counts = std::make_shared<std::array<int, 2>>();
  return [=](const SentSegment& s) {
    if (from && s.from != *from) return false;
    int& count = (*counts)[static_cast<size_t>(s.from)];
    return ++count % n == 0;
  };
}

TEST(TransferTest, OneMegabyteArrivesIntactWithinTheWindowSchedule) {
  BackToBack net({});
  const std::vector<uint8_t> data = Pattern(1 << 20, 1);
  net.WriteFrom(End::kClient, data, /*close_after=*/true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), data);
  // 44 segments of 1460 bytes fit the 65535-byte window; 719 segments take
  // 17 rounds, the first leaving with the handshake's ACK at 1 RTT.
  EXPECT_EQ(LastDataTime(net, End::kServer), kT0 + kRtt * 17 + kOneWay);
  for (const SentSegment& s : net.sent()) {
    EXPECT_LE(s.packet.payload.size(), 1460u);
    EXPECT_LE(s.packet.ip_size(), 1500u);
    EXPECT_FALSE(s.dropped);
  }
  // Every segment was sent once: no spurious retransmission.
  size_t data_segments = 0;
  for (const SentSegment& s : net.SentBy(End::kClient)) {
    if (!s.packet.payload.empty()) ++data_segments;
  }
  EXPECT_EQ(data_segments, 719u);
}

TEST(TransferTest, BothDirectionsAtOnceCloseInOrder) {
  BackToBack net({});
  const std::vector<uint8_t> up = Pattern(300000, 1);
  const std::vector<uint8_t> down = Pattern(200000, 2);
  net.WriteFrom(End::kClient, up, true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer) != nullptr; }, kLimit));
  net.WriteFrom(End::kServer, down, true);
  ASSERT_TRUE(net.RunUntil([&] { return BothClosed(net); }, kLimit));
  EXPECT_EQ(net.received(End::kServer), up);
  EXPECT_EQ(net.received(End::kClient), down);
  ExpectOrderlyEnd(net, End::kClient);
  ExpectOrderlyEnd(net, End::kServer);
}

TEST(TransferTest, SegmentsFitASmallerMtu) {
  BackToBack::Options options;
  options.client_config.mss = MssForMtu(1280, net::AddressFamily::kIpv4);
  BackToBack net(options);
  const std::vector<uint8_t> data = Pattern(100000, 3);
  net.WriteFrom(End::kClient, data, true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), data);
  size_t largest = 0;
  for (const SentSegment& s : net.SentBy(End::kClient)) {
    largest = std::max(largest, s.packet.ip_size());
  }
  EXPECT_EQ(largest, 1280u);
}

TEST(TransferTest, SendWindowBoundsBytesInFlight) {
  constexpr uint16_t kWindow = 4 * 1460;
  BackToBack::Options options;
  options.client_config.send_window = kWindow;
  BackToBack net(options);
  const std::vector<uint8_t> data = Pattern(100 * 1460, 4);
  net.WriteFrom(End::kClient, data, true);
  net.Connect();
  uint32_t most_in_flight = 0;
  ASSERT_TRUE(net.RunUntil(
      [&] {
        const Connection* c = net.connection(End::kClient);
        most_in_flight = std::max(most_in_flight, c->bytes_in_flight());
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), data);
  // The FIN rides on the last segment and takes one sequence number more.
  EXPECT_EQ(most_in_flight, kWindow + 1u);
  // Four segments per round trip: 25 rounds.
  EXPECT_EQ(LastDataTime(net, End::kServer), kT0 + kRtt * 25 + kOneWay);
}

TEST(TransferTest, PeerReceiveWindowBoundsBytesInFlight) {
  constexpr uint16_t kWindow = 2 * 1460;
  BackToBack::Options options;
  options.server_config.receive_window = kWindow;
  BackToBack net(options);
  const std::vector<uint8_t> data = Pattern(20 * 1460, 5);
  net.WriteFrom(End::kClient, data, false);
  net.Connect();
  uint32_t most_in_flight = 0;
  ASSERT_TRUE(net.RunUntil(
      [&] {
        const Connection* c = net.connection(End::kClient);
        most_in_flight = std::max(most_in_flight, c->bytes_in_flight());
        return net.received(End::kServer).size() == data.size();
      },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), data);
  EXPECT_EQ(most_in_flight, kWindow);
  EXPECT_EQ(LastDataTime(net, End::kServer), kT0 + kRtt * 10 + kOneWay);
}

TEST(TransferTest, FastRetransmitRepairsOneLossAfterOneRoundTrip) {
  BackToBack net({});
  auto data_segments = std::make_shared<int>(0);
  uint32_t lost_seq = 0;
  net.drop = [&, data_segments](const SentSegment& s) {
    if (s.from != End::kClient || s.packet.payload.empty()) return false;
    if (++*data_segments != 5) return false;
    lost_seq = s.packet.tcp.seq;
    return true;
  };
  const std::vector<uint8_t> data = Pattern(20 * 1460, 6);
  net.WriteFrom(End::kClient, data, false);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.received(End::kServer).size() == data.size(); },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), data);
  std::vector<Time> sends;
  for (const SentSegment& s : net.SentBy(End::kClient)) {
    if (s.packet.tcp.seq == lost_seq && !s.packet.payload.empty()) {
      sends.push_back(s.time);
    }
  }
  // Sent with the handshake's ACK at 1 RTT; the duplicate ACKs of the
  // segments after it return one RTT later, well before the 300 ms RTO.
  EXPECT_EQ(sends, (std::vector<Time>{kT0 + kRtt, kT0 + kRtt * 2}));
  EXPECT_EQ(LastDataTime(net, End::kServer), kT0 + kRtt * 2 + kOneWay);
}

TEST(TransferTest, WithoutFastRetransmitTheTimerRepairsTheLoss) {
  BackToBack::Options options;
  options.client_config.dup_ack_threshold = 0;
  BackToBack net(options);
  auto data_segments = std::make_shared<int>(0);
  net.drop = [data_segments](const SentSegment& s) {
    return s.from == End::kClient && !s.packet.payload.empty() &&
           ++*data_segments == 5;
  };
  const std::vector<uint8_t> data = Pattern(20 * 1460, 7);
  net.WriteFrom(End::kClient, data, false);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.received(End::kServer).size() == data.size(); },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), data);
  // The timer restarts with every ACK of new data (RFC 6298 §5.3); the last
  // came 2 RTT in, with a second sample of 100 ms: RTTVAR 37.5 ms, RTO
  // 100 + 4 * 37.5 = 250 ms.
  EXPECT_EQ(LastDataTime(net, End::kServer),
            kT0 + kRtt * 2 + Duration::Milliseconds(250) + kOneWay);
}

TEST(TransferTest, EveryTenthClientSegmentLost) {
  BackToBack net({});
  net.drop = DropEveryNth(10, End::kClient);
  const std::vector<uint8_t> data = Pattern(500000, 8);
  net.WriteFrom(End::kClient, data, true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  net.CloseAt(End::kServer);
  ASSERT_TRUE(net.RunUntil([&] { return BothClosed(net); }, kLimit));
  EXPECT_EQ(net.received(End::kServer), data);
  ExpectOrderlyEnd(net, End::kServer);
  ExpectOrderlyEnd(net, End::kClient);
}

TEST(TransferTest, EverySeventhSegmentLostBothWays) {
  BackToBack net({});
  net.drop = DropEveryNth(7);
  const std::vector<uint8_t> up = Pattern(300000, 9);
  const std::vector<uint8_t> down = Pattern(150000, 10);
  net.WriteFrom(End::kClient, up, true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer) != nullptr; }, kLimit));
  net.WriteFrom(End::kServer, down, true);
  ASSERT_TRUE(net.RunUntil([&] { return BothClosed(net); }, kLimit));
  EXPECT_EQ(net.received(End::kServer), up);
  EXPECT_EQ(net.received(End::kClient), down);
  EXPECT_EQ(net.events(End::kClient).back().type, Type::kClosed);
  EXPECT_EQ(net.events(End::kServer).back().type, Type::kClosed);
}

TEST(TransferTest, SequenceNumbersWrapAround) {
  BackToBack::Options options;
  options.client_iss = 0xffffffffu - 3000;
  options.server_iss = 0xfffffffeu;
  BackToBack net(options);
  net.drop = DropEveryNth(13);
  const std::vector<uint8_t> up = Pattern(200000, 11);
  const std::vector<uint8_t> down = Pattern(200000, 12);
  net.WriteFrom(End::kClient, up, true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer) != nullptr; }, kLimit));
  net.WriteFrom(End::kServer, down, true);
  ASSERT_TRUE(net.RunUntil([&] { return BothClosed(net); }, kLimit));
  EXPECT_EQ(net.received(End::kServer), up);
  EXPECT_EQ(net.received(End::kClient), down);
  bool client_wrapped = false;
  bool server_wrapped = false;
  for (const SentSegment& s : net.sent()) {
    if (s.packet.tcp.seq < 1000000 && !s.packet.payload.empty()) {
      (s.from == End::kClient ? client_wrapped : server_wrapped) = true;
    }
  }
  EXPECT_TRUE(client_wrapped);
  EXPECT_TRUE(server_wrapped);
  ExpectOrderlyEnd(net, End::kClient);
  ExpectOrderlyEnd(net, End::kServer);
}

TEST(TransferTest, DuplicatedAndReorderedSegmentsDeliverEachByteOnce) {
  BackToBack net({});
  net.duplicate = [](const Packet&) { return true; };
  auto count = std::make_shared<int>(0);
  net.extra_delay = [count](const Packet& p) {
    // Every third data segment overtaken by the two after it.
    if (p.payload.empty()) return Duration::Zero();
    return ++*count % 3 == 0 ? Duration::Milliseconds(30) : Duration::Zero();
  };
  const std::vector<uint8_t> up = Pattern(400000, 13);
  const std::vector<uint8_t> down = Pattern(100000, 14);
  net.WriteFrom(End::kClient, up, true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] { return net.connection(End::kServer) != nullptr; }, kLimit));
  net.WriteFrom(End::kServer, down, true);
  ASSERT_TRUE(net.RunUntil([&] { return BothClosed(net); }, kLimit));
  EXPECT_EQ(net.received(End::kServer), up);
  EXPECT_EQ(net.received(End::kClient), down);
  ExpectOrderlyEnd(net, End::kClient);
  ExpectOrderlyEnd(net, End::kServer);
}

TEST(TransferTest, ReorderingWithLossAndSmallWindows) {
  BackToBack::Options options;
  options.client_config.send_window = 8000;
  options.server_config.receive_window = 6000;
  options.client_config.mss = 536;
  BackToBack net(options);
  net.drop = DropEveryNth(5);
  auto count = std::make_shared<int>(0);
  net.extra_delay = [count](const Packet&) {
    return Duration::Milliseconds((++*count * 37) % 41);
  };
  const std::vector<uint8_t> up = Pattern(150000, 15);
  net.WriteFrom(End::kClient, up, true);
  net.Connect();
  ASSERT_TRUE(net.RunUntil(
      [&] {
        return net.FirstEvent(End::kServer, Type::kPeerClosed).has_value();
      },
      kLimit));
  EXPECT_EQ(net.received(End::kServer), up);
}

}  // namespace
}  // namespace pinhole::sim::tcp
