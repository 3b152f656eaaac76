#include "sim/nat/nat_presets.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "sim/nat/embedded_textproto.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_preset_texts.h"
#include "sim/nat/nat_settings.h"
#include "sim/nat/textproto.h"

namespace pinhole::sim {

absl::StatusOr<NatBehavior> NatPreset(absl::string_view name) {
  for (const EmbeddedTextproto& preset : NatPresetTexts()) {
    if (preset.name != name) continue;
    NatBehavior behavior;
    if (absl::Status s = ParseTextproto(absl::StrCat("NAT preset ", name),
                                        preset.text, behavior);
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
  return absl::NotFoundError(
      absl::StrCat("no NAT preset called \"", name, "\"; the presets are ",
                   absl::StrJoin(NatPresetNames(), ", ")));
}

std::vector<std::string> NatPresetNames() {
  std::vector<std::string> names;
  for (const EmbeddedTextproto& preset : NatPresetTexts()) {
    names.emplace_back(preset.name);
  }
  return names;
}

}  // namespace pinhole::sim
