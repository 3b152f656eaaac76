// ICE connectivity in the simulator: two agents on `ice::testing::IcePair`
// (the left controlling), with Pinhole's STUN/TURN server on the public side.
//
// BM_TimeToConnected/L/R/P: every pair of the NAT situations of
//   ice/testing/nat_profiles.h (L and R index MatrixProfiles(): 0 open,
//   1 full cone, 2 address-restricted, 3 port-restricted, 4 symmetric,
//   5 double cone, 6 symmetric then cone) under nomination policy P (0 the
//   first valid pair, the default; 1 the best pair within 1 s). Counters:
//   `sim_ms`, the simulated time from the start to the controlling agent's
//   connected state; `min_ms`, the theoretical minimum for the selected
//   pair's types (nat_profiles.h: the gathering round trips, one check and
//   one nominating check); `ratio` = sim_ms / min_ms; `checks`, the
//   connectivity checks both agents started. The wall-clock time per
//   iteration is the cost of simulating one connection (both agents, the
//   server, the NATs), set-up included.
// BM_CandidateCount/N: N host addresses per side behind port-restricted
//   NATs, STUN only: 2N candidates per side (N host, N server-reflexive).
//   Counters `sim_ms`, `pairs` (in the controlling agent's check list; the
//   limit is raised to 1024 here), `checks`, and `time_per_check`: the
//   wall-clock cost of the whole simulation divided by the checks sent.
//
// A run that does not connect is an error, never a measurement.
//
//   ./bazelw run --config=opt //bench:ice_bench
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "ice/agent.h"
#include "ice/testing/ice_pair.h"
#include "ice/testing/nat_profiles.h"
#include "net/time.h"

namespace pinhole::ice {
namespace {

using testing::IcePair;
using testing::IcePairOptions;
using testing::NatProfile;

void BM_TimeToConnected(benchmark::State& state) {
  const std::vector<NatProfile> profiles = testing::MatrixProfiles();
  const NatProfile& left = profiles[static_cast<size_t>(state.range(0))];
  const NatProfile& right = profiles[static_cast<size_t>(state.range(1))];
  state.SetLabel(left.name + " x " + right.name);
  double sim_ms = 0;
  double min_ms = 0;
  double checks = 0;
  for (auto _ : state) {
    IcePairOptions options;
    testing::ApplyLeft(left, options);
    testing::ApplyRight(right, options);
    if (state.range(2) == 1) {
      for (AgentConfig* config : {&options.left, &options.right}) {
        config->nomination.mode = NominationPolicy::Mode::kBestWithin;
        config->nomination.wait = net::Duration::Seconds(1);
      }
    }
    absl::StatusOr<std::unique_ptr<IcePair>> pair = IcePair::Create(options);
    if (!pair.ok() || !(*pair)->Start().ok() ||
        !(*pair)->RunUntilConnected(net::Duration::Seconds(60))) {
      state.SkipWithError("the agents did not connect");
      return;
    }
    IcePair& p = **pair;
    const CandidatePairInfo selected = *p.left().selected_pair(1);
    sim_ms = static_cast<double>(
                 (*p.left_record().connected_at - p.start()).ToMicroseconds()) /
             1e3;
    min_ms = static_cast<double>(
                 testing::TheoreticalMinimum(left, right, selected.local.type,
                                             selected.remote.type)
                     .ToMicroseconds()) /
             1e3;
    checks = static_cast<double>(p.left().stats().checks_sent +
                                 p.right().stats().checks_sent);
  }
  state.counters["sim_ms"] = sim_ms;
  state.counters["min_ms"] = min_ms;
  state.counters["ratio"] = min_ms > 0 ? sim_ms / min_ms : 0;
  state.counters["checks"] = checks;
}

void MatrixArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"left", "right", "policy"});
  const int n = static_cast<int>(testing::MatrixProfiles().size());
  for (int policy = 0; policy < 2; ++policy) {
    for (int l = 0; l < n; ++l) {
      for (int r = 0; r < n; ++r) b->Args({l, r, policy});
    }
  }
}
BENCHMARK(BM_TimeToConnected)->Apply(MatrixArgs)->Unit(benchmark::kMillisecond);

void BM_CandidateCount(benchmark::State& state) {
  const int addresses = static_cast<int>(state.range(0));
  const NatProfile port_restricted = testing::MatrixProfiles()[3];
  double sim_ms = 0;
  double pairs = 0;
  double checks = 0;
  double total_checks = 0;
  for (auto _ : state) {
    IcePairOptions options;
    testing::ApplyLeft(port_restricted, options);
    testing::ApplyRight(port_restricted, options);
    options.use_turn = false;
    options.left_addresses = addresses;
    options.right_addresses = addresses;
    // RFC 8445 §6.1.2.5's 100 pairs would keep only host-to-host pairs of
    // 16 addresses (the highest priority, all private): none could work.
    options.left.max_pairs = 1024;
    options.right.max_pairs = 1024;
    absl::StatusOr<std::unique_ptr<IcePair>> pair = IcePair::Create(options);
    if (!pair.ok() || !(*pair)->Start().ok() ||
        !(*pair)->RunUntilConnected(net::Duration::Seconds(60))) {
      state.SkipWithError("the agents did not connect");
      return;
    }
    IcePair& p = **pair;
    sim_ms = static_cast<double>(
                 (*p.left_record().connected_at - p.start()).ToMicroseconds()) /
             1e3;
    pairs = static_cast<double>(p.left().check_list().size());
    checks = static_cast<double>(p.left().stats().checks_sent +
                                 p.right().stats().checks_sent);
    total_checks += checks;
  }
  state.counters["candidates_per_side"] = 2.0 * addresses;
  state.counters["sim_ms"] = sim_ms;
  state.counters["pairs"] = pairs;
  state.counters["checks"] = checks;
  state.counters["time_per_check"] = benchmark::Counter(
      total_checks, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CandidateCount)
    ->ArgName("addresses")
    ->Arg(1)
    ->Arg(4)
    ->Arg(16)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pinhole::ice
