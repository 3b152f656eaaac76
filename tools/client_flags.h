// Flags the client commands share (`pinhole probe`, `pinhole turn-client`,
// `pinhole ice-peer`): which server to talk to and from where, the traffic
// they send, how long they may take, how they check a TLS server, and how
// they print. Each command's entry in tools/main.cc names the ones it reads.
#ifndef PINHOLE_TOOLS_CLIENT_FLAGS_H_
#define PINHOLE_TOOLS_CLIENT_FLAGS_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/flags/declare.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, server);
ABSL_DECLARE_FLAG(std::string, local);
ABSL_DECLARE_FLAG(int, size);
ABSL_DECLARE_FLAG(absl::Duration, interval);
ABSL_DECLARE_FLAG(absl::Duration, timeout);
ABSL_DECLARE_FLAG(std::string, ca_file);
ABSL_DECLARE_FLAG(bool, insecure);
ABSL_DECLARE_FLAG(bool, json);

namespace pinhole::tools {

// "NAME:PASSWORD" split at its first colon (the password may hold more);
// nullopt without a colon or without a name.
std::optional<std::pair<std::string, std::string>> SplitCredential(
    absl::string_view text);

}  // namespace pinhole::tools

#endif  // PINHOLE_TOOLS_CLIENT_FLAGS_H_
