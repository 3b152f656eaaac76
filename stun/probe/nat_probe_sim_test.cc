// The RFC 5780 probe, run in the simulator against Pinhole's binding server
// behind every NAT behaviour the simulator models: it must report exactly
// the behaviour configured. One test per mapping x filtering combination,
// plus no NAT, hairpinning on, off and with the internal source, and binding
// lifetimes of 30 s and 120 s.
#include <optional>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_presets.h"
#include "stun/probe/nat_probe.h"
#include "stun/probe/nat_probe_result.h"
#include "stun/probe/nat_probe_result.pb.h"
#include "stun/probe/testing/simulated_probe.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using sim::NatBehavior;

using testing::Describe;
using testing::NatOf;
using testing::SimulatedProbe;

// Runs one probe (testing::RunSimulatedProbe); fails the test if it could not.
SimulatedProbe RunProbe(std::optional<NatBehavior> nat,
                        NatProbeOptions options = {},
                        Duration limit = Duration::Seconds(60),
                        bool wildcard_sockets = false) {
  testing::SimulatedProbeOptions run_options;
  run_options.keep_trace = true;
  run_options.nat = nat;
  run_options.probe = options;
  run_options.limit = limit;
  run_options.wildcard_sockets = wildcard_sockets;
  absl::StatusOr<SimulatedProbe> run = testing::RunSimulatedProbe(run_options);
  EXPECT_TRUE(run.ok()) << run.status();
  return run.value_or(SimulatedProbe{});
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
  const SimulatedProbe run = RunProbe(NatOf(mapping, filtering));
  const NatProbeResult& result = run.result;
  EXPECT_EQ(result.error(), "") << Describe(run);
  EXPECT_TRUE(result.nat_present()) << Describe(run);
  EXPECT_EQ(result.local_address(),
            "192.168.1.2:" + result.local_address().substr(12));
  EXPECT_EQ(result.mapped_address().substr(0, 12), "203.0.113.1:");
  EXPECT_EQ(result.mapping(), Expected(mapping)) << Describe(run);
  EXPECT_EQ(result.filtering(), Expected(filtering)) << Describe(run);
  // The hairpinned request passes the NAT's filter when the mapping is
  // endpoint-independent (it reuses the mapping that sent it) or nothing is
  // filtered; otherwise it arrives on a new mapping and is filtered out.
  const bool observable =
      mapping == NatBehavior::MAPPING_ENDPOINT_INDEPENDENT ||
      filtering == NatBehavior::FILTERING_ENDPOINT_INDEPENDENT;
  EXPECT_EQ(result.hairpinning(),
            observable ? HAIRPINNING_EXTERNAL_SOURCE : HAIRPINNING_NOT_OBSERVED)
      << Describe(run);
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
  const SimulatedProbe run = RunProbe(std::nullopt);
  const NatProbeResult& result = run.result;
  EXPECT_EQ(result.error(), "") << Describe(run);
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
  EXPECT_EQ(run.elapsed, Duration::Milliseconds(60)) << Describe(run);
}

class HairpinningTest : public ::testing::TestWithParam<
                            std::tuple<NatBehavior::Hairpinning, Hairpinning>> {
};

