// Fuzz target: the ICE SDP parsers on arbitrary text. The input is one line
// of signalling:
//
// - ParseCandidateAttribute either rejects it or returns a candidate that
//   formats to a line which parses back to the same candidate, and formats to
//   the same line again;
// - ParseIceLine leaves the parameters alone when it fails; when it succeeds,
//   the parameters format to lines that, read into empty parameters, give them
//   back, and a candidate line agrees with ParseCandidateAttribute.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "build_defs/fuzz_check.h"
#include "ice/candidate.h"
#include "ice/sdp.h"

namespace pinhole::ice {
namespace {

void CheckCandidate(const std::string& input) {
  const absl::StatusOr<Candidate> parsed = ParseCandidateAttribute(input);
  if (!parsed.ok()) return;
  const std::string line = FormatCandidateAttribute(*parsed);
  const absl::StatusOr<Candidate> reparsed = ParseCandidateAttribute(line);
  FuzzCheck(reparsed.ok(), "a formatted candidate does not parse");
  FuzzCheck(*reparsed == *parsed, "a candidate changed in a round trip");
  FuzzCheck(FormatCandidateAttribute(*reparsed) == line,
            "a candidate formats differently after a round trip");
}

void CheckIceLine(const std::string& input) {
  IceParameters parameters;
  parameters.ufrag = "init";
  const IceParameters before = parameters;
  const absl::StatusOr<IceLine> parsed = ParseIceLine(input, parameters);
  if (!parsed.ok()) {
    FuzzCheck(parameters == before, "a failed line changed the parameters");
    return;
  }
  const absl::StatusOr<Candidate> candidate = ParseCandidateAttribute(input);
  FuzzCheck(candidate.ok() == (parsed->kind == IceLineKind::kCandidate),
            "ParseIceLine and ParseCandidateAttribute disagree on a line");
  if (candidate.ok()) {
    FuzzCheck(*candidate == parsed->candidate,
              "ParseIceLine and ParseCandidateAttribute read different "
              "candidates");
    FuzzCheck(parameters == before, "a candidate line changed the parameters");
  }
  if (parsed->kind == IceLineKind::kUfrag) {
    FuzzCheck(ValidateUfrag(parameters.ufrag).ok(),
              "an accepted ice-ufrag does not validate");
  }
  if (parsed->kind == IceLineKind::kPwd) {
    FuzzCheck(ValidatePwd(parameters.pwd).ok(),
              "an accepted ice-pwd does not validate");
  }
  IceParameters read;
  for (const std::string& line : FormatIceParameters(parameters)) {
    const absl::StatusOr<IceLine> reread = ParseIceLine(line, read);
    FuzzCheck(reread.ok(), "a formatted ICE parameter does not parse");
  }
  FuzzCheck(read == parameters, "ICE parameters changed in a round trip");
}

}  // namespace
}  // namespace pinhole::ice

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  pinhole::ice::CheckCandidate(input);
  pinhole::ice::CheckIceLine(input);
  return 0;
}
