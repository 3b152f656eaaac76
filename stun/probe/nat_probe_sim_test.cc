// The RFC 5780 probe, run in the simulator against Pinhole's binding server
// behind every NAT behaviour the simulator models: it must report exactly
// the behaviour configured. One test per mapping x filtering combination,
// plus no NAT, hairpinning on, off and with the internal source, and binding
// lifetimes of 30 s and 120 s.
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/testing/behind_nat.h"
#include "stun/probe/nat_probe.h"
#include "stun/probe/nat_probe_result.h"
#include "stun/probe/nat_probe_result.pb.h"
#include "stun/server/binding_server.h"
#include "stun/server/binding_service.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using net::TransportAddress;
using sim::BehindNat;
using sim::NatBehavior;

TransportAddress Udp(const net::IpAddress& ip, uint16_t port) {
  return TransportAddress(ip, port, net::TransportProtocol::kUdp);
}

NatBehavior Behavior(NatBehavior::Mapping mapping,
                     NatBehavior::Filtering filtering) {
  NatBehavior behavior;
  behavior.set_mapping(mapping);
  behavior.set_filtering(filtering);
  behavior.set_port_assignment(NatBehavior::PORT_PRESERVATION);
  return behavior;
}

struct ProbeRun {
  NatProbeResult result;
  net::Duration elapsed;
  std::vector<std::string> progress;
  std::string trace_text;  // The simulator's trace of every packet.
};

// Builds the network, starts an RFC 5780 server (198.51.100.1 and .2, ports
// 3478 and 3479) and the probe on the client, and runs until the probe ends.
ProbeRun RunProbe(std::optional<NatBehavior> nat, NatProbeOptions options = {},
                  Duration limit = Duration::Seconds(60),
                  bool wildcard_sockets = false) {
  ProbeRun run;
  sim::BehindNatOptions network_options;
  network_options.nat = nat;
  absl::StatusOr<std::unique_ptr<BehindNat>> network =
      BehindNat::Create(network_options);
  EXPECT_TRUE(network.ok()) << network.status();
  if (!network.ok()) return run;

  BindingServerConfig config;
  config.primary = Udp(BehindNat::ServerIp(), 3478);
  config.alternate_ip = BehindNat::ServerAlternateIp();
  config.alternate_port = 3479;
  absl::StatusOr<BindingServer> server = BindingServer::Create(config);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return run;
  net::UdpDriver<BindingServer> server_driver((*network)->server(), *server);
  for (const TransportAddress& address : server->LocalAddresses()) {
    EXPECT_TRUE(server_driver.Bind(address).ok());
  }

  options.server = config.primary;
  NatProbe probe((*network)->client().random(), options);
  net::UdpDriver<NatProbe> probe_driver((*network)->client(), probe,
                                        [&run](NatProbe::Event event) {
                                          run.progress.push_back(event.message);
                                          if (event.result.has_value())
                                            run.result = *event.result;
                                        });
  std::vector<TransportAddress> sockets;
  for (int i = 0; i < probe.SocketCount(); ++i) {
    absl::StatusOr<TransportAddress> bound = probe_driver.Bind(Udp(
        wildcard_sockets ? net::IpAddress::V4Any() : (*network)->client_ip(),
        0));
    EXPECT_TRUE(bound.ok()) << bound.status();
    if (bound.ok()) sockets.push_back(*bound);
  }
  sim::Simulator& sim = (*network)->sim();
  const net::Time start = sim.Now();
  EXPECT_TRUE(probe.Start(start, sockets).ok());
  probe_driver.Flush();
  EXPECT_TRUE(sim.RunUntil([&] { return probe.done(); }, start + limit))
      << "the probe did not finish in " << limit;
  run.elapsed = sim.Now() - start;
  run.trace_text = sim.trace().ToText();
  return run;
}

std::string Trace(const ProbeRun& run) {
  std::string text;
  for (const std::string& line : run.progress)
    absl::StrAppend(&text, line, "\n");
  return absl::StrCat(text, ToText(run.result));
}

using Combination = std::tuple<NatBehavior::Mapping, NatBehavior::Filtering>;

class EveryMappingAndFiltering : public ::testing::TestWithParam<Combination> {
};

