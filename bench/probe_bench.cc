// Simulated RFC 5780 probe runs per second: each iteration is one
// `testing::RunSimulatedProbe` (a `sim::BehindNat` network, an RFC 5780
// `BindingService` on its server host, a `NatProbe` on the client through a
// `UdpDriver`, run until it reports). A run whose result is
// not the NAT configured is an error, never a measurement.
//
// items/s: probe runs per CPU second (the simulator never waits). Counters:
// `sim_ms`, the simulated time one probe took; `events`, the simulator events
// one run needed.
//
//   ./bazelw run --config=opt //bench:probe_bench
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "net/time.h"
#include "sim/nat/nat_behavior.pb.h"
#include "stun/probe/nat_probe.h"
#include "stun/probe/nat_probe_result.h"
#include "stun/probe/nat_probe_result.pb.h"
#include "stun/probe/testing/simulated_probe.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using sim::NatBehavior;

// One network to probe and what the probe must report for it.
struct Case {
  const char* label;
  std::optional<NatBehavior> nat;
  MappingBehavior mapping;
  FilteringBehavior filtering;
  Hairpinning hairpinning;
};

NatBehavior Behavior(NatBehavior::Mapping mapping,
                     NatBehavior::Filtering filtering, int lifetime_seconds) {
  NatBehavior behavior;
  behavior.set_mapping(mapping);
  behavior.set_filtering(filtering);
  behavior.set_port_assignment(NatBehavior::PORT_PRESERVATION);
  if (lifetime_seconds > 0)
    behavior.set_udp_mapping_lifetime_seconds(lifetime_seconds);
  return behavior;
}

// `index`: 0 endpoint-independent mapping, 1 address-and-port-dependent
// mapping (both with address-and-port-dependent filtering), 2 no NAT.
Case MakeCase(int64_t index, int lifetime_seconds = 0) {
  switch (index) {
    case 0:
      return {"EIM/APDF",
              Behavior(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                       NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT,
                       lifetime_seconds),
              MAPPING_ENDPOINT_INDEPENDENT,
              FILTERING_ADDRESS_AND_PORT_DEPENDENT,
              HAIRPINNING_EXTERNAL_SOURCE};
    case 1:
      return {"APDM/APDF",
              Behavior(NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
                       NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT,
                       lifetime_seconds),
              MAPPING_ADDRESS_AND_PORT_DEPENDENT,
              FILTERING_ADDRESS_AND_PORT_DEPENDENT, HAIRPINNING_NOT_OBSERVED};
    default:
      return {"no NAT", std::nullopt, MAPPING_ENDPOINT_INDEPENDENT,
              FILTERING_ENDPOINT_INDEPENDENT, HAIRPINNING_NOT_TESTED};
  }
}

// Builds the network, starts the server and runs one probe to completion.
absl::StatusOr<testing::SimulatedProbe> RunProbe(const Case& c,
                                                 const NatProbeOptions& base,
                                                 Duration limit) {
  testing::SimulatedProbeOptions options;
  options.nat = c.nat;
  options.probe = base;
  options.limit = limit;
  return testing::RunSimulatedProbe(options);
}

// Empty when `run` reports exactly what `c` configured.
std::string Mismatch(const absl::StatusOr<testing::SimulatedProbe>& run,
                     const Case& c) {
  if (!run.ok()) return run.status().ToString();
  const NatProbeResult& r = run->result;
  if (!r.error().empty()) return absl::StrCat("probe error: ", r.error());
  if (r.nat_present() != c.nat.has_value() || r.mapping() != c.mapping ||
      r.filtering() != c.filtering || r.hairpinning() != c.hairpinning) {
    return absl::StrCat("wrong verdict: ", Verdict(r), ", hairpinning ",
                        HairpinningName(r.hairpinning()));
  }
  return "";
}

// Runs probes of `c` until the benchmark has enough; reports runs per second
// and the per-run counters. `check` adds case-specific checks.
template <typename Check>
void ProbeLoop(benchmark::State& state, const Case& c,
               const NatProbeOptions& options, Duration limit, Check check) {
  int64_t sim_ns = 0;
  uint64_t events = 0;
  for (auto _ : state) {
    const absl::StatusOr<testing::SimulatedProbe> run =
        RunProbe(c, options, limit);
    std::string mismatch = Mismatch(run, c);
    if (mismatch.empty()) mismatch = check(run->result);
    if (!mismatch.empty()) {
      state.SkipWithError(mismatch.c_str());
      break;
    }
    sim_ns += run->elapsed.ToNanoseconds();
    events += run->events;
  }
  state.SetLabel(c.label);
  state.SetItemsProcessed(state.iterations());
  state.counters["sim_ms"] = benchmark::Counter(
      static_cast<double>(sim_ns) / 1e6, benchmark::Counter::kAvgIterations);
  state.counters["events"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kAvgIterations);
}

// Mapping, filtering and hairpinning tests (the probe's defaults).
// `range(0)`: 0 EIM/APDF, 1 APDM/APDF, 2 no NAT.
void BM_Probe(benchmark::State& state) {
  ProbeLoop(state, MakeCase(state.range(0)), NatProbeOptions{},
            Duration::Seconds(60),
            [](const NatProbeResult&) { return std::string(); });
}
BENCHMARK(BM_Probe)->ArgName("nat")->Arg(0)->Arg(1)->Arg(2);

// The same behind EIM/APDF with a 30 s mapping lifetime, and the lifetime
// search on (at most 180 s, to 500 ms): the bracket must hold 30 s.
void BM_ProbeWithLifetime(benchmark::State& state) {
  constexpr int64_t kLifetimeMs = 30'000;
  NatProbeOptions options;
  options.discover_lifetime = true;
  options.lifetime_max = Duration::Seconds(180);
  options.lifetime_resolution = Duration::Milliseconds(500);
  ProbeLoop(state, MakeCase(0, kLifetimeMs / 1000), options,
            Duration::Seconds(1000), [](const NatProbeResult& result) {
              const BindingLifetime& lifetime = result.lifetime();
              if (!result.has_lifetime() || lifetime.exceeds_max() ||
                  lifetime.lower_ms() >= kLifetimeMs ||
                  lifetime.upper_ms() < kLifetimeMs) {
                return absl::StrCat("lifetime bracket misses 30 s: [",
                                    lifetime.lower_ms(), ", ",
                                    lifetime.upper_ms(), "] ms");
              }
              return std::string();
            });
}
BENCHMARK(BM_ProbeWithLifetime);

}  // namespace
}  // namespace pinhole::stun
