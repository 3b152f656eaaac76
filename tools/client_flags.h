// Flags the client commands share (`pinhole probe`, `pinhole turn-client`):
// which server to talk to, and from where.
#ifndef PINHOLE_TOOLS_CLIENT_FLAGS_H_
#define PINHOLE_TOOLS_CLIENT_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, server);
ABSL_DECLARE_FLAG(std::string, local);

#endif  // PINHOLE_TOOLS_CLIENT_FLAGS_H_
