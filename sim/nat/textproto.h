// `ParseTextproto`: text format into a message, with errors that name the
// source and the line and column, e.g. "preset full_cone:3:1: ...".
#ifndef PINHOLE_SIM_NAT_TEXTPROTO_H_
#define PINHOLE_SIM_NAT_TEXTPROTO_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace pinhole::sim {

// Parses `text` into `message` (cleared first). `source` names the text in
// errors. Unknown fields are errors.
absl::Status ParseTextproto(absl::string_view source, absl::string_view text,
                            google::protobuf::Message& message);

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_TEXTPROTO_H_