MappingBehavior Expected(NatBehavior::Mapping mapping) {
  switch (mapping) {
    case NatBehavior::MAPPING_ENDPOINT_INDEPENDENT:
      return MAPPING_ENDPOINT_INDEPENDENT;
    case NatBehavior::MAPPING_ADDRESS_DEPENDENT:
      return MAPPING_ADDRESS_DEPENDENT;
    default:
      return MAPPING_ADDRESS_AND_PORT_DEPENDENT;
  }
}

FilteringBehavior Expected(NatBehavior::Filtering filtering) {
  switch (filtering) {
    case NatBehavior::FILTERING_ENDPOINT_INDEPENDENT:
      return FILTERING_ENDPOINT_INDEPENDENT;
    case NatBehavior::FILTERING_ADDRESS_DEPENDENT:
      return FILTERING_ADDRESS_DEPENDENT;
    default:
      return FILTERING_ADDRESS_AND_PORT_DEPENDENT;
  }
}

TEST_P(EveryMappingAndFiltering, ProbeReportsTheConfiguredBehaviour) {
  const auto [mapping, filtering] = GetParam();
  const ProbeRun run = RunProbe(Behavior(mapping, filtering));
  const NatProbeResult& result = run.result;
  EXPECT_EQ(result.error(), "") << Trace(run);
  EXPECT_TRUE(result.nat_present()) << Trace(run);
  EXPECT_EQ(result.local_address(),
            "192.168.1.2:" + result.local_address().substr(12));
  EXPECT_EQ(result.mapped_address().substr(0, 12), "203.0.113.1:");
  EXPECT_EQ(result.mapping(), Expected(mapping)) << Trace(run);
  EXPECT_EQ(result.filtering(), Expected(filtering)) << Trace(run);
  // The hairpinned request passes the NAT's filter when the mapping is
  // endpoint-independent (it reuses the mapping that sent it) or nothing is
  // filtered; otherwise it arrives on a new mapping and is filtered out.
  const bool observable =
      mapping == NatBehavior::MAPPING_ENDPOINT_INDEPENDENT ||
      filtering == NatBehavior::FILTERING_ENDPOINT_INDEPENDENT;
  EXPECT_EQ(result.hairpinning(),
            observable ? HAIRPINNING_EXTERNAL_SOURCE : HAIRPINNING_NOT_OBSERVED)
      << Trace(run);
}

std::string CombinationName(const ::testing::TestParamInfo<Combination>& info) {
  const auto name = [](const std::string& enum_name, size_t prefix) {
    std::string out;
    bool upper = true;
    for (char c : enum_name.substr(prefix)) {
      if (c == '_') {
        upper = true;
        continue;
      }
      out += upper ? c : static_cast<char>(c - 'A' + 'a');
      upper = false;
    }
    return out;
  };
  return absl::StrCat(
      name(NatBehavior::Mapping_Name(std::get<0>(info.param)), 8), "Mapping",
      name(NatBehavior::Filtering_Name(std::get<1>(info.param)), 10),
      "Filtering");
}

INSTANTIATE_TEST_SUITE_P(
    NatProbe, EveryMappingAndFiltering,
    ::testing::Combine(
        ::testing::Values(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                          NatBehavior::MAPPING_ADDRESS_DEPENDENT,
                          NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT),
        ::testing::Values(NatBehavior::FILTERING_ENDPOINT_INDEPENDENT,
                          NatBehavior::FILTERING_ADDRESS_DEPENDENT,
                          NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT)),
    CombinationName);

