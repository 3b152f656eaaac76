// Paths on a `pinhole` command line mean what the user meant: under
// `bazel run` the program runs in its runfiles tree, so a relative path is
// taken from the directory the user ran Bazel in (BUILD_WORKING_DIRECTORY).
#ifndef PINHOLE_TOOLS_WORKING_DIRECTORY_H_
#define PINHOLE_TOOLS_WORKING_DIRECTORY_H_

#include <cstdlib>
#include <string>

namespace pinhole::tools {

inline std::string FromWorkingDirectory(const std::string& path) {
  const char* base = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || base == nullptr || *base == '\0') {
    return path;
  }
  return std::string(base) + "/" + path;
}

// The source tree under `bazel run` (BUILD_WORKSPACE_DIRECTORY), or "".
inline std::string WorkspaceDirectory() {
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  return workspace == nullptr ? "" : workspace;
}

}  // namespace pinhole::tools

#endif  // PINHOLE_TOOLS_WORKING_DIRECTORY_H_
