#include "stun/opaque_string.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace pinhole::stun {
namespace {

// Decodes one code point at `text[*i]`, advancing `*i`; -1 when malformed.
int32_t DecodeOne(absl::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int extra;
  int32_t cp;
  int32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (text.size() - *i <= static_cast<size_t>(extra)) return -1;
  for (int k = 1; k <= extra; ++k) {
    const uint8_t b = byte(*i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += extra + 1;
  return cp;
}

// Unicode 15 general category Zs, other than U+0020.
bool IsNonAsciiSpace(int32_t cp) {
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (DecodeOne(text, &i) < 0) return false;
  }
  return true;
}

size_t Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

absl::StatusOr<std::string> PrepareOpaqueString(absl::string_view input) {
  if (input.empty()) {
    return absl::InvalidArgumentError(
        "OpaqueString: the empty string is not allowed (RFC 8265 §4.2.2)");
  }
  std::string out;
  out.reserve(input.size());
  size_t i = 0;
  while (i < input.size()) {
    const size_t start = i;
    const int32_t cp = DecodeOne(input, &i);
    if (cp < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("OpaqueString: malformed UTF-8 at byte %d", start));
    }
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "OpaqueString: control character U+%04X at byte %d is not allowed",
          cp, start));
    }
    if (IsNonAsciiSpace(cp)) {
      out.push_back(' ');
    } else {
      out.append(input.data() + start, i - start);
    }
  }
  return out;
}

}  // namespace pinhole::stun
