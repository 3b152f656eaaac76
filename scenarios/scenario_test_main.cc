// The program behind `scenario_test` (scenario_test.bzl): runs one scenario
// file, prints the result, writes its outputs to
// $TEST_UNDECLARED_OUTPUTS_DIR, runs it a second time and checks that the
// trace is byte-identical (the determinism rule). Exit status 0 only when
// every expectation is met and both runs agree.
//
//   scenario_test_main FILE [--seed=N]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "scenarios/report.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

int main(int argc, char** argv) {
  using pinhole::scenarios::RunOptions;
  using pinhole::scenarios::RunResult;
  std::string path;
  std::string seed_flag;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--seed=")) {
      seed_flag = arg.substr(7);
    } else {
      path = arg;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: %s FILE [--seed=N]\n", argv[0]);
    return 2;
  }
  absl::StatusOr<pinhole::scenarios::Scenario> scenario =
      pinhole::scenarios::LoadScenarioFile(path);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(scenario.status().message()).c_str());
    return 1;
  }
  RunOptions options;
  options.seed = pinhole::scenarios::DefaultSeed(*scenario);
  if (!seed_flag.empty() && !absl::SimpleAtoi(seed_flag, &options.seed)) {
    std::fprintf(stderr, "--seed=%s is not a number\n", seed_flag.c_str());
    return 2;
  }
  if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    options.output_dir = out;
  }
  absl::StatusOr<RunResult> first = RunScenario(*scenario, options);
  if (!first.ok()) {
    std::fprintf(stderr, "%s: %s (seed %llu)\n", path.c_str(),
                 std::string(first.status().message()).c_str(),
                 static_cast<unsigned long long>(options.seed));
    return 1;
  }
  const std::string reproduce =
      pinhole::scenarios::ReproduceCommand(path, options.seed);
  std::printf("%s",
              pinhole::scenarios::ResultText(*first, path, reproduce).c_str());

  options.output_dir.clear();
  absl::StatusOr<RunResult> second = RunScenario(*scenario, options);
  if (!second.ok() || second->trace_sha256 != first->trace_sha256) {
    std::printf(
        "NOT DETERMINISTIC: a second run with seed %llu gave trace %s, the "
        "first %s\nreproduce: %s\n",
        static_cast<unsigned long long>(options.seed),
        second.ok() ? second->trace_sha256.c_str() : "(an error)",
        first->trace_sha256.c_str(), reproduce.c_str());
    return 1;
  }
  std::printf("determinism: a second run gave the same trace (%s)\n",
              first->trace_sha256.c_str());
  return first->passed() ? 0 : 1;
}
