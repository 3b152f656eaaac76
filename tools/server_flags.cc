#include "tools/server_flags.h"

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

ABSL_FLAG(std::vector<std::string>, listen, {"0.0.0.0:3478"},
          "Comma-separated addresses to serve, IP:PORT ([IP]:PORT for IPv6), "
          "UDP unless suffixed /tcp (RFC 8489 §6.2.2) or, for turn-server, "
          "/tls; port 0 lets the system choose.");
ABSL_FLAG(std::vector<std::string>, user, {},
          "Comma-separated NAME:PASSWORD credentials: short-term for "
          "stun-server (RFC 8489 §9.1; when given, every request must be "
          "authenticated), long-term for turn-server (RFC 8489 §9.2).");
ABSL_FLAG(std::string, software, "Pinhole",
          "The SOFTWARE attribute of every response; empty: none.");

namespace pinhole::tools {

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> UserFlag() {
  std::vector<std::pair<std::string, std::string>> users;
  for (const std::string& user : absl::GetFlag(FLAGS_user)) {
    std::pair<std::string, std::string> pair =
        absl::StrSplit(user, absl::MaxSplits(':', 1));
    if (pair.first.empty() || user.find(':') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--user wants NAME:PASSWORD, not '", user, "'"));
    }
    users.push_back(std::move(pair));
  }
  return users;
}

}  // namespace pinhole::tools
