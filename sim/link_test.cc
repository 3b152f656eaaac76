#include "sim/link.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/loss_model.h"
#include "sim/packet.h"
#include "sim/packet_sink.h"
#include "sim/simulator.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;

constexpr Time kStart = Simulator::kEpoch;

struct Arrival {
  Time time;
  uint64_t id;
};

class Collector : public PacketSink {
 public:
  explicit Collector(const Simulator& sim) : sim_(sim) {}
  void Receive(Packet packet) override {
    arrivals.push_back({sim_.Now(), packet.id});
  }
  std::vector<Arrival> arrivals;

 private:
  const Simulator& sim_;
};

class LinkTest : public ::testing::Test {
 protected:
  // Builds the link A -> B with `config`, a collector at each end.
  void Build(const LinkConfig& config) {
    link_ = *Link::Create(sim_, "l", config);
    ASSERT_TRUE(link_->Attach(LinkEnd::kA, &at_a_).ok());
    ASSERT_TRUE(link_->Attach(LinkEnd::kB, &at_b_).ok());
  }
  // A UDP/IPv4 packet of `ip_size` bytes with a fresh id, sent from A.
  uint64_t Send(size_t ip_size, LinkEnd from = LinkEnd::kA) {
    Packet p;
    p.id = sim_.NextPacketId();
    p.source = *net::TransportAddress::Parse("10.0.0.1:1000");
    p.destination = *net::TransportAddress::Parse("10.0.0.2:2000");
    p.payload.resize(ip_size - 28);
    const uint64_t id = p.id;
    link_->Send(from, std::move(p));
    return id;
  }
  std::vector<Time> ArrivalTimes(const Collector& c) {
    std::vector<Time> times;
    for (const Arrival& a : c.arrivals) times.push_back(a.time);
    return times;
  }

  Simulator sim_{1};
  Collector at_a_{sim_};
  Collector at_b_{sim_};
  std::unique_ptr<Link> link_;
};

TEST_F(LinkTest, DeliversAfterExactlyTheLatencyOfEachDirection) {
  Build({.latency = Duration::Milliseconds(10)});
  ASSERT_TRUE(
      link_->SetConfig(LinkEnd::kB, {.latency = Duration::Milliseconds(30)})
          .ok());
  Send(100, LinkEnd::kA);
  Send(100, LinkEnd::kB);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(ArrivalTimes(at_b_),
            std::vector<Time>{kStart + Duration::Milliseconds(10)});
  EXPECT_EQ(ArrivalTimes(at_a_),
            std::vector<Time>{kStart + Duration::Milliseconds(30)});
}

// 1250 bytes at 1 Mbit/s take 10 ms to serialise; packets sent together leave
// one after another.
TEST_F(LinkTest, SerialisesAtTheBandwidth) {
  Build({.latency = Duration::Milliseconds(5), .bandwidth_bps = 1000'000});
  Send(1250);
  Send(1250);
  Send(125);  // 1 ms.
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(ArrivalTimes(at_b_),
            (std::vector<Time>{kStart + Duration::Milliseconds(15),
                               kStart + Duration::Milliseconds(25),
                               kStart + Duration::Milliseconds(26)}));
}

TEST_F(LinkTest, SerialisationRoundsUpToTheNanosecond) {
  Build({.bandwidth_bps = 3});  // 1 byte = 8/3 s.
  Send(68);                     // 544 bits: 181.333... s.
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(ArrivalTimes(at_b_),
            std::vector<Time>{kStart + Duration::Nanoseconds(181'333'333'334)});
}

// One packet on the transmitter, two in a 2500-byte queue: the other seven of
// ten sent at once are dropped.
TEST_F(LinkTest, DropTailQueueOverflowsByBytes) {
  Build({.bandwidth_bps = 1000'000, .queue_bytes = 2500});
  for (int i = 0; i < 10; ++i) Send(1250);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(at_b_.arrivals.size(), 3u);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kQueueFull), 7u);
  EXPECT_EQ(ArrivalTimes(at_b_),
            (std::vector<Time>{kStart + Duration::Milliseconds(10),
                               kStart + Duration::Milliseconds(20),
                               kStart + Duration::Milliseconds(30)}));
}

TEST_F(LinkTest, DropTailQueueOverflowsByPacketCount) {
  Build(
      {.bandwidth_bps = 1000'000, .queue_bytes = 1000'000, .queue_packets = 4});
  for (int i = 0; i < 10; ++i) Send(100);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(at_b_.arrivals.size(), 5u);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kQueueFull), 5u);
}

TEST_F(LinkTest, QueueSpaceFreesAsPacketsStartTransmission) {
  Build({.bandwidth_bps = 1000'000, .queue_bytes = 1250});
  Send(1250);  // Transmitting until 10 ms.
  Send(1250);  // Queued until 10 ms.
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kQueueFull), 0u);
  Send(1250);  // Queue full.
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kQueueFull), 1u);
  sim_.RunFor(Duration::Milliseconds(10));  // The second starts sending.
  Send(1250);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kQueueFull), 1u);
  EXPECT_EQ(ArrivalTimes(at_b_).back(), kStart + Duration::Milliseconds(30));
}

