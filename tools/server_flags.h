// Flags the server commands share (`pinhole stun-server`, `pinhole
// turn-server`): where to listen, who may use the server, and what it calls
// itself.
#ifndef PINHOLE_TOOLS_SERVER_FLAGS_H_
#define PINHOLE_TOOLS_SERVER_FLAGS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"

ABSL_DECLARE_FLAG(std::vector<std::string>, listen);
ABSL_DECLARE_FLAG(std::vector<std::string>, user);
ABSL_DECLARE_FLAG(std::string, software);

namespace pinhole::tools {

// The --user flag as NAME:PASSWORD pairs; InvalidArgument naming a bad one.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> UserFlag();

}  // namespace pinhole::tools

#endif  // PINHOLE_TOOLS_SERVER_FLAGS_H_
