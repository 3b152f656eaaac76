// `pinhole`: one binary, several commands.
//
//   pinhole --help                  lists the commands
//   pinhole COMMAND --help          lists a command's flags
//   pinhole COMMAND [--flags] ...   runs it
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tools/command.h"

namespace pinhole::tools {
namespace {

// The shared flags each command reads (tools/command.h).
constexpr absl::string_view kServerFlags[] = {"listen", "user", "software"};
constexpr absl::string_view kProbeFlags[] = {"server", "local", "json"};
constexpr absl::string_view kTurnClientFlags[] = {
    "server", "local", "size", "interval", "timeout", "ca_file", "insecure"};
constexpr absl::string_view kIcePeerFlags[] = {
    "local", "size", "interval", "timeout", "ca_file", "insecure", "json"};

constexpr Command kCommands[] = {
    {"run",
     "runs a scenario file on the virtual network: expectations, trace, "
     "timeline, pcaps",
     "tools/run_command.cc", &RunScenarioFile},
    {"matrix",
     "runs the NAT matrix (every pair of NAT situations, without and with "
     "TURN) and compares it with its golden file",
     "tools/matrix_command.cc", &RunMatrix},
    {"stun-server",
     "a STUN server (RFC 8489) with RFC 5780 behaviour discovery, on real "
     "sockets",
     "tools/stun_server_command.cc", &RunStunServer, kServerFlags},
    {"turn-server",
     "a TURN server (RFC 8656) over UDP, TCP and TLS, refusing internal "
     "peers by default, on real sockets",
     "tools/turn_server_command.cc", &RunTurnServer, kServerFlags},
    {"probe",
     "RFC 5780 NAT behaviour discovery against a STUN server: mapping, "
     "filtering, hairpinning, binding lifetime",
     "tools/probe_command.cc", &RunProbe, kProbeFlags},
    {"turn-client",
     "allocates on a TURN server (RFC 8656) over UDP, TCP or TLS and relays "
     "to a peer that echoes, on real sockets",
     "tools/turn_client_command.cc", &RunTurnClient, kTurnClientFlags},
    {"ice-peer",
     "an ICE agent (RFC 8445, trickle, consent) on real sockets: gathers, "
     "signals over stdio or TCP, connects to another, sends and echoes",
     "tools/ice_peer_command.cc", &RunIcePeer, kIcePeerFlags},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "Pinhole: NAT traversal testing.\n\n"
               "Usage: pinhole COMMAND [--flag=value ...]\n\n"
               "Commands:\n");
  for (const Command& command : kCommands) {
    std::fprintf(out, "  %-12s %s\n", std::string(command.name).c_str(),
                 std::string(command.summary).c_str());
  }
  std::fprintf(out, "\n'pinhole COMMAND --help' lists the command's flags.\n");
}

// The command's own flags, sorted by name.
void PrintCommandHelp(const Command& command) {
  std::printf("Usage: pinhole %s [--flag=value ...]\n\n%s\n\nFlags:\n",
              std::string(command.name).c_str(),
              std::string(command.summary).c_str());
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::EndsWith(flag->Filename(), command.flags_file) ||
        absl::c_linear_search(command.shared_flags, name) ||
        absl::EndsWith(flag->Filename(), "tools/common_flags.cc")) {
      flags.push_back(flag);
    }
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  for (const absl::CommandLineFlag* flag : flags) {
    std::string name(flag->Name());
    std::replace(name.begin(), name.end(), '_', '-');
    std::printf("  --%s (default: \"%s\")\n      %s\n", name.c_str(),
                flag->DefaultValue().c_str(), flag->Help().c_str());
  }
}

// Flags are spelled with dashes on the command line (--allow-peer) and with
// underscores in the code (FLAGS_allow_peer): "--a-b=c" becomes "--a_b=c",
// leaving the value alone. Both spellings are accepted.
std::string FlagWithUnderscores(absl::string_view arg) {
  std::string out(arg);
  if (!absl::StartsWith(arg, "--")) return out;
  const size_t end = std::min(out.find('='), out.size());
  for (size_t i = 2; i < end; ++i) {
    if (out[i] == '-') out[i] = '_';
  }
  return out;
}

bool IsHelp(absl::string_view arg) {
  return arg == "--help" || arg == "-h" || arg == "help" || arg == "-help";
}

int Main(int argc, char** argv) {
  if (argc < 2 || IsHelp(argv[1])) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const Command* command = nullptr;
  for (const Command& candidate : kCommands) {
    if (candidate.name == argv[1]) command = &candidate;
  }
  if (command == nullptr) {
    std::fprintf(stderr, "pinhole: unknown command '%s'\n\n", argv[1]);
    PrintUsage(stderr);
    return kExitUsage;
  }
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) break;
    if (IsHelp(argv[i])) {
      PrintCommandHelp(*command);
      return kExitOk;
    }
  }
  // The command's name joins the program name, so abseil's messages read
  // "pinhole probe: ...".
  std::string program = absl::StrCat(argv[0], " ", argv[1]);
  std::vector<std::string> spelled;
  bool positional_only = false;
  for (int i = 2; i < argc; ++i) {
    positional_only = positional_only || std::strcmp(argv[i], "--") == 0;
    spelled.push_back(positional_only ? std::string(argv[i])
                                      : FlagWithUnderscores(argv[i]));
  }
  std::vector<char*> args = {program.data()};
  for (std::string& arg : spelled) args.push_back(arg.data());
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  return command->run(
      std::vector<std::string>(positional.begin() + 1, positional.end()));
}

}  // namespace
}  // namespace pinhole::tools

int main(int argc, char** argv) { return pinhole::tools::Main(argc, argv); }
