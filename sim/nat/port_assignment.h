// `AssignPort`: the external port of a new NAT mapping, chosen as RFC 4787
// §4.2 describes (preservation, sequential or random; parity; range; the REQ-3
// port classes). It decides nothing about which ports are taken: the caller's
// `is_free` says that.
#ifndef PINHOLE_SIM_NAT_PORT_ASSIGNMENT_H_
#define PINHOLE_SIM_NAT_PORT_ASSIGNMENT_H_

#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "net/random.h"
#include "sim/nat/nat_settings.h"

namespace pinhole::sim {

// Returns a port `p` in the settings' range for which `is_free(p)` holds, or
// nullopt when none does.
//
// - Preservation returns `internal_port` when it is in range and free, and
//   otherwise falls back to sequential or random.
// - Sequential scans upward from `next_sequential` (wrapping inside the range)
//   and leaves `next_sequential` just after the port it returns. Pass the same
//   cursor for every assignment on one external address and protocol; 0 means
//   "start of the range".
// - Random draws one index uniformly among the candidate ports and, if that
//   port is taken, scans upward from it.
// - With parity preservation only ports of `internal_port`'s parity are
//   candidates; with `keep_port_class` only those of its REQ-3 class.
std::optional<uint16_t> AssignPort(const NatSettings& settings,
                                   uint16_t internal_port,
                                   uint16_t& next_sequential,
                                   net::Random& random,
                                   absl::FunctionRef<bool(uint16_t)> is_free);

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_PORT_ASSIGNMENT_H_
