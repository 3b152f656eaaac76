// Flags every `pinhole` command takes.
#ifndef PINHOLE_TOOLS_COMMON_FLAGS_H_
#define PINHOLE_TOOLS_COMMON_FLAGS_H_

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(bool, verbose);

#endif  // PINHOLE_TOOLS_COMMON_FLAGS_H_
