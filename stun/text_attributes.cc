#include "stun/text_attributes.h"

#include "absl/strings/str_format.h"
#include "stun/attribute_codec.h"
#include "stun/opaque_string.h"

namespace pinhole::stun {

absl::Status CheckText(uint16_t type, absl::string_view text, size_t max_bytes,
                       const TextLimits& limits) {
  if (text.empty() && !limits.allow_empty) {
    return AttributeError(type, "must not be empty");
  }
  if (text.size() > max_bytes) {
    return AttributeError(type, absl::StrFormat("%d bytes, at most %d allowed",
                                                text.size(), max_bytes));
  }
  if (!IsValidUtf8(text)) return AttributeError(type, "not valid UTF-8");
  if (limits.max_characters != 0 && Utf8Length(text) > limits.max_characters) {
    return AttributeError(
        type, absl::StrFormat("%d characters, at most %d allowed",
                              Utf8Length(text), limits.max_characters));
  }
  return absl::OkStatus();
}

}  // namespace pinhole::stun
