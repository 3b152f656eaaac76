// Prints one line of digests of a scenario run for a seed, for
// build_defs/cross_process_determinism_test.sh: the NAT matrix's cell
// port_restricted to symmetric with TURN (NAT port draws, TURN allocations,
// peer-reflexive candidates), run for its whole duration.
//
//   scenario_digest_main SEED
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "scenarios/matrix/matrix.h"
#include "scenarios/report.h"
#include "scenarios/runner.h"

int main(int argc, char** argv) {
  uint64_t seed = 0;
  if (argc != 2 || !absl::SimpleAtoi(argv[1], &seed)) {
    std::fprintf(stderr, "usage: %s SEED\n", argv[0]);
    return 2;
  }
  namespace m = pinhole::scenarios::matrix;
  const auto profiles = *m::Profiles();
  const pinhole::scenarios::MatrixProfile* row = nullptr;
  const pinhole::scenarios::MatrixProfile* column = nullptr;
  for (const auto& p : profiles) {
    if (p.name() == "port_restricted") row = &p;
    if (p.name() == "symmetric") column = &p;
  }
  pinhole::scenarios::Scenario scenario = m::CellScenario(*row, *column, true);
  scenario.set_duration("20s");
  pinhole::scenarios::RunOptions options;
  options.seed = seed;
  auto result = pinhole::scenarios::RunScenario(scenario, options);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(result.status().message()).c_str());
    return 1;
  }
  // FNV-1a of the JSON summary: stable across processes and builds.
  uint64_t fnv = 14695981039346656037ull;
  for (unsigned char c : pinhole::scenarios::SummaryJson(*result)) {
    fnv = (fnv ^ c) * 1099511628211ull;
  }
  std::printf("trace_sha256=%s summary_fnv=%016llx\n",
              result->trace_sha256.c_str(),
              static_cast<unsigned long long>(fnv));
  return 0;
}
