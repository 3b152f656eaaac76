// Named NAT presets: common devices as `NatBehavior` data. Each is a textproto
// file under sim/nat/presets/, compiled into the binary; README.md says what
// each one models.
#ifndef PINHOLE_SIM_NAT_NAT_PRESETS_H_
#define PINHOLE_SIM_NAT_NAT_PRESETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sim/nat/nat_behavior.pb.h"

namespace pinhole::sim {

// The preset called `name` ("full_cone", "symmetric", ...), parsed and
// validated. NotFound, listing the names, for an unknown name.
absl::StatusOr<NatBehavior> NatPreset(absl::string_view name);

// Every preset name, sorted.
std::vector<std::string> NatPresetNames();

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_NAT_PRESETS_H_
