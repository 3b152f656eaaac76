// Helpers shared by the typed attribute codecs.
#ifndef PINHOLE_STUN_ATTRIBUTE_CODEC_H_
#define PINHOLE_STUN_ATTRIBUTE_CODEC_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pinhole::stun {

// OK when `value` has exactly `expected` bytes; otherwise an InvalidArgument
// error naming the attribute.
absl::Status CheckLength(uint16_t type, absl::Span<const uint8_t> value,
                         size_t expected);

// An InvalidArgument error "ATTRIBUTE-NAME: what".
absl::Status AttributeError(uint16_t type, absl::string_view what);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_ATTRIBUTE_CODEC_H_
