// Prints the outcome of the ICE determinism scenario for one seed:
//
//   ice_scenario_main SEED
//
// one line of KEY=VALUE fields; build_defs/cross_process_determinism_test.sh
// runs it in separate processes and compares the lines.
#include <cstdint>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "ice/testing/ice_scenario.h"

int main(int argc, char** argv) {
  uint64_t seed = 0;
  if (argc != 2 || !absl::SimpleAtoi(argv[1], &seed)) {
    std::fprintf(stderr, "usage: %s SEED\n", argv[0]);
    return 2;
  }
  const pinhole::ice::testing::IceScenarioOutcome outcome =
      pinhole::ice::testing::RunIceScenario(seed);
  std::printf(
      "seed=%llu trace_sha256=%s events_sha256=%s next_draw=%llu "
      "connected=%d reconnected=%d received=%d\n",
      static_cast<unsigned long long>(seed), outcome.trace_sha256.c_str(),
      outcome.events_sha256.c_str(),
      static_cast<unsigned long long>(outcome.next_draw), outcome.connected,
      outcome.reconnected, outcome.received);
  return 0;
}
