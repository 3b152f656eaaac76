// `pinhole run`: runs a scenario file on the virtual network and shows what
// happened.
//
//   pinhole run scenarios/home_to_home.textproto [--seed=N] [--out=DIR]
//
// Prints each expectation met or not, with simulated times, and writes the
// trace, the JSON summary, the timeline picture and the pcap files to DIR
// (default: pinhole-out/NAME). Exit status 0 when every expectation is met.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "scenarios/report.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tools/command.h"
#include "tools/working_directory.h"

ABSL_FLAG(int64_t, seed, -1,
          "The seed of every random choice; unset, the scenario's own (or "
          "1). The result always prints the seed it used.");
ABSL_FLAG(std::string, out, "",
          "Where to write the trace, summary.json, timeline.html and pcap "
          "files; unset: pinhole-out/NAME in the working directory. \"-\" "
          "writes nothing.");

namespace pinhole::tools {

int RunScenarioFile(const std::vector<std::string>& arguments) {
  if (arguments.size() != 1) {
    std::fprintf(stderr, "usage: pinhole run FILE [--seed=N] [--out=DIR]\n");
    return kExitUsage;
  }
  const std::string path = FromWorkingDirectory(arguments[0]);
  absl::StatusOr<scenarios::Scenario> scenario =
      scenarios::LoadScenarioFile(path);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(scenario.status().message()).c_str());
    return kExitFailure;
  }
  scenarios::RunOptions options;
  options.seed = scenarios::DefaultSeed(*scenario);
  if (absl::GetFlag(FLAGS_seed) >= 0) {
    options.seed = static_cast<uint64_t>(absl::GetFlag(FLAGS_seed));
  }
  std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    out = FromWorkingDirectory(absl::StrCat(
        "pinhole-out/", std::filesystem::path(path).stem().string()));
  } else if (out != "-") {
    out = FromWorkingDirectory(out);
  }
  if (out != "-") {
    std::error_code error;
    std::filesystem::create_directories(out, error);
    if (error) {
      std::fprintf(stderr, "cannot create %s: %s\n", out.c_str(),
                   error.message().c_str());
      return kExitFailure;
    }
    options.output_dir = out;
  }
  absl::StatusOr<scenarios::RunResult> result =
      scenarios::RunScenario(*scenario, options);
  if (!result.ok()) {
    std::fprintf(stderr, "%s (seed %llu): %s\n", arguments[0].c_str(),
                 static_cast<unsigned long long>(options.seed),
                 std::string(result.status().message()).c_str());
    return kExitFailure;
  }
  std::printf("%s", scenarios::ResultText(
                        *result, arguments[0],
                        scenarios::ReproduceCommand(arguments[0], options.seed))
                        .c_str());
  return result->passed() ? kExitOk : kExitFailure;
}

}  // namespace pinhole::tools
