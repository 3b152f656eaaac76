#include "sim/firewall/firewall_presets.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "sim/firewall/firewall.h"
#include "sim/firewall/firewall_policy.pb.h"
#include "sim/firewall/firewall_preset_texts.h"
#include "sim/nat/embedded_textproto.h"
#include "sim/nat/textproto.h"

namespace pinhole::sim {

absl::StatusOr<FirewallPolicy> FirewallPreset(absl::string_view name) {
  for (const EmbeddedTextproto& preset : FirewallPresetTexts()) {
    if (preset.name != name) continue;
    FirewallPolicy policy;
    if (absl::Status s = ParseTextproto(absl::StrCat("firewall preset ", name),
                                        preset.text, policy);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ValidateFirewallPolicy(policy); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("firewall preset ", name, ": ", s.message()));
    }
    return policy;
  }
  return absl::NotFoundError(
      absl::StrCat("no firewall preset called \"", name, "\"; the presets are ",
                   absl::StrJoin(FirewallPresetNames(), ", ")));
}

std::vector<std::string> FirewallPresetNames() {
  std::vector<std::string> names;
  for (const EmbeddedTextproto& preset : FirewallPresetTexts()) {
    names.emplace_back(preset.name);
  }
  return names;
}

}  // namespace pinhole::sim
