// Fuzz target: IpAddress::Parse on arbitrary text, checked against the C
// library's inet_pton and inet_ntop. Parse must accept exactly what inet_pton
// accepts (zone ids aside, which neither does), yield the same bytes, and print
// the same RFC 5952 text as inet_ntop; printed text must parse back to the same
// address.
#include <arpa/inet.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"

namespace {

[[noreturn]] void Fail(const std::string& input, const char* what) {
  std::fprintf(stderr, "IpAddress disagrees with libc on \"%s\": %s\n",
               absl::CHexEscape(input).c_str(), what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<pinhole::net::IpAddress> parsed =
      pinhole::net::IpAddress::Parse(input);
  if (parsed.ok() && parsed->ToString().empty())
    Fail(input, "empty text for a valid address");

  // inet_pton reads a C string: an embedded NUL would cut the input short.
  if (input.find('\0') != std::string::npos) {
    if (parsed.ok()) Fail(input, "accepted an input with a NUL byte");
    return 0;
  }
  uint8_t v4[4], v6[16];
  const bool libc_v4 = inet_pton(AF_INET, input.c_str(), v4) == 1;
  const bool libc_v6 = !libc_v4 && inet_pton(AF_INET6, input.c_str(), v6) == 1;
  if (parsed.ok() != (libc_v4 || libc_v6)) {
    Fail(input, parsed.ok() ? "Parse accepts, inet_pton refuses"
                            : "inet_pton accepts, Parse refuses");
  }
  if (!parsed.ok()) return 0;

  const uint8_t* libc_bytes = libc_v4 ? v4 : v6;
  const size_t libc_size = libc_v4 ? 4 : 16;
  if (parsed->bytes().size() != libc_size ||
      std::memcmp(parsed->bytes().data(), libc_bytes, libc_size) != 0) {
    Fail(input, "different bytes");
  }
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(libc_v4 ? AF_INET : AF_INET6, libc_bytes, text, sizeof(text)) ==
      nullptr) {
    Fail(input, "inet_ntop failed");
  }
  if (parsed->ToString() != text)
    Fail(input, "ToString differs from inet_ntop");
  const absl::StatusOr<pinhole::net::IpAddress> reparsed =
      pinhole::net::IpAddress::Parse(parsed->ToString());
  if (!reparsed.ok() || *reparsed != *parsed)
    Fail(input, "ToString does not parse back");
  return 0;
}
