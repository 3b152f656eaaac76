// The PRECIS OpaqueString profile (RFC 8265 §4.2), which STUN applies to
// passwords and realms before they key MESSAGE-INTEGRITY (RFC 8489 §9.1.1,
// §9.2.2, §14.3).
//
// What is applied: the input must be non-empty, well-formed UTF-8 without
// control characters (U+0000-U+001F, U+007F-U+009F) or surrogates; non-ASCII
// space separators (Unicode category Zs) map to U+0020; case and width are
// preserved. What is not: Unicode normalisation form C, which needs Unicode
// tables Pinhole does not carry. Every ASCII string, and every string already
// in NFC (what keyboards and browsers produce), is processed exactly.
#ifndef PINHOLE_STUN_OPAQUE_STRING_H_
#define PINHOLE_STUN_OPAQUE_STRING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pinhole::stun {

absl::StatusOr<std::string> PrepareOpaqueString(absl::string_view input);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// The number of characters (code points) in well-formed UTF-8 `text`.
size_t Utf8Length(absl::string_view text);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_OPAQUE_STRING_H_
