#include "net/time.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace pinhole::net {

Duration Duration::FromAbsl(absl::Duration d) {
  if (d == absl::InfiniteDuration()) {
    return Nanoseconds(std::numeric_limits<int64_t>::max());
  }
  if (d == -absl::InfiniteDuration()) {
    return Nanoseconds(std::numeric_limits<int64_t>::min());
  }
  // ToInt64Nanoseconds truncates towards zero and saturates at the int64 range.
  return Nanoseconds(absl::ToInt64Nanoseconds(d));
}

std::string Duration::ToString() const {
  return absl::FormatDuration(ToAbsl());
}

std::string Time::ToString() const {
  // Split into whole seconds and a non-negative nanosecond part, so instants
  // before the epoch read as "-0.500000000" rather than "0.-500000000".
  const bool negative = ns_ < 0;
  // Negating in uint64 keeps INT64_MIN well defined.
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(ns_) : static_cast<uint64_t>(ns_);
  return absl::StrFormat("%s%d.%09d", negative ? "-" : "",
                         magnitude / 1000'000'000, magnitude % 1000'000'000);
}

}  // namespace pinhole::net
