// Fuzz target: PrepareOpaqueString on arbitrary bytes. What it accepts must
// come out as well-formed UTF-8, and preparing it again must change nothing
// (PRECIS profiles are idempotent, RFC 8264 §7).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stun/opaque_string.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<std::string> prepared =
      pinhole::stun::PrepareOpaqueString(input);
  if (!prepared.ok()) return 0;
  if (!pinhole::stun::IsValidUtf8(*prepared)) {
    std::fprintf(stderr, "prepared string is not UTF-8\n");
    std::abort();
  }
  const absl::StatusOr<std::string> again =
      pinhole::stun::PrepareOpaqueString(*prepared);
  if (!again.ok() || *again != *prepared) {
    std::fprintf(stderr, "OpaqueString is not idempotent on this input\n");
    std::abort();
  }
  return 0;
}
