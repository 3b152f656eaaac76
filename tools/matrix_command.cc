// `pinhole matrix`: runs the NAT matrix (scenarios/matrix/) and compares it
// with its golden file.
//
//   pinhole matrix [--update] [--out=DIR]
//
// Prints both tables (without and with TURN), says which cells differ from
// scenarios/matrix/golden.txt, and writes matrix.md and matrix.html to DIR
// (default: pinhole-out/matrix). --update rewrites the golden file in the
// source tree (under `bazel run`). Exit status 0 when the golden matches (or
// was updated).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "scenarios/matrix/matrix.h"
#include "tools/command.h"
#include "tools/working_directory.h"

ABSL_FLAG(bool, update, false,
          "Rewrite scenarios/matrix/golden.txt with this run's cells.");
ABSL_FLAG(std::string, matrix_out, "",
          "Where to write matrix.md and matrix.html; unset: "
          "pinhole-out/matrix in the working directory.");

namespace pinhole::tools {
namespace {

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::fprintf(stderr, "cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

}  // namespace

int RunMatrix(const std::vector<std::string>& arguments) {
  if (!arguments.empty()) {
    std::fprintf(stderr,
                 "usage: pinhole matrix [--update] [--matrix-out=DIR]\n");
    return kExitUsage;
  }
  absl::StatusOr<std::vector<scenarios::MatrixProfile>> profiles =
      scenarios::matrix::Profiles();
  if (!profiles.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(profiles.status().message()).c_str());
    return kExitFailure;
  }
  const std::vector<scenarios::matrix::Cell> cells =
      scenarios::matrix::Cells(*profiles);
  std::vector<scenarios::matrix::CellResult> results;
  // Wall-clock time, for the user only: it reaches no simulation.
  const auto started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < cells.size(); ++i) {
    std::fprintf(stderr, "\r[%3zu/%zu] %-60s", i + 1, cells.size(),
                 cells[i].Key().c_str());
    std::fflush(stderr);
    absl::StatusOr<scenarios::matrix::CellResult> result =
        scenarios::matrix::RunCell(*profiles, cells[i]);
    if (!result.ok()) {
      std::fprintf(stderr, "\ncell %s: %s\n", cells[i].Key().c_str(),
                   std::string(result.status().message()).c_str());
      return kExitFailure;
    }
    results.push_back(*std::move(result));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  std::fprintf(stderr, "\r%-80s\r", "");
  std::printf(
      "%s\n%s\n",
      scenarios::matrix::TerminalTable(*profiles, results, false).c_str(),
      scenarios::matrix::TerminalTable(*profiles, results, true).c_str());
  std::printf("%zu cells in %.1f s of wall-clock time\n", results.size(),
              seconds);

  std::string out = absl::GetFlag(FLAGS_matrix_out);
  out = FromWorkingDirectory(out.empty() ? "pinhole-out/matrix" : out);
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error ||
      !WriteFile(out + "/matrix.md",
                 scenarios::matrix::Markdown(*profiles, results)) ||
      !WriteFile(out + "/matrix.html",
                 scenarios::matrix::HeatMapHtml(*profiles, results))) {
    std::fprintf(stderr, "cannot write to %s\n", out.c_str());
    return kExitFailure;
  }
  std::printf("wrote %s/matrix.md and %s/matrix.html\n", out.c_str(),
              out.c_str());

  if (absl::GetFlag(FLAGS_update)) {
    const std::string workspace = WorkspaceDirectory();
    if (workspace.empty()) {
      std::fprintf(stderr,
                   "--update rewrites the source tree's golden file: run it "
                   "with ./bazelw run //tools:pinhole -- matrix --update\n");
      return kExitUsage;
    }
    const std::string golden = workspace + "/scenarios/matrix/golden.txt";
    if (!WriteFile(golden, scenarios::matrix::GoldenText(results))) {
      return kExitFailure;
    }
    std::printf("rewrote %s\n", golden.c_str());
    return kExitOk;
  }
  absl::StatusOr<std::map<std::string, std::string>> golden =
      scenarios::matrix::ParseGolden(scenarios::matrix::EmbeddedGolden());
  if (!golden.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(golden.status().message()).c_str());
    return kExitFailure;
  }
  size_t changed = 0;
  for (const scenarios::matrix::CellResult& result : results) {
    auto it = golden->find(result.cell.Key());
    if (it != golden->end() && it->second == result.GoldenLine()) continue;
    ++changed;
    std::printf("changed: %s\n   golden: %s\n", result.GoldenLine().c_str(),
                it == golden->end() ? "(missing)" : it->second.c_str());
  }
  if (changed == 0 && golden->size() == results.size()) {
    std::printf("golden: all %zu cells match scenarios/matrix/golden.txt\n",
                results.size());
    return kExitOk;
  }
  std::printf(
      "golden: %zu of %zu cells differ from scenarios/matrix/golden.txt "
      "(%zu cells there); ./bazelw run //tools:pinhole -- matrix "
      "--update rewrites it\n",
      changed, results.size(), golden->size());
  return kExitFailure;
}

}  // namespace pinhole::tools
