// `EmbeddedTextproto`: a text-format file compiled into the binary by
// embed_textprotos.sh (presets of NATs and firewalls are data, shipped inside
// the program so no run depends on the working directory).
#ifndef PINHOLE_SIM_NAT_EMBEDDED_TEXTPROTO_H_
#define PINHOLE_SIM_NAT_EMBEDDED_TEXTPROTO_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pinhole::sim {

struct EmbeddedTextproto {
  absl::string_view name;  // The file's base name without extension.
  absl::string_view text;  // The whole file.
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_EMBEDDED_TEXTPROTO_H_
