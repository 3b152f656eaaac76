// Fuzz target: TransportAddress::Parse on arbitrary text. Whatever parses must
// print in the form Parse reads back, and read back to the same address.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "net/transport_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<pinhole::net::TransportAddress> parsed =
      pinhole::net::TransportAddress::Parse(input);
  if (!parsed.ok()) return 0;
  const absl::StatusOr<pinhole::net::TransportAddress> reparsed =
      pinhole::net::TransportAddress::Parse(parsed->ToString());
  if (!reparsed.ok() || *reparsed != *parsed) {
    std::fprintf(stderr, "\"%s\" does not round-trip through \"%s\"\n",
                 absl::CHexEscape(input).c_str(), parsed->ToString().c_str());
    std::abort();
  }
  return 0;
}
