// The text of every firewall preset (presets/*.textproto), compiled in by a
// genrule.
#ifndef PINHOLE_SIM_FIREWALL_FIREWALL_PRESET_TEXTS_H_
#define PINHOLE_SIM_FIREWALL_FIREWALL_PRESET_TEXTS_H_

#include "absl/types/span.h"
#include "sim/nat/embedded_textproto.h"

namespace pinhole::sim {

// Sorted by name.
absl::Span<const EmbeddedTextproto> FirewallPresetTexts();

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_FIREWALL_FIREWALL_PRESET_TEXTS_H_
