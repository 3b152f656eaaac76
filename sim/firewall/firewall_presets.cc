#include "sim/firewall/firewall_presets.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "sim/firewall/firewall.h"
#include "sim/firewall/firewall_policy.pb.h"
#include "sim/firewall/firewall_preset_texts.h"
#include "sim/nat/textproto.h"

namespace pinhole::sim {

absl::StatusOr<FirewallPolicy> FirewallPreset(absl::string_view name) {
  FirewallPolicy policy;
  if (absl::Status s =
          ParsePreset("firewall", FirewallPresetTexts(), name, policy);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateFirewallPolicy(policy); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("firewall preset ", name, ": ", s.message()));
  }
  return policy;
}

std::vector<std::string> FirewallPresetNames() {
  return PresetNames(FirewallPresetTexts());
}

}  // namespace pinhole::sim
