// Test helper: bytes from readable hex ("00 01 00 58 ..."; whitespace and
// newlines ignored).
#ifndef PINHOLE_STUN_TESTING_HEX_H_
#define PINHOLE_STUN_TESTING_HEX_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace pinhole::stun::testing {

// Aborts on anything but hex digits and whitespace, or an odd digit count:
// a typo in a test vector must not pass silently.
inline std::vector<uint8_t> FromHex(absl::string_view text) {
  std::vector<uint8_t> out;
  int pending = -1;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else if (c == ' ' || c == '\n' || c == '\t') {
      continue;
    } else {
      std::abort();
    }
    if (pending < 0) {
      pending = digit;
    } else {
      out.push_back(static_cast<uint8_t>(pending * 16 + digit));
      pending = -1;
    }
  }
  if (pending >= 0) std::abort();
  return out;
}

inline std::string ToHex(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out.push_back(i % 4 == 0 ? '\n' : ' ');
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

}  // namespace pinhole::stun::testing

#endif  // PINHOLE_STUN_TESTING_HEX_H_
