// The subcommands of `pinhole` (tools/main.cc). Each one parses its own flags
// (abseil flags defined in its own file; `pinhole COMMAND --help` lists
// them) and returns the process's exit status.
#ifndef PINHOLE_TOOLS_COMMAND_H_
#define PINHOLE_TOOLS_COMMAND_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pinhole::tools {

// Exit statuses every command uses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // The work failed (see stderr).
inline constexpr int kExitUsage = 2;    // Bad flags or arguments.

struct Command {
  absl::string_view name;
  absl::string_view summary;  // One line, for `pinhole --help`.
  // The file defining the command's flags, for its --help.
  absl::string_view flags_file;
  // Runs with the positional arguments left after flag parsing.
  int (*run)(const std::vector<std::string>& arguments);
  // The flags it reads that other commands read too (tools/server_flags.cc,
  // tools/client_flags.cc), by name ("ca_file"), for its --help.
  absl::Span<const absl::string_view> shared_flags = {};
};

int RunStunServer(const std::vector<std::string>& arguments);
int RunProbe(const std::vector<std::string>& arguments);
int RunTurnServer(const std::vector<std::string>& arguments);
int RunTurnClient(const std::vector<std::string>& arguments);
int RunIcePeer(const std::vector<std::string>& arguments);
int RunScenarioFile(const std::vector<std::string>& arguments);
int RunMatrix(const std::vector<std::string>& arguments);

}  // namespace pinhole::tools

#endif  // PINHOLE_TOOLS_COMMAND_H_
