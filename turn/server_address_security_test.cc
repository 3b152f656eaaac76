// The peer address policy on the wire: every forbidden spelling of
// turn/peer_address_examples.h gets 403 (Forbidden) to CreatePermission and
// ChannelBind, and its Send indications go nowhere; every legitimate public
// address is permitted and relayed both ways. Over UDP and over TCP.
#include <cctype>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/client.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/peer_address_examples.h"
#include "turn/server.h"
#include "turn/server_config.h"
#include "turn/server_testing.h"

namespace pinhole::turn {
namespace {

using net::TransportAddress;
using stun::Method;
using testing::ErrorCodeOf;
using ::testing::HasSubstr;
using testing::TurnServerHarness;

std::vector<examples::Forbidden> AllForbidden() {
  std::vector<examples::Forbidden> rows;
  for (const auto& table :
       {absl::MakeConstSpan(examples::kForbiddenIpv4),
        absl::MakeConstSpan(examples::kForbiddenIpv6),
        absl::MakeConstSpan(examples::kForbiddenIpv4InIpv6)}) {
    rows.insert(rows.end(), table.begin(), table.end());
  }
  return rows;
}

// A dual-stack server whose relayed addresses are the tables' own addresses,
// with one dual allocation (IPv4 and IPv6) from a UDP or TCP client, so that
// peers of both families reach the policy rather than 443.
class Fixture {
 public:
  explicit Fixture(bool tcp) : h_(Config()) {
    options_.from = *TransportAddress::Parse(tcp ? "192.0.2.50:40000/tcp"
                                                 : "192.0.2.50:40000");
    options_.server = *TransportAddress::Parse(tcp ? "198.51.100.1:3478/tcp"
                                                   : "198.51.100.1:3478");
    const stun::StunClient::Event allocated = h_.Exchange(
        Method::kAllocate,
        [](stun::MessageBuilder& b) {
          b.Add(stun::RequestedTransport{});
          b.Add(stun::AdditionalAddressFamily::Of(net::AddressFamily::kIpv6));
        },
        options_);
    EXPECT_TRUE(allocated.status.ok()) << allocated.status;
    EXPECT_EQ(h_.server().allocation_count(), 1u);
  }

  static TurnServerConfig Config() {
    TurnServerConfig config = testing::DefaultTestConfig();
    config.relay_ipv4 = *net::IpAddress::Parse(examples::kOwnIpv4);
    config.relay_ipv6 = *net::IpAddress::Parse(examples::kOwnIpv6);
    return config;
  }

  stun::StunClient::Event Permit(const TransportAddress& peer) {
    return h_.Exchange(
        Method::kCreatePermission,
        [peer](stun::MessageBuilder& b) { b.Add(stun::XorPeerAddress{peer}); },
        options_);
  }

  stun::StunClient::Event BindChannel(const TransportAddress& peer) {
    return h_.Exchange(
        Method::kChannelBind,
        [peer](stun::MessageBuilder& b) {
          b.Add(stun::ChannelNumber{0x4000});
          b.Add(stun::XorPeerAddress{peer});
        },
        options_);
  }

  // A Send indication to `peer`; what the server sends out.
  std::vector<net::Datagram> SendTo(const TransportAddress& peer) {
    stun::MessageBuilder send(
        stun::MessageType{Method::kSend, stun::MessageClass::kIndication},
        stun::TransactionId{7});
    send.Add(stun::XorPeerAddress{peer});
    const uint8_t data[] = {'h', 'i'};
    send.Add(stun::Data{data});
    const std::vector<uint8_t> bytes = *send.Finish();
    return h_.Deliver(options_.from, options_.server, bytes);
  }

  TurnServerHarness& harness() { return h_; }
  const TurnServerHarness::Options& options() const { return options_; }