TEST_F(LinkTest, DropsPacketsLargerThanTheMtu) {
  Build({.mtu = 1400});
  const uint64_t fits = Send(1400);
  Send(1401);
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_b_.arrivals.size(), 1u);
  EXPECT_EQ(at_b_.arrivals[0].id, fits);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kMtuExceeded), 1u);
}

TEST_F(LinkTest, GoingDownDropsWhatIsInFlightAndWhatIsSent) {
  Build({.latency = Duration::Milliseconds(10)});
  Send(100);  // Would arrive at 10 ms.
  link_->SetUpAt(kStart + Duration::Milliseconds(5), false);
  link_->SetUpAt(kStart + Duration::Milliseconds(20), true);
  sim_.RunFor(Duration::Milliseconds(6));
  EXPECT_FALSE(link_->is_up());
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kLinkDown), 1u);
  EXPECT_EQ(sim_.trace().last_record().time,
            kStart + Duration::Milliseconds(5));
  Send(100);  // Down: dropped at once.
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kLinkDown), 2u);
  sim_.RunFor(Duration::Milliseconds(14));  // Up again at 20 ms.
  EXPECT_TRUE(link_->is_up());
  Send(100);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(ArrivalTimes(at_b_),
            std::vector<Time>{kStart + Duration::Milliseconds(30)});
}

TEST_F(LinkTest, JitterWithoutReorderingKeepsOrder) {
  Build({.latency = Duration::Milliseconds(10),
         .jitter = Duration::Milliseconds(5)});
  std::vector<Time> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(sim_.Now());
    Send(100);
    sim_.RunFor(Duration::Microseconds(100));
  }
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_b_.arrivals.size(), 200u);
  int delayed = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    const Arrival& a = at_b_.arrivals[i];
    EXPECT_EQ(a.id, i + 1);  // In order.
    EXPECT_GE(a.time, sent[i] + Duration::Milliseconds(10));
    if (i > 0) EXPECT_GE(a.time, at_b_.arrivals[i - 1].time);
    delayed += a.time > sent[i] + Duration::Milliseconds(10);
  }
  EXPECT_GT(delayed, 150);  // Jitter did delay packets.
}

TEST_F(LinkTest, JitterWithReorderingReorders) {
  Build({.latency = Duration::Milliseconds(10),
         .jitter = Duration::Milliseconds(5),
         .allow_reordering = true});
  std::vector<Time> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(sim_.Now());
    Send(100);
    sim_.RunFor(Duration::Microseconds(100));
  }
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_b_.arrivals.size(), 200u);
  int out_of_order = 0;
  for (size_t i = 0; i < at_b_.arrivals.size(); ++i) {
    const Arrival& a = at_b_.arrivals[i];
    const Time s = sent[a.id - 1];
    EXPECT_GE(a.time, s + Duration::Milliseconds(10));
    EXPECT_LE(a.time, s + Duration::Milliseconds(15));
    if (i > 0) out_of_order += a.id < at_b_.arrivals[i - 1].id;
  }
  EXPECT_GT(out_of_order, 10);
}

