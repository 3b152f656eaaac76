// `ClientPeers`: channel numbering, refresh due lists and their bounds.
#include "turn/client_peers.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::turn {
namespace {

using net::Duration;
using net::Time;
using ChannelState = ClientPeers::ChannelState;
using PermissionState = ClientPeers::PermissionState;

const Time kNow = Time::FromNanosecondsSinceEpoch(1'000'000'000'000);

net::TransportAddress Addr(const char* text) {
  return *net::TransportAddress::Parse(text);
}

TEST(ClientPeersTest, ChannelNumbersAreNeverReused) {
  ClientPeers peers;
  absl::StatusOr<ClientPeers::Channel*> first =
      peers.AddChannel(Addr("192.0.2.1:1000"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->number, 0x4000);
  EXPECT_EQ((*first)->state, ChannelState::kIdle);
  EXPECT_EQ(*peers.AddChannel(Addr("192.0.2.1:1000")), *first);
  for (int port = 1001; port < 1000 + 4096; ++port) {
    absl::StatusOr<ClientPeers::Channel*> channel =
        peers.AddChannel(net::TransportAddress(
            *net::IpAddress::Parse("192.0.2.1"), static_cast<uint16_t>(port)));
    ASSERT_TRUE(channel.ok()) << port;
    EXPECT_EQ((*channel)->number, 0x4000 + port - 1000);
  }
  EXPECT_EQ(peers.AddChannel(Addr("192.0.2.2:1000")).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(peers.channel_count(), 4096u);
}

TEST(ClientPeersTest, PermissionsAreBounded) {
  ClientPeers peers;
  for (uint32_t i = 0; i < ClientPeers::kMaxPermissions; ++i) {
    ASSERT_TRUE(
        peers.AddPermission(net::IpAddress::FromV4Value(0x0A000000 + i)).ok());
  }
  EXPECT_EQ(peers.AddPermission(net::IpAddress::FromV4Value(0x0B000000))
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  // One that exists is found, not added.
  EXPECT_TRUE(
      peers.AddPermission(net::IpAddress::FromV4Value(0x0A000000)).ok());
}

TEST(ClientPeersTest, OnlyLiveChannelsCarryData) {
  ClientPeers peers;
  ClientPeers::Channel* channel = *peers.AddChannel(Addr("192.0.2.1:1000"));
  EXPECT_EQ(peers.PeerOnChannel(0x4000), std::nullopt);  // kIdle.
  channel->state = ChannelState::kBinding;
  EXPECT_EQ(peers.PeerOnChannel(0x4000), Addr("192.0.2.1:1000"));
  channel->state = ChannelState::kBound;
  EXPECT_EQ(peers.PeerOnChannel(0x4000), Addr("192.0.2.1:1000"));
  channel->state = ChannelState::kFailed;
  EXPECT_EQ(peers.PeerOnChannel(0x4000), std::nullopt);
  EXPECT_EQ(peers.PeerOnChannel(0x4001), std::nullopt);
}

// A permission with a live channel is refreshed by the channel's ChannelBind,
// so it is never due itself.
TEST(ClientPeersTest, DueListsAndNextRefreshAgree) {
  ClientPeers peers;
  const net::IpAddress with_channel = *net::IpAddress::Parse("192.0.2.1");
  const net::IpAddress alone = *net::IpAddress::Parse("192.0.2.2");
  for (const net::IpAddress& ip : {with_channel, alone}) {
    ClientPeers::Permission* permission = *peers.AddPermission(ip);
    permission->state = PermissionState::kInstalled;
    permission->refresh_at = kNow + Duration::Seconds(100);
  }
  ClientPeers::Channel* channel = *peers.AddChannel(Addr("192.0.2.1:1000"));
  channel->state = ChannelState::kBound;
  channel->refresh_at = kNow + Duration::Seconds(200);

  EXPECT_EQ(peers.NextRefresh(), kNow + Duration::Seconds(100));
  EXPECT_TRUE(peers.DuePermissions(kNow).empty());
  EXPECT_EQ(peers.DuePermissions(kNow + Duration::Seconds(100)),
            std::vector<net::IpAddress>{alone});
  EXPECT_TRUE(peers.DueChannels(kNow + Duration::Seconds(199)).empty());
  EXPECT_EQ(peers.DueChannels(kNow + Duration::Seconds(200)),
            std::vector<net::TransportAddress>{Addr("192.0.2.1:1000")});

  // In flight: not due, not a deadline.
  (*peers.AddPermission(alone))->request = 7;
  channel->request = 8;
  EXPECT_TRUE(peers.DuePermissions(kNow + Duration::Seconds(300)).empty());
  EXPECT_TRUE(peers.DueChannels(kNow + Duration::Seconds(300)).empty());
  EXPECT_EQ(peers.NextRefresh(), std::nullopt);
}

TEST(ClientPeersTest, RemovingAPermissionIdlesItsChannels) {
  ClientPeers peers;
  const net::IpAddress ip = *net::IpAddress::Parse("192.0.2.1");
  peers.AddPermission(ip).IgnoreError();
  ClientPeers::Channel* a = *peers.AddChannel(Addr("192.0.2.1:1000"));
  ClientPeers::Channel* b = *peers.AddChannel(Addr("192.0.2.1:2000"));
  ClientPeers::Channel* other = *peers.AddChannel(Addr("192.0.2.3:1000"));
  a->state = ChannelState::kBound;
  a->request = 11;
  b->state = ChannelState::kBinding;
  b->request = 12;
  other->state = ChannelState::kBound;
  EXPECT_TRUE(peers.HasLiveChannel(ip));
  EXPECT_EQ(peers.RemovePermission(ip), (std::vector<uint64_t>{11, 12}));
  EXPECT_EQ(peers.FindPermission(ip), nullptr);
  EXPECT_FALSE(peers.HasLiveChannel(ip));
  EXPECT_EQ(a->state, ChannelState::kIdle);
  EXPECT_EQ(b->request, std::nullopt);
  EXPECT_EQ(other->state, ChannelState::kBound);
  // The numbers stay with their peers.
  EXPECT_EQ((*peers.AddChannel(Addr("192.0.2.1:2000")))->number, 0x4001);
}

}  // namespace
}  // namespace pinhole::turn