 private:
  TurnServerHarness h_;
  TurnServerHarness::Options options_;
};

// "3_tcp_127_0_0_1": the row, the transport and the address.
template <typename Row>
std::string CaseName(
    const ::testing::TestParamInfo<std::tuple<Row, bool>>& info) {
  std::string name = absl::StrCat(info.index, "_",
                                  std::get<1>(info.param) ? "tcp" : "udp", "_");
  for (const char* c = std::get<0>(info.param).peer; *c != '\0'; ++c) {
    name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
  }
  return name;
}

class ForbiddenOnTheWireTest
    : public ::testing::TestWithParam<std::tuple<examples::Forbidden, bool>> {};

TEST_P(ForbiddenOnTheWireTest, Gets403AndNothingIsRelayed) {
  const auto& [row, tcp] = GetParam();
  Fixture f(tcp);
  const TransportAddress peer(*net::IpAddress::Parse(row.peer), 3478);

  const stun::StunClient::Event permission = f.Permit(peer);
  if (peer.ip() == *net::IpAddress::Parse(examples::kOwnIpv4) ||
      peer.ip() == *net::IpAddress::Parse(examples::kOwnIpv6)) {
    // The relay IPs: permitted, as other allocations of the server live
    // there; but no channel to a port that is not one, and nothing relayed.
    EXPECT_EQ(ErrorCodeOf(permission), 0) << row.peer;
    EXPECT_EQ(ErrorCodeOf(f.BindChannel(peer)), 403) << row.peer;
    EXPECT_TRUE(f.SendTo(peer).empty()) << row.peer;
    return;
  }
  EXPECT_EQ(ErrorCodeOf(permission), 403) << row.peer;
  EXPECT_THAT(std::string(permission.status.message()), HasSubstr("403"));
  // The reason phrase names the rule (truncated to STUN's limit).
  if (permission.response.has_value()) {
    const std::string reason(
        permission.response->view().Get<stun::ErrorCode>()->reason);
    EXPECT_THAT(reason, HasSubstr(std::string(row.reason).substr(0, 40)));
  }
  EXPECT_EQ(ErrorCodeOf(f.BindChannel(peer)), 403) << row.peer;
  EXPECT_TRUE(f.SendTo(peer).empty()) << row.peer;
}

INSTANTIATE_TEST_SUITE_P(Table, ForbiddenOnTheWireTest,
                         ::testing::Combine(::testing::ValuesIn(AllForbidden()),
                                            ::testing::Bool()),
                         CaseName<examples::Forbidden>);

class LegitimateOnTheWireTest
    : public ::testing::TestWithParam<std::tuple<examples::Legitimate, bool>> {
};

TEST_P(LegitimateOnTheWireTest, IsPermittedAndRelayedBothWays) {
  const auto& [row, tcp] = GetParam();
  Fixture f(tcp);
  const TransportAddress peer(*net::IpAddress::Parse(row.peer), 5000);
  const stun::StunClient::Event permission = f.Permit(peer);
  ASSERT_TRUE(permission.status.ok()) << row.peer << ": " << permission.status;

  std::vector<net::Datagram> out = f.SendTo(peer);
  ASSERT_EQ(out.size(), 1u) << row.peer;
  EXPECT_EQ(out[0].destination, peer);
  EXPECT_EQ(out[0].source.family(), peer.family());
  EXPECT_EQ(out[0].payload, (std::vector<uint8_t>{'h', 'i'}));

  // The peer answers to the relayed address: a Data indication to the client.
  std::vector<net::Datagram> back =
      f.harness().Deliver(peer, out[0].source, {'y', 'o'});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].destination, f.options().from);
  const stun::MessageView data = *stun::MessageView::Parse(back[0].payload);
  EXPECT_EQ(data.method(), Method::kData);
  EXPECT_EQ(data.Get<stun::XorPeerAddress>()->address, peer);
}

INSTANTIATE_TEST_SUITE_P(
    Table, LegitimateOnTheWireTest,
    ::testing::Combine(::testing::ValuesIn(examples::kLegitimate),
                       ::testing::Bool()),
    CaseName<examples::Legitimate>);

TEST(PeerPolicyOnTheWireTest, AnAllowListLetsLoopbackThrough) {
  TurnServerConfig config = Fixture::Config();
  config.peer_policy.allow = {*net::IpPrefix::Parse("127.0.0.0/8")};
  TurnServerHarness h(config);
  ASSERT_TRUE(h.Exchange(Method::kAllocate, [](stun::MessageBuilder& b) {
                 b.Add(stun::RequestedTransport{});
               }).status.ok());
  const TransportAddress loopback = *TransportAddress::Parse("127.0.0.1:9");
  EXPECT_TRUE(
      h.Exchange(Method::kCreatePermission, [&](stun::MessageBuilder& b) {
         b.Add(stun::XorPeerAddress{loopback});
       }).status.ok());
  // And a deny list refuses a public peer.
  config = Fixture::Config();
  config.peer_policy.deny = {*net::IpPrefix::Parse("8.8.8.0/24")};
  TurnServerHarness denied(config);
  ASSERT_TRUE(denied
                  .Exchange(Method::kAllocate,
                            [](stun::MessageBuilder& b) {
                              b.Add(stun::RequestedTransport{});
                            })
                  .status.ok());
  EXPECT_EQ(
      ErrorCodeOf(denied.Exchange(
          Method::kCreatePermission,
          [](stun::MessageBuilder& b) {
            b.Add(stun::XorPeerAddress{*TransportAddress::Parse("8.8.8.8:53")});
          })),
      403);
}

}  // namespace
}  // namespace pinhole::turn
