// Fuzz target: IpPrefix::Parse and IpPrefix::ParseList on arbitrary text.
// Whatever they accept must print as text that parses back to the same
// prefix, keep its length within the family's width, and contain its own
// address; a list must hold as many prefixes as it has entries.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "net/ip_prefix.h"

namespace {

using pinhole::net::IpPrefix;

[[noreturn]] void Fail(const std::string& input, const char* what) {
  std::fprintf(stderr, "IpPrefix on \"%s\": %s\n",
               absl::CHexEscape(input).c_str(), what);
  std::abort();
}

void CheckPrefix(const std::string& input, const IpPrefix& prefix) {
  const int width = prefix.address().is_v4() ? 32 : 128;
  if (prefix.length() < 0 || prefix.length() > width)
    Fail(input, "length out of range");
  if (!prefix.Contains(prefix.address()))
    Fail(input, "does not contain its own address");
  const absl::StatusOr<IpPrefix> reparsed = IpPrefix::Parse(prefix.ToString());
  if (!reparsed.ok() || *reparsed != prefix)
    Fail(input, "ToString does not parse back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<IpPrefix> prefix = IpPrefix::Parse(input);
  if (prefix.ok()) CheckPrefix(input, *prefix);

  const absl::StatusOr<std::vector<IpPrefix>> list = IpPrefix::ParseList(input);
  if (!list.ok()) return 0;
  for (const IpPrefix& p : *list) CheckPrefix(input, p);
  const absl::StatusOr<std::vector<IpPrefix>> relisted = IpPrefix::ParseList(
      absl::StrJoin(*list, ",", [](std::string* out, const IpPrefix& p) {
        out->append(p.ToString());
      }));
  if (!relisted.ok() || *relisted != *list)
    Fail(input, "the printed list does not parse back");
  return 0;
}
