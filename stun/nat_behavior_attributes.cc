#include "stun/nat_behavior_attributes.h"

#include "absl/strings/str_format.h"
#include "stun/attribute_codec.h"
#include "stun/byte_io.h"

namespace pinhole::stun {

absl::StatusOr<ChangeRequest> ChangeRequest::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  absl::Status status = CheckLength(kType, value, 4);
  if (!status.ok()) return status;
  return ChangeRequest{(value[3] & kChangeIpFlag) != 0,
                       (value[3] & kChangePortFlag) != 0};
}

void ChangeRequest::AppendTo(MessageBuilder& builder) const {
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, 4);
  if (out.empty()) return;
  out[3] = static_cast<uint8_t>((change_ip ? kChangeIpFlag : 0) |
                                (change_port ? kChangePortFlag : 0));
}

absl::StatusOr<ResponsePort> ResponsePort::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  if (value.size() != 4 && value.size() != 2) {
    return AttributeError(kType,
                          absl::StrFormat("%d bytes, must be 4", value.size()));
  }
  return ResponsePort{LoadBe16(value.data())};
}

void ResponsePort::AppendTo(MessageBuilder& builder) const {
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, 4);
  if (out.empty()) return;
  StoreBe16(out.data(), port);
}

absl::StatusOr<Padding> Padding::Decode(absl::Span<const uint8_t> value,
                                        const MessageView& /*message*/) {
  return Padding{value.size()};
}

void Padding::AppendTo(MessageBuilder& builder) const {
  builder.AppendAttribute(kType, length);
}

}  // namespace pinhole::stun
