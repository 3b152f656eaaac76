#include "stun/attribute_codec.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stun/attribute_type.h"

namespace pinhole::stun {

absl::Status CheckLength(uint16_t type, absl::Span<const uint8_t> value,
                         size_t expected) {
  if (value.size() == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat("%s: %d bytes, must be %d",
                                                    AttributeTypeName(type),
                                                    value.size(), expected));
}

absl::Status AttributeError(uint16_t type, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(AttributeTypeName(type), ": ", what));
}

}  // namespace pinhole::stun
