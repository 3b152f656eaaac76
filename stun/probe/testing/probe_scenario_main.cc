// Prints the outcome of one simulated probe for a seed, for the
// cross-process determinism test:
//
//   probe_scenario_main SEED
//
// one line, "seed=SEED trace_sha256=D result=JSON_WITHOUT_SPACES". The probe
// runs behind the symmetric preset (random ports: the seed shows in every
// mapped address) with the lifetime search on, so every engine of the probe
// (client, server, drivers, NAT, timers) leaves its mark.
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "net/time.h"
#include "sim/nat/nat_presets.h"
#include "stun/probe/nat_probe_result.h"
#include "stun/probe/testing/simulated_probe.h"

int main(int argc, char** argv) {
  uint64_t seed = 0;
  if (argc != 2 || !absl::SimpleAtoi(argv[1], &seed)) {
    std::fprintf(stderr, "usage: %s SEED\n", argv[0]);
    return 2;
  }
  namespace testing = pinhole::stun::testing;
  testing::SimulatedProbeOptions options;
  options.seed = seed;
  options.nat = *pinhole::sim::NatPreset("symmetric");
  options.probe.discover_lifetime = true;
  options.probe.lifetime_max = pinhole::net::Duration::Seconds(200);
  options.limit = pinhole::net::Duration::Seconds(1000);
  const absl::StatusOr<testing::SimulatedProbe> run =
      testing::RunSimulatedProbe(options);
  if (!run.ok()) {
    std::fprintf(stderr, "seed %llu: %s\n",
                 static_cast<unsigned long long>(seed),
                 std::string(run.status().message()).c_str());
    return 1;
  }
  const std::string json =
      absl::StrReplaceAll(pinhole::stun::ToJson(run->result), {{" ", ""}});
  std::printf("seed=%llu trace_sha256=%s result=%s\n",
              static_cast<unsigned long long>(seed), run->trace_sha256.c_str(),
              json.c_str());
  return 0;
}
