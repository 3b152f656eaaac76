#include "net/real/real_network.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/real/event_loop.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net::real {
namespace {

constexpr Duration kBound = Duration::Seconds(5);

std::unique_ptr<RealNetwork> NewNetwork() {
  absl::StatusOr<std::unique_ptr<RealNetwork>> network = RealNetwork::Create();
  EXPECT_TRUE(network.ok()) << network.status();
  return *std::move(network);
}

TEST(RealNetworkTest, LocalAddressesAreUpStableAndScopeFree) {
  auto network = NewNetwork();
  const std::vector<IpAddress> addresses = network->LocalAddresses();
  EXPECT_NE(
      std::find(addresses.begin(), addresses.end(), IpAddress::V4Loopback()),
      addresses.end());
  for (const IpAddress& a : addresses) {
    EXPECT_FALSE(a.is_v6() && a.IsLinkLocal()) << a;
    EXPECT_FALSE(a.IsUnspecified()) << a;
  }
  std::vector<IpAddress> unique = addresses;
  std::sort(unique.begin(), unique.end());
  EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end());
  EXPECT_EQ(network->LocalAddresses(), addresses);
}

TEST(RealNetworkTest, ItsClockNeverGoesBackAndItsRandomnessVaries) {
  auto network = NewNetwork();
  const Time first = network->clock().Now();
  EXPECT_GT(first, Time());
  EXPECT_GE(network->clock().Now(), first);
  const uint64_t a = network->random().NextUint64();
  const uint64_t b = network->random().NextUint64();
  EXPECT_NE(a, b);
}

TEST(RealNetworkTest, TimersFromTheNetworkRunOnItsLoop) {
  auto network = NewNetwork();
  bool fired = false;
  std::unique_ptr<Timer> timer = network->CreateTimer([&] { fired = true; });
  timer->SetAt(network->clock().Now() + Duration::Milliseconds(1));
  EXPECT_TRUE(network->RunUntil([&] { return fired; },
                                network->clock().Now() + kBound));
}

TEST(RealNetworkTest, NetworksMayShareALoop) {
  absl::StatusOr<std::unique_ptr<EventLoop>> loop = EventLoop::Create();
  ASSERT_TRUE(loop.ok()) << loop.status();
  auto alice = RealNetwork::CreateOn(**loop);
  auto bob = RealNetwork::CreateOn(**loop);
  int received = 0;
  absl::StatusOr<std::unique_ptr<UdpSocket>> to_bob =
      bob->BindUdp(TransportAddress(IpAddress::V4Loopback(), 0),
                   [&](const DatagramView&) { ++received; });
  ASSERT_TRUE(to_bob.ok()) << to_bob.status();
  absl::StatusOr<std::unique_ptr<UdpSocket>> from_alice = alice->BindUdp(
      TransportAddress(IpAddress::V4Loopback(), 0), [](const DatagramView&) {});
  ASSERT_TRUE(from_alice.ok()) << from_alice.status();
  const uint8_t byte = 1;
  ASSERT_TRUE(
      (*from_alice)->SendTo((*to_bob)->local_address(), {&byte, 1}).ok());
  // The network may go before what it made, as long as the loop stays.
  alice.reset();
  EXPECT_TRUE((*loop)->RunUntil([&] { return received == 1; },
                                (*loop)->Now() + kBound));
}

TEST(RealNetworkDeathTest, DestroyingTheNetworkBeforeASocketAborts) {
  EXPECT_DEATH(
      {
        auto network = NewNetwork();
        auto socket =
            network->BindUdp(TransportAddress(IpAddress::V4Loopback(), 0),
                             [](const DatagramView&) {});
        socket->release();  // Leaked on purpose: alive past the network.
        network.reset();
      },
      "0 timers and 1 sockets still alive");
}

}  // namespace
}  // namespace pinhole::net::real
