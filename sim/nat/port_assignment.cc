#include "sim/nat/port_assignment.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "net/random.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_settings.h"

namespace pinhole::sim {
namespace {

// The candidate ports: `count` ports `first`, `first + step`, ...
struct Candidates {
  uint32_t first = 0;
  uint32_t step = 1;
  uint32_t count = 0;

  uint16_t At(uint32_t index) const {
    return static_cast<uint16_t>(first + step * index);
  }
  // The index of the first candidate at or above `port` (0 past the end).
  uint32_t IndexAtOrAbove(uint32_t port) const {
    if (port <= first) return 0;
    const uint32_t index = (port - first + step - 1) / step;
    return index < count ? index : 0;
  }
};

Candidates CandidatesFor(const NatSettings& settings, uint16_t internal_port) {
  uint32_t low = settings.port_min;
  uint32_t high = settings.port_max;
  if (settings.keep_port_class) {
    // RFC 4787 §4.2.1 REQ-3: 0-1023 to 1-1023, 1024-65535 to 1024-65535.
    const uint32_t class_low = internal_port < 1024 ? 1 : 1024;
    const uint32_t class_high = internal_port < 1024 ? 1023 : 65535;
    const uint32_t clipped_low = std::max(low, class_low);
    const uint32_t clipped_high = std::min(high, class_high);
    if (clipped_low <= clipped_high) {
      low = clipped_low;
      high = clipped_high;
    }
  }
  Candidates c;
  c.first = low;
  if (settings.preserve_port_parity) {
    c.step = 2;
    if ((c.first & 1u) != (internal_port & 1u)) ++c.first;
    c.count = c.first <= high ? (high - c.first) / 2 + 1 : 0;
  } else {
    c.count = high - low + 1;
  }
  return c;
}

// The first free candidate at or after index `start`, wrapping.
std::optional<uint16_t> ScanFrom(const Candidates& c, uint32_t start,
                                 absl::FunctionRef<bool(uint16_t)> is_free) {
  for (uint32_t i = 0; i < c.count; ++i) {
    const uint16_t port = c.At((start + i) % c.count);
    if (is_free(port)) return port;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint16_t> AssignPort(const NatSettings& settings,
                                   uint16_t internal_port,
                                   uint16_t& next_sequential,
                                   net::Random& random,
                                   absl::FunctionRef<bool(uint16_t)> is_free) {
  const Candidates candidates = CandidatesFor(settings, internal_port);
  if (candidates.count == 0) return std::nullopt;
  NatBehavior::PortAssignment mode = settings.port_assignment;
  if (mode == NatBehavior::PORT_PRESERVATION) {
    if (internal_port >= settings.port_min &&
        internal_port <= settings.port_max && is_free(internal_port)) {
      return internal_port;
    }
    mode = settings.preservation_fallback;
  }
  if (mode == NatBehavior::PORT_RANDOM) {
    const uint32_t start =
        static_cast<uint32_t>(random.Uniform(candidates.count));
    return ScanFrom(candidates, start, is_free);
  }
  const std::optional<uint16_t> port =
      ScanFrom(candidates, candidates.IndexAtOrAbove(next_sequential), is_free);
  if (port.has_value()) next_sequential = static_cast<uint16_t>(*port + 1);
  return port;
}

}  // namespace pinhole::sim
