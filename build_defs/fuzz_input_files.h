// Reading fuzz inputs from files, for the replay binary and the corpus test.
#ifndef PINHOLE_BUILD_DEFS_FUZZ_INPUT_FILES_H_
#define PINHOLE_BUILD_DEFS_FUZZ_INPUT_FILES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

// The fuzz target every fuzz binary links.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace pinhole::fuzz {

// The whole contents of `path`.
absl::StatusOr<std::string> ReadInputFile(const std::string& path);

}  // namespace pinhole::fuzz

#endif  // PINHOLE_BUILD_DEFS_FUZZ_INPUT_FILES_H_
