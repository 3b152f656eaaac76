// Named firewall presets, as data: sim/firewall/presets/*.textproto, compiled
// into the binary. "open", "block_udp", "block_inbound", "web_only".
#ifndef PINHOLE_SIM_FIREWALL_FIREWALL_PRESETS_H_
#define PINHOLE_SIM_FIREWALL_FIREWALL_PRESETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sim/firewall/firewall_policy.pb.h"

namespace pinhole::sim {

// The preset called `name`, parsed and validated; NotFound, listing the
// names, for an unknown one.
absl::StatusOr<FirewallPolicy> FirewallPreset(absl::string_view name);

// Every preset name, sorted.
std::vector<std::string> FirewallPresetNames();

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_FIREWALL_FIREWALL_PRESETS_H_
