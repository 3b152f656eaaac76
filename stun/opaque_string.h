// PRECIS (RFC 8264) as STUN uses it: the OpaqueString profile (RFC 8265
// §4.2), applied to passwords and realms before they key MESSAGE-INTEGRITY
// (RFC 8489 §9.1.1, §9.2.2) and to usernames and realms before USERHASH
// (§14.4).
//
// The string is mapped (non-ASCII spaces to U+0020), normalised to NFC, and
// must then belong to the FreeformClass: no control characters, default
// ignorable code points (such as U+00AD SOFT HYPHEN), noncharacters, unassigned
// code points, private-use or surrogate code points, old Hangul jamo, and the
// contextual characters of RFC 5892 (ZERO WIDTH (NON-)JOINER, MIDDLE DOT, ...)
// only where their rules allow. The empty string is refused. Unicode data
// comes from ICU.
#ifndef PINHOLE_STUN_OPAQUE_STRING_H_
#define PINHOLE_STUN_OPAQUE_STRING_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pinhole::stun {

// The prepared string, or InvalidArgument naming the first offending code
// point and why it is refused.
absl::StatusOr<std::string> PrepareOpaqueString(absl::string_view input);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// The number of characters (code points) in well-formed UTF-8 `text`.
size_t Utf8Length(absl::string_view text);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_OPAQUE_STRING_H_
