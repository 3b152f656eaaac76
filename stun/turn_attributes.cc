#include "stun/turn_attributes.h"

#include <cstring>

#include "absl/strings/str_format.h"
#include "stun/attribute_codec.h"
#include "stun/byte_io.h"

namespace pinhole::stun {

absl::StatusOr<ChannelNumber> ChannelNumber::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  absl::Status status = CheckLength(kType, value, 4);
  if (!status.ok()) return status;
  return ChannelNumber{LoadBe16(value.data())};
}

void ChannelNumber::AppendTo(MessageBuilder& builder) const {
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, 4);
  if (!out.empty()) StoreBe16(out.data(), number);
}

absl::StatusOr<Data> Data::Decode(absl::Span<const uint8_t> value,
                                  const MessageView& /*message*/) {
  return Data{value};
}

void Data::AppendTo(MessageBuilder& builder) const {
  builder.AddRaw(kType, value);
}

absl::StatusOr<EvenPort> EvenPort::Decode(absl::Span<const uint8_t> value,
                                          const MessageView& /*message*/) {
  absl::Status status = CheckLength(kType, value, 1);
  if (!status.ok()) return status;
  return EvenPort{(value[0] & 0x80) != 0};
}

void EvenPort::AppendTo(MessageBuilder& builder) const {
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, 1);
  if (!out.empty()) out[0] = reserve_next ? 0x80 : 0x00;
}

absl::StatusOr<RequestedTransport> RequestedTransport::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  absl::Status status = CheckLength(kType, value, 4);
  if (!status.ok()) return status;
  return RequestedTransport{value[0]};
}

void RequestedTransport::AppendTo(MessageBuilder& builder) const {
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, 4);
  if (!out.empty()) out[0] = protocol;
}

absl::StatusOr<Icmp> Icmp::Decode(absl::Span<const uint8_t> value,
                                  const MessageView& /*message*/) {
  absl::Status status = CheckLength(kType, value, 8);
  if (!status.ok()) return status;
  const uint16_t type_and_code = LoadBe16(value.data() + 2);
  return Icmp{static_cast<uint8_t>(type_and_code >> 9),
              static_cast<uint16_t>(type_and_code & 0x01FF),
              LoadBe32(value.data() + 4)};
}

void Icmp::AppendTo(MessageBuilder& builder) const {
  if (icmp_type > 127 || icmp_code > 511) {
    return builder.Fail(AttributeError(
        kType, absl::StrFormat("type %d / code %d exceed 7 / 9 bits", icmp_type,
                               icmp_code)));
  }
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, 8);
  if (out.empty()) return;
  StoreBe16(out.data() + 2,
            static_cast<uint16_t>((icmp_type << 9) | icmp_code));
  StoreBe32(out.data() + 4, error_data);
}

}  // namespace pinhole::stun
