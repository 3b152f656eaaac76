#include "sim/router.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/ip_prefix.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/link.h"
#include "sim/packet.h"
#include "sim/packet_sink.h"
#include "sim/simulator.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;

class Collector : public PacketSink {
 public:
  void Receive(Packet packet) override { packets.push_back(std::move(packet)); }
  std::vector<Packet> packets;
};

// Router interfaces 0-2 sit at end A of links l0-l2, with a collector at each
// end B. Routes: 0.0.0.0/0 -> 0, 10.1.0.0/16 -> 1, 10.1.2.0/24 -> 2.
class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_ = *Router::Create(sim_, "r");
    for (int i = 0; i < 3; ++i) {
      links_.push_back(*Link::Create(sim_, "l" + std::to_string(i),
                                     {.latency = Duration::Milliseconds(1)}));
      ASSERT_EQ(*router_->AddInterface(*links_[i], LinkEnd::kA), i);
      ASSERT_TRUE(links_[i]->Attach(LinkEnd::kB, &collectors_[i]).ok());
    }
    ASSERT_TRUE(
        router_->AddRoute(*net::IpPrefix::Parse("10.1.2.0/24"), 2).ok());
    ASSERT_TRUE(
        router_->AddRoute(*net::IpPrefix::Parse("10.1.0.0/16"), 1).ok());
  }
  // Injects a packet into the router through link 0.
  void Inject(const char* destination, uint8_t hop_limit = 64) {
    Packet p;
    p.id = sim_.NextPacketId();
    p.source = *net::TransportAddress::Parse("192.0.2.1:1");
    p.destination = *net::TransportAddress::Parse(destination);
    p.hop_limit = hop_limit;
    links_[0]->Send(LinkEnd::kB, std::move(p));
  }

  Simulator sim_{1};
  std::unique_ptr<Router> router_;
  std::vector<std::unique_ptr<Link>> links_;
  Collector collectors_[3];
};

TEST_F(RouterTest, ForwardsByLongestPrefixMatch) {
  ASSERT_TRUE(
      router_->AddRoute(net::IpPrefix::Default(net::AddressFamily::kIpv4), 0)
          .ok());
  Inject("10.1.2.3:9");
  Inject("10.1.3.3:9");
  Inject("8.8.8.8:53");
  ASSERT_TRUE(sim_.Run().ok());
  ASSERT_EQ(collectors_[2].packets.size(), 1u);
  EXPECT_EQ(collectors_[2].packets[0].id, 1u);
  EXPECT_EQ(collectors_[2].packets[0].hop_limit, 63);
  ASSERT_EQ(collectors_[1].packets.size(), 1u);
  EXPECT_EQ(collectors_[1].packets[0].id, 2u);
  ASSERT_EQ(collectors_[0].packets.size(), 1u);  // Back where it came from.
  EXPECT_EQ(collectors_[0].packets[0].id, 3u);
  EXPECT_EQ(sim_.Now(), Simulator::kEpoch + Duration::Milliseconds(2));
}

TEST_F(RouterTest, DropsWhatNoRouteMatches) {
  Inject("8.8.8.8:53");
  Inject("[2001:db8::1]:53");
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kNoRoute), 2u);
  for (const Collector& c : collectors_) EXPECT_TRUE(c.packets.empty());
}

TEST_F(RouterTest, DropsPacketsWhoseHopLimitRunsOut) {
  Inject("10.1.2.3:9", 1);
  Inject("10.1.2.3:9", 0);
  Inject("10.1.2.3:9", 2);
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kHopLimitExceeded), 2u);
  ASSERT_EQ(collectors_[2].packets.size(), 1u);
  EXPECT_EQ(collectors_[2].packets[0].hop_limit, 1);
}

TEST_F(RouterTest, RecordsForwardedPackets) {
  Inject("10.1.2.3:9");
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(
      sim_.trace().ToText(),
      "1000.001000000 r forwarded udp 192.0.2.1:1 10.1.2.3:9 id=1 size=28\n");
}

TEST(RouterSetupTest, ConnectedPrefixesBecomeRoutes) {
  Simulator sim(1);
  auto router = *Router::Create(sim, "r");
  auto in = *Link::Create(sim, "in", {});
  auto out = *Link::Create(sim, "out", {.latency = Duration::Milliseconds(4)});
  Collector collector;
  ASSERT_TRUE(out->Attach(LinkEnd::kB, &collector).ok());
  ASSERT_EQ(*router->AddInterface(*in, LinkEnd::kA,
                                  {*net::IpPrefix::Parse("10.0.0.0/8")}),
            0);
  ASSERT_EQ(*router->AddInterface(*out, LinkEnd::kA,
                                  {*net::IpPrefix::Parse("192.0.2.0/24"),
                                   *net::IpPrefix::Parse("2001:db8::/32")}),
            1);
  EXPECT_EQ(router
                ->AddInterface(*out, LinkEnd::kB,
                               {*net::IpPrefix::Parse("10.0.0.0/8")})
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  Packet p;
  p.source = *net::TransportAddress::Parse("[2001:db9::1]:1");
  p.destination = *net::TransportAddress::Parse("[2001:db8::7]:2");
  in->Send(LinkEnd::kB, std::move(p));
  ASSERT_TRUE(sim.Run().ok());
  ASSERT_EQ(collector.packets.size(), 1u);
  EXPECT_EQ(sim.Now(), Simulator::kEpoch + Duration::Milliseconds(4));
}

TEST_F(RouterTest, RefusesRoutesToUnknownInterfaces) {
  EXPECT_EQ(router_->AddRoute(*net::IpPrefix::Parse("10.9.0.0/16"), 3).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(router_->AddRoute(*net::IpPrefix::Parse("10.1.0.0/16"), 0).code(),
            absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace pinhole::sim
