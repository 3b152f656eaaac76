// Runs Wireshark's dissectors (through /usr/bin/tshark, Debian package
// `tshark`, which ./bazelw installs) over a pcap file, with IP, UDP and TCP
// checksum validation on, and returns the fields asked for, one map per
// frame. Several occurrences of a field in a frame are joined by ","; TCP
// sequence numbers are absolute. For tests: the pcap writer's own, and every
// test that checks what the simulator captured.
#ifndef PINHOLE_SIM_PCAP_TSHARK_H_
#define PINHOLE_SIM_PCAP_TSHARK_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace pinhole::sim::pcap {

inline constexpr char kTshark[] = "/usr/bin/tshark";

// FailedPrecondition when tshark is missing (tests fail then, never skip);
// Internal, with what tshark printed, when it fails.
absl::StatusOr<std::vector<std::map<std::string, std::string>>> TsharkFields(
    const std::string& pcap_path, const std::vector<std::string>& fields);

// Where a test keeps files for people to open later:
// $TEST_UNDECLARED_OUTPUTS_DIR (Bazel zips it into test.outputs), else
// $TEST_TMPDIR, else /tmp.
std::string TestOutputDir();

}  // namespace pinhole::sim::pcap

#endif  // PINHOLE_SIM_PCAP_TSHARK_H_
