#include "sim/nat/nat_presets.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_preset_texts.h"
#include "sim/nat/nat_settings.h"
#include "sim/nat/textproto.h"

namespace pinhole::sim {

absl::StatusOr<NatBehavior> NatPreset(absl::string_view name) {
  NatBehavior behavior;
  if (absl::Status s = ParsePreset("NAT", NatPresetTexts(), name, behavior);
      !s.ok()) {
    return s;
  }
  if (absl::StatusOr<NatSettings> settings = ResolveNatBehavior(behavior);
      !settings.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("NAT preset ", name, ": ", settings.status().message()));
  }
  return behavior;
}

std::vector<std::string> NatPresetNames() {
  return PresetNames(NatPresetTexts());
}

}  // namespace pinhole::sim