TEST(NatProbeSimTest, NoNat) {
  const ProbeRun run = RunProbe(std::nullopt);
  const NatProbeResult& result = run.result;
  EXPECT_EQ(result.error(), "") << Trace(run);
  EXPECT_FALSE(result.nat_present());
  EXPECT_EQ(result.mapped_address(), result.local_address());
  EXPECT_EQ(result.mapping(), MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(result.filtering(), FILTERING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(result.hairpinning(), HAIRPINNING_NOT_TESTED);
  EXPECT_EQ(result.other_address(), "198.51.100.2:3479/udp");
  EXPECT_EQ(Verdict(result),
            "no NAT (endpoint-independent mapping and filtering)");
  // Every test answered at once: the probe took one round trip for test I
  // and one for the rest (15 ms each way).
  EXPECT_EQ(run.elapsed, Duration::Milliseconds(60)) << Trace(run);
}

class HairpinningTest : public ::testing::TestWithParam<
                            std::tuple<NatBehavior::Hairpinning, Hairpinning>> {
};

TEST_P(HairpinningTest, ProbeReportsIt) {
  const auto [configured, expected] = GetParam();
  NatBehavior behavior =
      Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
               NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  behavior.set_hairpinning(configured);
  const ProbeRun run = RunProbe(behavior);
  EXPECT_EQ(run.result.error(), "") << Trace(run);
  EXPECT_EQ(run.result.hairpinning(), expected) << Trace(run);
}

INSTANTIATE_TEST_SUITE_P(
    NatProbe, HairpinningTest,
    ::testing::Values(std::make_tuple(NatBehavior::HAIRPINNING_EXTERNAL_SOURCE,
                                      HAIRPINNING_EXTERNAL_SOURCE),
                      std::make_tuple(NatBehavior::HAIRPINNING_INTERNAL_SOURCE,
                                      HAIRPINNING_INTERNAL_SOURCE),
                      std::make_tuple(NatBehavior::HAIRPINNING_OFF,
                                      HAIRPINNING_NOT_OBSERVED)),
    [](const auto& info) {
      return std::string(
          NatBehavior::Hairpinning_Name(std::get<0>(info.param)).substr(12));
    });

class LifetimeTest : public ::testing::TestWithParam<int> {};

TEST_P(LifetimeTest, ProbeBracketsIt) {
  const int seconds = GetParam();
  NatBehavior behavior =
      Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
               NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  behavior.set_udp_mapping_lifetime_seconds(seconds);
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(180);
  options.lifetime_resolution = Duration::Milliseconds(500);
  const ProbeRun run = RunProbe(behavior, options, Duration::Seconds(1000));
  const NatProbeResult& result = run.result;
  ASSERT_EQ(result.error(), "") << Trace(run);
  ASSERT_TRUE(result.has_lifetime()) << Trace(run);
  EXPECT_FALSE(result.lifetime().exceeds_max());
  // The mapping survived `lower` of silence and not `upper`, and the bracket
  // is as narrow as asked, plus two round trips (2 x 40 ms).
  EXPECT_LT(result.lifetime().lower_ms(), seconds * 1000) << Trace(run);
  EXPECT_GE(result.lifetime().upper_ms(), seconds * 1000) << Trace(run);
  EXPECT_LE(result.lifetime().upper_ms() - result.lifetime().lower_ms(),
            500 + 80)
      << Trace(run);
}

INSTANTIATE_TEST_SUITE_P(NatProbe, LifetimeTest, ::testing::Values(30, 120),
                         [](const auto& info) {
                           return absl::StrCat(info.param, "Seconds");
                         });

TEST(NatProbeSimTest, LifetimeLongerThanTheMaximum) {
  NatBehavior behavior = Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                                  NatBehavior::FILTERING_ENDPOINT_INDEPENDENT);
  behavior.set_udp_mapping_lifetime_seconds(300);
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(60);
  const ProbeRun run = RunProbe(behavior, options, Duration::Seconds(200));
  ASSERT_TRUE(run.result.has_lifetime()) << Trace(run);
  EXPECT_TRUE(run.result.lifetime().exceeds_max());
  EXPECT_EQ(run.result.lifetime().lower_ms(), 60'000);
}

// Sockets bound to 0.0.0.0: the probe learns its address from the answers.
TEST(NatProbeSimTest, WildcardSockets) {
  const ProbeRun run =
      RunProbe(Behavior(NatBehavior::MAPPING_ADDRESS_DEPENDENT,
                        NatBehavior::FILTERING_ADDRESS_DEPENDENT),
               {}, Duration::Seconds(60), /*wildcard_sockets=*/true);
  EXPECT_EQ(run.result.error(), "") << Trace(run);
  EXPECT_EQ(run.result.local_address(), "192.168.1.2:49152/udp");
  EXPECT_TRUE(run.result.nat_present());
  EXPECT_EQ(run.result.mapping(), MAPPING_ADDRESS_DEPENDENT);
  EXPECT_EQ(run.result.filtering(), FILTERING_ADDRESS_DEPENDENT);
  EXPECT_EQ(run.result.hairpinning(), HAIRPINNING_NOT_OBSERVED);

  const ProbeRun open = RunProbe(std::nullopt, {}, Duration::Seconds(60),
                                 /*wildcard_sockets=*/true);
  EXPECT_EQ(Verdict(open.result),
            "no NAT (endpoint-independent mapping and filtering)")
      << Trace(open);
}

// A server with one address cannot answer the behaviour tests: the probe
// says so, with what it did learn.
TEST(NatProbeSimTest, ServerWithoutRfc5780) {
  absl::StatusOr<std::unique_ptr<BehindNat>> network = BehindNat::Create(
      {1, Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                   NatBehavior::FILTERING_ADDRESS_DEPENDENT)});
  ASSERT_TRUE(network.ok());
  BindingServerConfig config;
  config.primary = Udp(BehindNat::ServerIp(), 3478);
  absl::StatusOr<std::unique_ptr<BindingService>> service =
      BindingService::Start((*network)->server(), config);
  ASSERT_TRUE(service.ok()) << service.status();
  NatProbeOptions options;
  options.server = config.primary;
  NatProbe probe((*network)->client().random(), options);
  std::optional<NatProbeResult> result;
  net::UdpDriver<NatProbe> driver((*network)->client(), probe,
                                  [&result](NatProbe::Event event) {
                                    if (event.result.has_value())
                                      result = *event.result;
                                  });
  std::vector<TransportAddress> sockets;
  for (int i = 0; i < probe.SocketCount(); ++i) {
    sockets.push_back(*driver.Bind(Udp((*network)->client_ip(), 0)));
  }
  ASSERT_TRUE(probe.Start((*network)->sim().Now(), sockets).ok());
  driver.Flush();
  ASSERT_TRUE((*network)->sim().RunUntil(
      [&] { return result.has_value(); },
      (*network)->sim().Now() + Duration::Seconds(60)));
  EXPECT_TRUE(result->nat_present());
  EXPECT_EQ(result->mapped_address(), "203.0.113.1:49152/udp");
  EXPECT_EQ(result->mapping(), MAPPING_UNKNOWN);
  EXPECT_EQ(Verdict(*result),
            "NAT (the mapped address is not the local one), behaviour "
            "unknown: the server does not support RFC 5780: its answer has "
            "no OTHER-ADDRESS");
}

// DESIGN.md's determinism rule: the same network and seed give the same
// packets at the same instants, byte for byte, and the same result.
TEST(NatProbeSimTest, SameSeedSameTrace) {
  NatBehavior behavior =
      Behavior(NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
               NatBehavior::FILTERING_ADDRESS_DEPENDENT);
  behavior.set_port_assignment(NatBehavior::PORT_RANDOM);
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(60);
  const ProbeRun first = RunProbe(behavior, options, Duration::Seconds(400));
  const ProbeRun second = RunProbe(behavior, options, Duration::Seconds(400));
  ASSERT_FALSE(first.trace_text.empty());
  EXPECT_EQ(first.trace_text, second.trace_text);
  EXPECT_EQ(ToJson(first.result), ToJson(second.result));
  EXPECT_EQ(first.progress, second.progress);
}

TEST(NatProbeSimTest, UnreachableServerIsReported) {
  NatProbeOptions options;
  const ProbeRun run = [&] {
    // A server address nobody listens on: the probe gives up after its
    // retransmission schedule (5.5 s).
    sim::BehindNatOptions network_options;
    absl::StatusOr<std::unique_ptr<BehindNat>> network =
        BehindNat::Create(network_options);
    ProbeRun out;
    options.server = Udp(BehindNat::ServerIp(), 9);
    NatProbe probe((*network)->client().random(), options);
    net::UdpDriver<NatProbe> driver((*network)->client(), probe,
                                    [&out](NatProbe::Event event) {
                                      if (event.result.has_value())
                                        out.result = *event.result;
                                    });
    std::vector<TransportAddress> sockets;
    for (int i = 0; i < probe.SocketCount(); ++i) {
      sockets.push_back(*driver.Bind(Udp((*network)->client_ip(), 0)));
    }
    const net::Time start = (*network)->sim().Now();
    EXPECT_TRUE(probe.Start(start, sockets).ok());
    driver.Flush();
    EXPECT_TRUE((*network)->sim().RunUntil([&] { return probe.done(); },
                                           start + Duration::Seconds(60)));
    out.elapsed = (*network)->sim().Now() - start;
    return out;
  }();
  EXPECT_EQ(run.elapsed, Duration::Milliseconds(5500));
  EXPECT_NE(run.result.error().find("got no answer"), std::string::npos)
      << run.result.error();
  EXPECT_EQ(run.result.mapping(), MAPPING_UNKNOWN);
}

}  // namespace
}  // namespace pinhole::stun
