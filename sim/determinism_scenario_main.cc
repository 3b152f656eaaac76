// Prints the outcome of the determinism scenario for one seed:
//
//   determinism_scenario_main SEED
//
// one line, "seed=SEED sha256=DIGEST next_draw=N echoes=N lines=N". The
// cross-process determinism test runs it twice and compares the lines.
#include <cstdint>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "sim/determinism_scenario.h"

int main(int argc, char** argv) {
  uint64_t seed = 0;
  if (argc != 2 || !absl::SimpleAtoi(argv[1], &seed)) {
    std::fprintf(stderr, "usage: %s SEED\n", argv[0]);
    return 2;
  }
  const pinhole::sim::ScenarioOutcome outcome =
      pinhole::sim::RunDeterminismScenario(seed);
  size_t lines = 0;
  for (char c : outcome.trace) lines += c == '\n';
  std::printf("seed=%llu sha256=%s next_draw=%llu echoes=%d lines=%zu\n",
              static_cast<unsigned long long>(seed),
              outcome.trace_sha256.c_str(),
              static_cast<unsigned long long>(outcome.next_draw),
              outcome.echoes_received, lines);
  return 0;
}
