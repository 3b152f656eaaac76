#include "sim/pcap/tshark.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace pinhole::sim::pcap {
namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

}  // namespace

std::string TestOutputDir() {
  return EnvOr("TEST_UNDECLARED_OUTPUTS_DIR",
               EnvOr("TEST_TMPDIR", "/tmp").c_str());
}

absl::StatusOr<std::vector<std::map<std::string, std::string>>> TsharkFields(
    const std::string& pcap_path, const std::vector<std::string>& fields) {
  if (access(kTshark, X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        kTshark,
        " is missing: run ./bazelw, which installs the Debian package "
        "tshark, then run this test again"));
  }
  // HOME: tshark wants a writable profile directory.
  std::string command = absl::StrCat(
      "HOME='", EnvOr("TEST_TMPDIR", "/tmp"), "' ", kTshark, " -r '", pcap_path,
      "' -n -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE"
      " -o tcp.check_checksum:TRUE -o tcp.relative_sequence_numbers:FALSE"
      " -T fields -E separator=/t"
      " -E occurrence=a -E aggregator=,");
  for (const std::string& field : fields) {
    absl::StrAppend(&command, " -e ", field);
  }
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen failed");
  std::string raw;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    raw.append(buffer, n);
  }
  if (const int status = pclose(pipe); status != 0) {
    return absl::InternalError(
        absl::StrCat("tshark exited with status ", status, ":\n", raw));
  }
  std::vector<std::map<std::string, std::string>> frames;
  for (absl::string_view line : absl::StrSplit(raw, '\n', absl::SkipEmpty())) {
    const std::vector<std::string> values = absl::StrSplit(line, '\t');
    if (values.size() != fields.size()) {
      return absl::InternalError(
          absl::StrCat("unexpected line from tshark: ", line));
    }
    std::map<std::string, std::string> frame;
    for (size_t i = 0; i < fields.size(); ++i) frame[fields[i]] = values[i];
    frames.push_back(std::move(frame));
  }
  return frames;
}

}  // namespace pinhole::sim::pcap
