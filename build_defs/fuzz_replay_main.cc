// Replays fuzz inputs: `NAME FILE...` runs each file through
// LLVMFuzzerTestOneInput.
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "build_defs/fuzz_input_files.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s FILE...\n"
                 "Replays each FILE through the fuzz target. Build with "
                 "--config=fuzz to fuzz.\n",
                 argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    absl::StatusOr<std::string> input = pinhole::fuzz::ReadInputFile(argv[i]);
    if (!input.ok()) {
      std::fprintf(stderr, "%s\n",
                   std::string(input.status().message()).c_str());
      return 1;
    }
    std::fprintf(stderr, "running %s (%zu bytes)\n", argv[i], input->size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input->data()),
                           input->size());
  }
  std::fprintf(stderr, "ran %d inputs\n", argc - 1);
  return 0;
}