// 10% independent loss over 20,000 packets: 2,000 expected, standard deviation
// sqrt(20000 * 0.1 * 0.9) = 42; the tolerance is 200 (about five).
TEST_F(LinkTest, IndependentLossDropsTheConfiguredShare) {
  Build({.loss = LossModel::Independent(net::Ratio::Percent(10))});
  for (int i = 0; i < 20'000; ++i) Send(100);
  ASSERT_TRUE(sim_.Run().ok());
  const size_t lost = sim_.trace().CountDrops(DropReason::kLinkLoss);
  EXPECT_NEAR(static_cast<double>(lost), 2000, 200);
  EXPECT_EQ(lost + at_b_.arrivals.size(), 20'000u);
}

// Gilbert-Elliott on a link: p = 2%, r = 20%, loss 80% in the bad state and
// none in the good one. Stationary loss: 0.8 * 0.02 / 0.22 = 7.27%; over
// 50,000 packets the tolerance is 1 point (bursts of mean length 5 make the
// estimate noisier than independent loss).
TEST_F(LinkTest, GilbertElliottLossDropsTheStationaryShare) {
  Build({.loss = LossModel::GilbertElliott(
             {.p = net::Ratio::Percent(2),
              .r = net::Ratio::Percent(20),
              .loss_in_bad = net::Ratio::Percent(80)})});
  for (int i = 0; i < 50'000; ++i) Send(100);
  ASSERT_TRUE(sim_.Run().ok());
  const size_t lost = sim_.trace().CountDrops(DropReason::kLinkLoss);
  EXPECT_NEAR(static_cast<double>(lost) / 50'000, 0.8 * 0.02 / 0.22, 0.01);
  EXPECT_EQ(lost + at_b_.arrivals.size(), 50'000u);
}

TEST_F(LinkTest, MtuCountsTheIpv6Header) {
  Build({.mtu = 1280});
  Packet p;
  p.id = sim_.NextPacketId();
  p.source = *net::TransportAddress::Parse("[2001:db8::1]:1");
  p.destination = *net::TransportAddress::Parse("[2001:db8::2]:2");
  p.payload.resize(1280 - 48 + 1);  // 40 + 8 + payload = 1281.
  link_->Send(LinkEnd::kA, p);
  p.payload.resize(1280 - 48);
  link_->Send(LinkEnd::kA, p);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(at_b_.arrivals.size(), 1u);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kMtuExceeded), 1u);
}

// Each link draws from streams named after it, so adding another element to
// the simulation leaves its losses and jitter exactly as they were.
std::vector<Arrival> LossyJitteryArrivals(bool with_another_link) {
  Simulator sim(99);
  std::unique_ptr<Link> other;
  Collector other_end(sim);
  const LinkConfig config{
      .latency = Duration::Milliseconds(10),
      .jitter = Duration::Milliseconds(5),
      .allow_reordering = true,
      .loss = LossModel::Independent(net::Ratio::Percent(20))};
  if (with_another_link) {
    other = *Link::Create(sim, "other", config);
    EXPECT_TRUE(other->Attach(LinkEnd::kB, &other_end).ok());
  }
  auto link = *Link::Create(sim, "l", config);
  Collector far_end(sim);
  EXPECT_TRUE(link->Attach(LinkEnd::kB, &far_end).ok());
  for (int i = 0; i < 100; ++i) {
    Packet p;
    p.id = sim.NextPacketId();
    p.source = *net::TransportAddress::Parse("10.0.0.1:1");
    p.destination = *net::TransportAddress::Parse("10.0.0.2:2");
    if (other != nullptr) other->Send(LinkEnd::kA, p);
    p.id = i + 1;
    link->Send(LinkEnd::kA, std::move(p));
  }
  EXPECT_TRUE(sim.Run().ok());
  return far_end.arrivals;
}

TEST(LinkStreamsTest, AnotherLinkDoesNotReshuffleThisOne) {
  const std::vector<Arrival> alone = LossyJitteryArrivals(false);
  const std::vector<Arrival> together = LossyJitteryArrivals(true);
  ASSERT_EQ(alone.size(), together.size());
  EXPECT_LT(alone.size(), 95u);  // Some were lost.
  for (size_t i = 0; i < alone.size(); ++i) {
    EXPECT_EQ(alone[i].time, together[i].time);
    EXPECT_EQ(alone[i].id, together[i].id);
  }
}

TEST_F(LinkTest, DuplicatesGetTheirOwnIds) {
  Build({.latency = Duration::Milliseconds(1),
         .duplicate = net::Ratio::Always()});
  const uint64_t id = Send(100);
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_b_.arrivals.size(), 2u);
  EXPECT_EQ(at_b_.arrivals[0].id, id);
  EXPECT_NE(at_b_.arrivals[1].id, id);
  EXPECT_EQ(at_b_.arrivals[1].time, kStart + Duration::Milliseconds(1));
  EXPECT_NE(sim_.trace().ToText().find(" duplicated udp "), std::string::npos);
}

TEST_F(LinkTest, ConfigChangesApplyToLaterPackets) {
  Build({.latency = Duration::Milliseconds(10)});
  Send(100);
  ASSERT_TRUE(link_
                  ->SetConfig({.latency = Duration::Milliseconds(1),
                               .allow_reordering = true})
                  .ok());
  Send(100);
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(at_b_.arrivals.size(), 2u);
  EXPECT_EQ(at_b_.arrivals[0].id, 2u);
  EXPECT_EQ(at_b_.arrivals[0].time, kStart + Duration::Milliseconds(1));
  EXPECT_EQ(at_b_.arrivals[1].time, kStart + Duration::Milliseconds(10));
}

TEST_F(LinkTest, TapsSeePacketsEnterAndLeave) {
  Build({.latency = Duration::Milliseconds(3), .mtu = 1000});
  std::vector<Time> entered, left;
  link_->AddTap(LinkEnd::kA, TapPoint::kEnter,
                [&](Time t, const Packet&) { entered.push_back(t); });
  link_->AddTap(LinkEnd::kA, TapPoint::kExit,
                [&](Time t, const Packet&) { left.push_back(t); });
  Send(100);
  Send(2000);              // Over the MTU: never enters.
  Send(100, LinkEnd::kB);  // The other direction.
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(entered, std::vector<Time>{kStart});
  EXPECT_EQ(left, std::vector<Time>{kStart + Duration::Milliseconds(3)});
}

TEST_F(LinkTest, NothingAttachedAtTheFarEndIsNoRoute) {
  link_ = *Link::Create(sim_, "l", {});
  Send(100);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kNoRoute), 1u);
}

TEST_F(LinkTest, RefusesBadConfigurations) {
  EXPECT_EQ(Link::Create(sim_, "a", {.latency = Duration::Milliseconds(-1)})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Link::Create(sim_, "b", {.jitter = Duration::Milliseconds(-1)})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Link::Create(sim_, "c", {.mtu = 67}).status().code(),
            absl::StatusCode::kInvalidArgument);
  Build({});
  EXPECT_EQ(Link::Create(sim_, "l", {}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(link_->SetConfig({.mtu = 0}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(link_->config(LinkEnd::kA).mtu, 1500u);
  EXPECT_EQ(link_->Attach(LinkEnd::kA, &at_b_).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace pinhole::sim
