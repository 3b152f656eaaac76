// The text of every NAT preset (presets/*.textproto), compiled in by a genrule.
#ifndef PINHOLE_SIM_NAT_NAT_PRESET_TEXTS_H_
#define PINHOLE_SIM_NAT_NAT_PRESET_TEXTS_H_

#include "absl/types/span.h"
#include "sim/nat/embedded_textproto.h"

namespace pinhole::sim {

// Sorted by name.
absl::Span<const EmbeddedTextproto> NatPresetTexts();

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_NAT_PRESET_TEXTS_H_
