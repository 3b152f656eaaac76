// `ParseTextproto`: text format into a message, with errors that name the
// source and the line and column, e.g. "preset full_cone:3:1: ...".
// `ParsePreset` and `PresetNames`: the lookup every family of embedded
// presets (NATs, firewalls) shares.
#ifndef PINHOLE_SIM_NAT_TEXTPROTO_H_
#define PINHOLE_SIM_NAT_TEXTPROTO_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "sim/nat/embedded_textproto.h"

namespace pinhole::sim {

// Parses `text` into `message` (cleared first). `source` names the text in
// errors. Unknown fields are errors. With `locations`, records where each
// field was, for errors found after parsing.
absl::Status ParseTextproto(
    absl::string_view source, absl::string_view text,
    google::protobuf::Message& message,
    google::protobuf::TextFormat::ParseInfoTree* locations = nullptr);

// Parses the preset called `name` among `presets` into `message`. `kind`
// ("NAT", "firewall") names the family in errors; NotFound lists the names
// there are.
absl::Status ParsePreset(absl::string_view kind,
                         absl::Span<const EmbeddedTextproto> presets,
                         absl::string_view name,
                         google::protobuf::Message& message);

// The presets' names, in their order.
std::vector<std::string> PresetNames(
    absl::Span<const EmbeddedTextproto> presets);

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_TEXTPROTO_H_
