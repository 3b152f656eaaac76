// A UDP exchange across a two-level NAT chain (client -> home NAT ->
// carrier-grade NAT -> router -> server; nat_chain.h), with a real STUN
// Binding request and response over the net/ seam, and the ways the chain
// refuses packets: filtering, expiry, firewalls. Every time asserted is exact
// simulated time derived from the link latencies.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/integration/nat_chain.h"
#include "sim/integration/stun_endpoints.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/simulator.h"
#include "stun/message.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;

TransportAddress Udp(const net::IpAddress& ip, uint16_t port) {
  return TransportAddress(ip, port, net::TransportProtocol::kUdp);
}

const TransportAddress kServer = Udp(NatChain::ServerIp(), 3478);
const TransportAddress kClient = Udp(NatChain::ClientIp(), 50000);
const TransportAddress kHomeMapped = Udp(NatChain::HomeNatIp(), 50000);

size_t CountLines(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class NatChainUdpTest : public ::testing::Test {
 protected:
  void Build(NatChainOptions options = {}) {
    absl::StatusOr<std::unique_ptr<NatChain>> chain = NatChain::Create(options);
    ASSERT_TRUE(chain.ok()) << chain.status();
    chain_ = *std::move(chain);
    auto server = StunServer::Bind(chain_->server(),
                                   *TransportAddress::Parse("0.0.0.0:3478"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto client = UdpEndpoint::Bind(chain_->client(),
                                    *TransportAddress::Parse("0.0.0.0:50000"));
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  Simulator& sim() { return chain_->sim(); }
  std::string Trace() { return sim().trace().ToText(); }

  // Sends a Binding request from `endpoint` now and runs until the response
  // arrives (or 1 s passes); the XOR-MAPPED-ADDRESS it carried.
  std::optional<TransportAddress> BindingExchange(UdpEndpoint& endpoint) {
    const size_t before = endpoint.received().size();
    absl::StatusOr<stun::TransactionId> id =
        endpoint.SendBindingRequest(kServer);
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return std::nullopt;
    if (!sim().RunUntil([&] { return endpoint.received().size() > before; },
                        sim().Now() + Duration::Seconds(1))) {
      return std::nullopt;
    }
    absl::StatusOr<TransportAddress> mapped =
        ParseBindingResponse(endpoint.received().back().payload, *id);
    EXPECT_TRUE(mapped.ok()) << mapped.status();
    if (!mapped.ok()) return std::nullopt;
    return *mapped;
  }

  // The CGN's mapping for the client's socket, as the CGN holds it now.
  std::optional<Nat::MappingView> CgnMapping() {
    const std::optional<Nat::MappingView> home =
        chain_->home_nat().FindMapping(sim().Now(), kClient, kServer);
    if (!home.has_value()) return std::nullopt;
    return chain_->cgn().FindMapping(sim().Now(), home->external, kServer);
  }

  // Schedules `socket` to send `bytes` to `to` at `at`.
  void SendAt(Time at, net::UdpSocket& socket, TransportAddress to,
              std::vector<uint8_t> bytes = {0xde, 0xad}) {
    sim().Schedule(at, [&socket, to, bytes] {
      ASSERT_TRUE(socket.SendTo(to, bytes).ok());
    });
  }

  std::unique_ptr<NatChain> chain_;
  // Sockets go before the hosts they belong to.
  std::unique_ptr<StunServer> server_;
  std::unique_ptr<UdpEndpoint> client_;
};

TEST_F(NatChainUdpTest, StunBindingLearnsTheCgnMappingAcrossBothNats) {
  Build();
  const Time start = sim().Now();
  ASSERT_EQ(start, Simulator::kEpoch);
  const std::optional<TransportAddress> mapped = BindingExchange(*client_);
  ASSERT_TRUE(mapped.has_value()) << Trace();

  // The home NAT preserved the port; the CGN picked one at random, even like
  // 50000 (RFC 4787 REQ-4 parity), in 1024-65535.
  const std::optional<Nat::MappingView> home =
      chain_->home_nat().FindMapping(sim().Now(), kClient, kServer);
  ASSERT_TRUE(home.has_value());
  EXPECT_EQ(home->external, kHomeMapped);
  const std::optional<Nat::MappingView> cgn = CgnMapping();
  ASSERT_TRUE(cgn.has_value());
  EXPECT_EQ(cgn->internal, kHomeMapped);
  EXPECT_EQ(cgn->external.ip(), NatChain::CgnIp());
  EXPECT_GE(cgn->external.port(), 1024);
  EXPECT_EQ(cgn->external.port() % 2, 0);

  // The server saw the CGN's mapping, and said so; the client read it.
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].source, cgn->external);
  EXPECT_EQ(*mapped, cgn->external);

  // 1 + 4 + 10 + 2 ms there, the same back.
  const Duration one_way = Duration::Milliseconds(17);
  EXPECT_EQ(chain_->ClientToServer(), one_way);
  EXPECT_EQ(server_->requests()[0].time, start + one_way);
  ASSERT_EQ(client_->received().size(), 1u);
  EXPECT_EQ(client_->received()[0].time, start + 2 * one_way);
  EXPECT_EQ(client_->received()[0].source, kServer);
  EXPECT_EQ(client_->received()[0].destination, kClient);

  // Each translation is in the trace, before and after, at the NAT that did
  // it; the full trace of the exchange, to the nanosecond.
  const size_t request = server_->requests()[0].payload.size() + 28;
  const size_t response = client_->received()[0].payload.size() + 28;
  EXPECT_EQ(
      Trace(),
      absl::Substitute(
          "1000.000000000 client sent udp 192.168.1.2:50000 198.51.100.1:3478 "
          "id=1 size=$1\n"
          "1000.001000000 home_nat note udp 192.168.1.2:50000 "
          "198.51.100.1:3478 id=1 size=$1 text=translated 192.168.1.2:50000 "
          "198.51.100.1:3478 -> 100.64.0.2:50000 198.51.100.1:3478\n"
          "1000.001000000 home_nat forwarded udp 100.64.0.2:50000 "
          "198.51.100.1:3478 id=1 size=$1\n"
          "1000.005000000 cgn note udp 100.64.0.2:50000 198.51.100.1:3478 "
          "id=1 size=$1 text=translated 100.64.0.2:50000 198.51.100.1:3478 "
          "-> 203.0.113.1:$0 198.51.100.1:3478\n"
          "1000.005000000 cgn forwarded udp 203.0.113.1:$0 198.51.100.1:3478 "
          "id=1 size=$1\n"
          "1000.015000000 router forwarded udp 203.0.113.1:$0 "
          "198.51.100.1:3478 id=1 size=$1\n"
          "1000.017000000 server delivered udp 203.0.113.1:$0 "
          "198.51.100.1:3478 id=1 size=$1\n"
          "1000.017000000 server sent udp 198.51.100.1:3478 203.0.113.1:$0 "
          "id=2 size=$2\n"
          "1000.019000000 router forwarded udp 198.51.100.1:3478 "
          "203.0.113.1:$0 id=2 size=$2\n"
          "1000.029000000 cgn note udp 198.51.100.1:3478 203.0.113.1:$0 id=2 "
          "size=$2 text=translated 198.51.100.1:3478 203.0.113.1:$0 -> "
          "198.51.100.1:3478 100.64.0.2:50000\n"
          "1000.029000000 cgn forwarded udp 198.51.100.1:3478 "
          "100.64.0.2:50000 id=2 size=$2\n"
          "1000.033000000 home_nat note udp 198.51.100.1:3478 "
          "100.64.0.2:50000 id=2 size=$2 text=translated 198.51.100.1:3478 "
          "100.64.0.2:50000 -> 198.51.100.1:3478 192.168.1.2:50000\n"
          "1000.033000000 home_nat forwarded udp 198.51.100.1:3478 "
          "192.168.1.2:50000 id=2 size=$2\n"
          "1000.034000000 client delivered udp 198.51.100.1:3478 "
          "192.168.1.2:50000 id=2 size=$2\n",
          cgn->external.port(), request, response));
}

// The CGN filters endpoint-independently (carrier_grade: its job is sharing
// addresses, the home NAT protects), so a stranger's packet to the CGN
// mapping passes the CGN, translated, and the home NAT's address-and-port-
// dependent filter refuses it: the client never sent to that address.
TEST_F(NatChainUdpTest, AStrangerIsFilteredByTheHomeNatNotTheCgn) {
  Build();
  ASSERT_EQ(chain_->cgn().settings().filtering,
            NatBehavior::FILTERING_ENDPOINT_INDEPENDENT);
  ASSERT_EQ(chain_->home_nat().settings().filtering,
            NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  ASSERT_TRUE(BindingExchange(*client_).has_value());
  const TransportAddress cgn_mapped = CgnMapping()->external;
  auto stranger = *UdpEndpoint::Bind(chain_->stranger(),
                                     *TransportAddress::Parse("0.0.0.0:4000"));
  const Time sent = sim().Now() + Duration::Seconds(1);
  SendAt(sent, stranger->socket(), cgn_mapped);
  ASSERT_TRUE(sim().Run().ok());

  EXPECT_EQ(client_->received().size(), 1u);  // The STUN response only.
  EXPECT_EQ(sim().trace().CountDrops(DropReason::kNatFilteredByAddress), 1u);
  EXPECT_EQ(sim().trace().CountDrops(DropReason::kNatFilteredByPort), 0u);
  // 3 + 10 ms to the CGN, 4 more to the home NAT.
  const std::string trace = Trace();
  EXPECT_NE(trace.find(absl::StrCat(
                (sent + Duration::Milliseconds(13)).ToString(),
                " cgn forwarded udp 192.0.2.66:4000 100.64.0.2:50000 ")),
            std::string::npos)
      << trace;
  EXPECT_NE(
      trace.find(absl::StrCat((sent + Duration::Milliseconds(17)).ToString(),
                              " home_nat dropped udp 192.0.2.66:4000 "
                              "100.64.0.2:50000 id=3 size=30 "
                              "reason=NAT: filtered by address\n")),
      std::string::npos)
      << trace;
}

// The client sent to the server's address, but not from port 3479: the home
// NAT's address-and-port-dependent filter refuses by port.
TEST_F(NatChainUdpTest, AnotherPortOfTheServerIsFilteredByPort) {
  Build();
  ASSERT_TRUE(BindingExchange(*client_).has_value());
  auto other = *UdpEndpoint::Bind(chain_->server(),
                                  *TransportAddress::Parse("0.0.0.0:3479"));
  SendAt(sim().Now(), other->socket(), CgnMapping()->external);
  ASSERT_TRUE(sim().Run().ok());
  EXPECT_EQ(client_->received().size(), 1u);
  EXPECT_EQ(sim().trace().CountDrops(DropReason::kNatFilteredByPort), 1u);
  EXPECT_NE(Trace().find(" home_nat dropped udp 198.51.100.1:3479 "
                         "100.64.0.2:50000 id=3 size=30 "
                         "reason=NAT: filtered by port\n"),
            std::string::npos)
      << Trace();
}

// Both mappings live 300 s from the request that passed them, refreshed by
// outbound packets only: the home NAT's from 1 ms, the CGN's from 5 ms. A
// packet from the server takes 12 ms to the CGN and 16 ms to the home NAT.
TEST_F(NatChainUdpTest, PacketsAfterTheMappingLifetimeAreDroppedAsExpired) {
  Build();
  ASSERT_TRUE(BindingExchange(*client_).has_value());
  const Nat::MappingView cgn = *CgnMapping();
  const Nat::MappingView home =
      *chain_->home_nat().FindMapping(sim().Now(), kClient, kServer);
  ASSERT_EQ(home.expires_at, Simulator::kEpoch + Duration::Milliseconds(1) +
                                 Duration::Seconds(300));
  ASSERT_EQ(cgn.expires_at, Simulator::kEpoch + Duration::Milliseconds(5) +
                                Duration::Seconds(300));
  net::UdpSocket& server = server_->socket();
  const Duration to_home = Duration::Milliseconds(16);
  const Duration to_cgn = Duration::Milliseconds(12);
  // Reaches the home NAT 1 ns before its mapping expires: delivered.
  SendAt(home.expires_at - to_home - Duration::Nanoseconds(1), server,
         cgn.external, {1});
  // Passes the CGN, reaches the home NAT as its mapping expires.
  SendAt(home.expires_at - to_home, server, cgn.external, {2});
  // Reaches the CGN as its mapping expires.
  SendAt(cgn.expires_at - to_cgn, server, cgn.external, {3});
  ASSERT_TRUE(sim().Run().ok());

  ASSERT_EQ(client_->received().size(), 2u);
  EXPECT_EQ(client_->received()[1].payload, std::vector<uint8_t>{1});
  EXPECT_EQ(
      client_->received()[1].time,
      home.expires_at + Duration::Milliseconds(1) - Duration::Nanoseconds(1));
  EXPECT_EQ(sim().trace().CountDrops(DropReason::kNatMappingExpired), 2u);
  const std::string trace = Trace();
  const std::string at_home = absl::StrCat(
      home.expires_at.ToString(), " home_nat dropped udp 198.51.100.1:3478 ",
      "100.64.0.2:50000 id=4 size=29 reason=NAT: mapping expired\n");
  const std::string at_cgn = absl::StrCat(
      cgn.expires_at.ToString(), " cgn dropped udp 198.51.100.1:3478 ",
      cgn.external.HostPort(), " id=5 size=29 reason=NAT: mapping expired\n");
  EXPECT_NE(trace.find(at_home), std::string::npos) << trace;
  EXPECT_NE(trace.find(at_cgn), std::string::npos) << trace;
}

TEST_F(NatChainUdpTest, AnOpenFirewallLetsTheExchangeThrough) {
  Build({.firewall_preset = "open"});
  const std::optional<TransportAddress> mapped = BindingExchange(*client_);
  ASSERT_TRUE(mapped.has_value()) << Trace();
  EXPECT_EQ(*mapped, CgnMapping()->external);
  EXPECT_EQ(chain_->ClientToServer(), Duration::Milliseconds(18));
  EXPECT_EQ(client_->received()[0].time,
            Simulator::kEpoch + Duration::Milliseconds(36));
}

// block_udp refuses all UDP: the request dies at the firewall.
TEST_F(NatChainUdpTest, BlockUdpRefusesTheExchange) {
  Build({.firewall_preset = "block_udp"});
  EXPECT_FALSE(BindingExchange(*client_).has_value());
  EXPECT_TRUE(server_->requests().empty());
  EXPECT_EQ(sim().trace().CountDrops(DropReason::kFirewallRule), 1u);
  EXPECT_NE(Trace().find("1000.001000000 firewall dropped udp "
                         "192.168.1.2:50000 198.51.100.1:3478 id=1 "),
            std::string::npos)
      << Trace();
  EXPECT_NE(Trace().find(" reason=firewall rule\n"), std::string::npos);
  EXPECT_EQ(chain_->home_nat().MappingCount(sim().Now()), 0u);
}

// web_only lets out TCP to 80 and 443 only: UDP to 3478 is refused.
TEST_F(NatChainUdpTest, WebOnlyRefusesUdpTo3478) {
  Build({.firewall_preset = "web_only"});
  EXPECT_FALSE(BindingExchange(*client_).has_value());
  EXPECT_TRUE(server_->requests().empty());
  EXPECT_EQ(sim().trace().CountDrops(DropReason::kFirewallRule), 1u);
  EXPECT_NE(Trace().find("1000.001000000 firewall dropped udp "
                         "192.168.1.2:50000 198.51.100.1:3478 id=1 "),
            std::string::npos);
}

// Two sockets of the client learn their CGN mappings, then reach each other
// through the CGN's hairpin (RFC 4787 §6, with the external source). The
// home NAT filters as ever: B must first send to A's mapping (that packet
// is filtered at A's mapping), then A's packet reaches B.
TEST_F(NatChainUdpTest, TwoSocketsMeetThroughTheCgnHairpin) {
  Build();
  auto b = *UdpEndpoint::Bind(chain_->client(),
                              *TransportAddress::Parse("0.0.0.0:50002"));
  const std::optional<TransportAddress> a_mapped = BindingExchange(*client_);
  const std::optional<TransportAddress> b_mapped = BindingExchange(*b);
  ASSERT_TRUE(a_mapped.has_value() && b_mapped.has_value());
  ASSERT_NE(*a_mapped, *b_mapped);

  // B opens its home NAT filter towards A's mapping.
  ASSERT_TRUE(b->socket().SendTo(*a_mapped, {1}).ok());
  ASSERT_TRUE(sim().Run().ok());
  EXPECT_EQ(client_->received().size(), 1u);
  EXPECT_EQ(sim().trace().CountDrops(DropReason::kNatFilteredByAddress), 1u);

  const Time sent = sim().Now();
  ASSERT_TRUE(client_->socket().SendTo(*b_mapped, {2}).ok());
  ASSERT_TRUE(sim().Run().ok());
  ASSERT_EQ(b->received().size(), 2u);  // Its STUN response, then A's.
  const ReceivedDatagram& got = b->received()[1];
  EXPECT_EQ(got.payload, std::vector<uint8_t>{2});
  EXPECT_EQ(got.source, *a_mapped);
  // 1 ms, 4 ms to the CGN, back 4 ms and 1 ms.
  EXPECT_EQ(got.time, sent + Duration::Milliseconds(10));
  // The CGN rewrote both ends, and noted it.
  const std::string note = absl::StrCat(
      (sent + Duration::Milliseconds(5)).ToString(), " cgn note udp ",
      "100.64.0.2:50000 ", b_mapped->HostPort(), " id=");
  const std::string text =
      absl::StrCat(" text=translated 100.64.0.2:50000 ", b_mapped->HostPort(),
                   " -> ", a_mapped->HostPort(), " 100.64.0.2:50002\n");
  const std::string trace = Trace();
  const size_t at = trace.find(note);
  ASSERT_NE(at, std::string::npos) << trace;
  EXPECT_EQ(trace.find(text, at), trace.find('\n', at) - text.size() + 1)
      << trace;
  // Two exchanges (a note each way), two hairpins.
  EXPECT_EQ(CountLines(trace, " cgn note "), 6u);
}

}  // namespace
}  // namespace pinhole::sim
