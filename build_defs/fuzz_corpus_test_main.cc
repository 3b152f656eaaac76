// A gtest over a fuzz target's seed corpus: the corpus files arrive as
// arguments (see fuzz.bzl), and each must run through LLVMFuzzerTestOneInput
// without a crash or sanitizer finding.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "build_defs/fuzz_input_files.h"
#include "gtest/gtest.h"

namespace {

std::vector<std::string>& CorpusFiles() {
  static auto* files = new std::vector<std::string>();
  return *files;
}

TEST(FuzzCorpus, EveryInputRuns) {
  ASSERT_FALSE(CorpusFiles().empty()) << "the seed corpus is empty";
  for (const std::string& path : CorpusFiles()) {
    SCOPED_TRACE(path);
    absl::StatusOr<std::string> input = pinhole::fuzz::ReadInputFile(path);
    ASSERT_TRUE(input.ok()) << input.status();
    EXPECT_EQ(
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input->data()),
                               input->size()),
        0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) CorpusFiles().push_back(argv[i]);
  return RUN_ALL_TESTS();
}
