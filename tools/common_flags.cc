#include "tools/common_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(bool, verbose, false,
          "Log each step (probe) or each request (stun-server) to stderr.");