TEST_P(HairpinningTest, ProbeReportsIt) {
  const auto [configured, expected] = GetParam();
  NatBehavior behavior =
      NatOf(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
            NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  behavior.set_hairpinning(configured);
  const SimulatedProbe run = RunProbe(behavior);
  EXPECT_EQ(run.result.error(), "") << Describe(run);
  EXPECT_EQ(run.result.hairpinning(), expected) << Describe(run);
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
      NatOf(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
            NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  behavior.set_udp_mapping_lifetime_seconds(seconds);
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(180);
  options.lifetime_resolution = Duration::Milliseconds(500);
  const SimulatedProbe run =
      RunProbe(behavior, options, Duration::Seconds(1000));
  const NatProbeResult& result = run.result;
  ASSERT_EQ(result.error(), "") << Describe(run);
  ASSERT_TRUE(result.has_lifetime()) << Describe(run);
  EXPECT_FALSE(result.lifetime().exceeds_max());
  // The mapping survived `lower` of silence and not `upper`, and the bracket
  // is as narrow as asked, plus two round trips (2 x 40 ms).
  EXPECT_LT(result.lifetime().lower_ms(), seconds * 1000) << Describe(run);
  EXPECT_GE(result.lifetime().upper_ms(), seconds * 1000) << Describe(run);
  EXPECT_LE(result.lifetime().upper_ms() - result.lifetime().lower_ms(),
            500 + 80)
      << Describe(run);
}

INSTANTIATE_TEST_SUITE_P(NatProbe, LifetimeTest, ::testing::Values(30, 120),
                         [](const auto& info) {
                           return absl::StrCat(info.param, "Seconds");
                         });

TEST(NatProbeSimTest, LifetimeLongerThanTheMaximum) {
  NatBehavior behavior = NatOf(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                               NatBehavior::FILTERING_ENDPOINT_INDEPENDENT);
  behavior.set_udp_mapping_lifetime_seconds(300);
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(60);
  const SimulatedProbe run =
      RunProbe(behavior, options, Duration::Seconds(200));
  ASSERT_TRUE(run.result.has_lifetime()) << Describe(run);
  EXPECT_TRUE(run.result.lifetime().exceeds_max());
  EXPECT_EQ(run.result.lifetime().lower_ms(), 60'000);
}

// Sockets bound to 0.0.0.0: the probe learns its address from the answers.
TEST(NatProbeSimTest, WildcardSockets) {
  const SimulatedProbe run =
      RunProbe(NatOf(NatBehavior::MAPPING_ADDRESS_DEPENDENT,
                     NatBehavior::FILTERING_ADDRESS_DEPENDENT),
               {}, Duration::Seconds(60), /*wildcard_sockets=*/true);
  EXPECT_EQ(run.result.error(), "") << Describe(run);
  EXPECT_EQ(run.result.local_address(), "192.168.1.2:49152/udp");
  EXPECT_TRUE(run.result.nat_present());
  EXPECT_EQ(run.result.mapping(), MAPPING_ADDRESS_DEPENDENT);
  EXPECT_EQ(run.result.filtering(), FILTERING_ADDRESS_DEPENDENT);
  EXPECT_EQ(run.result.hairpinning(), HAIRPINNING_NOT_OBSERVED);

  const SimulatedProbe open = RunProbe(std::nullopt, {}, Duration::Seconds(60),
                                       /*wildcard_sockets=*/true);
  EXPECT_EQ(Verdict(open.result),
            "no NAT (endpoint-independent mapping and filtering)")
      << Describe(open);
}

// The simulator's model of Linux's netfilter MASQUERADE, as the probe sees
// it. //conformance:linux_nat_test probes real netfilter in network
// namespaces and expects the same.
TEST(NatProbeSimTest, LinuxMasqueradePreset) {
  absl::StatusOr<NatBehavior> preset = sim::NatPreset("linux_masquerade");
  ASSERT_TRUE(preset.ok()) << preset.status();
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(240);
  options.lifetime_resolution = Duration::Seconds(2);
  const SimulatedProbe run = RunProbe(*preset, options, Duration::Seconds(900));
  EXPECT_EQ(run.result.mapping(), MAPPING_ENDPOINT_INDEPENDENT)
      << Describe(run);
  EXPECT_EQ(run.result.filtering(), FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(run.result.hairpinning(), HAIRPINNING_NOT_OBSERVED);
  // Real netfilter gave 29.632-30.003 s for the same search: a Binding
  // answered at once stays on conntrack's 30 s UDP timeout.
  ASSERT_TRUE(run.result.has_lifetime()) << Describe(run);
  EXPECT_LT(run.result.lifetime().lower_ms(), 30'000) << Describe(run);
  EXPECT_GE(run.result.lifetime().upper_ms(), 30'000) << Describe(run);
  EXPECT_LE(run.result.lifetime().upper_ms() - run.result.lifetime().lower_ms(),
            2'000 + 80);
}

// The simulator's symmetric NAT, as the probe sees it: what real netfilter
// shows with MASQUERADE --random-fully (//conformance:linux_nat_test).
TEST(NatProbeSimTest, SymmetricPreset) {
  absl::StatusOr<NatBehavior> preset = sim::NatPreset("symmetric");
  ASSERT_TRUE(preset.ok()) << preset.status();
  const SimulatedProbe run = RunProbe(*preset);
  EXPECT_EQ(Verdict(run.result),
            "NAT: address-and-port-dependent mapping, address-and-port-"
            "dependent filtering")
      << Describe(run);
  EXPECT_EQ(run.result.hairpinning(), HAIRPINNING_NOT_OBSERVED);
}

// NAT444: the probe measures the chain as one NAT. A port-restricted home
// NAT behind an endpoint-independent CGN keeps its filtering; the CGN
// hairpins, so the home router's request to its own public address returns.
TEST(NatProbeSimTest, HomeNatBehindCarrierGradeNat) {
  testing::SimulatedProbeOptions options;
  options.nat = *sim::NatPreset("port_restricted_cone");
  options.cgn = *sim::NatPreset("carrier_grade");
  absl::StatusOr<SimulatedProbe> run = testing::RunSimulatedProbe(options);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Verdict(run->result),
            "NAT: endpoint-independent mapping, address-and-port-dependent "
            "filtering")
      << Describe(*run);
  EXPECT_EQ(run->result.mapped_address().substr(0, 12), "203.0.113.1:");
  EXPECT_EQ(run->result.hairpinning(), HAIRPINNING_EXTERNAL_SOURCE);
}

// A full-cone home NAT behind a symmetric CGN: the chain is symmetric.
TEST(NatProbeSimTest, FullConeBehindSymmetricCgn) {
  testing::SimulatedProbeOptions options;
  options.nat = *sim::NatPreset("full_cone");
  options.cgn = *sim::NatPreset("symmetric");
  absl::StatusOr<SimulatedProbe> run = testing::RunSimulatedProbe(options);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Verdict(run->result),
            "NAT: address-and-port-dependent mapping, address-and-port-"
            "dependent filtering")
      << Describe(*run);
  EXPECT_EQ(run->result.hairpinning(), HAIRPINNING_NOT_OBSERVED);
}

// A server with one address cannot answer the behaviour tests: the probe
// says so, with what it did learn.
TEST(NatProbeSimTest, ServerWithoutRfc5780) {
  testing::SimulatedProbeOptions options;
  options.nat = NatOf(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                      NatBehavior::FILTERING_ADDRESS_DEPENDENT);
  options.server = testing::SimulatedProbeOptions::Server::kPlain;
  absl::StatusOr<SimulatedProbe> run = testing::RunSimulatedProbe(options);
  ASSERT_TRUE(run.ok()) << run.status();
  const NatProbeResult& result = run->result;
  EXPECT_TRUE(result.nat_present());
  EXPECT_EQ(result.mapped_address(), "203.0.113.1:49152/udp");
  EXPECT_EQ(result.mapping(), MAPPING_UNKNOWN);
  EXPECT_EQ(Verdict(result),
            "NAT (the mapped address is not the local one), behaviour "
            "unknown: the server does not support RFC 5780: its answer has "
            "no OTHER-ADDRESS");
}

// DESIGN.md's determinism rule: the same network and seed give the same
// packets at the same instants, byte for byte, and the same result.
TEST(NatProbeSimTest, SameSeedSameTrace) {
  NatBehavior behavior = NatOf(NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
                               NatBehavior::FILTERING_ADDRESS_DEPENDENT);
  behavior.set_port_assignment(NatBehavior::PORT_RANDOM);
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(60);
  const SimulatedProbe first =
      RunProbe(behavior, options, Duration::Seconds(400));
  const SimulatedProbe second =
      RunProbe(behavior, options, Duration::Seconds(400));
  ASSERT_FALSE(first.trace.empty());
  EXPECT_EQ(first.trace, second.trace);
  EXPECT_EQ(ToJson(first.result), ToJson(second.result));
  EXPECT_EQ(first.progress, second.progress);
}

TEST(NatProbeSimTest, UnreachableServerIsReported) {
  // Nobody listens: the probe gives up after its retransmission schedule.
  testing::SimulatedProbeOptions options;
  options.server = testing::SimulatedProbeOptions::Server::kNone;
  absl::StatusOr<SimulatedProbe> run = testing::RunSimulatedProbe(options);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->elapsed, Duration::Milliseconds(5500));
  EXPECT_NE(run->result.error().find("got no answer"), std::string::npos)
      << run->result.error();
  EXPECT_EQ(run->result.mapping(), MAPPING_UNKNOWN);
}

}  // namespace
}  // namespace pinhole::stun
