#include "stun/channel_data.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "stun/byte_io.h"
#include "stun/message.h"
#include "stun/turn_attributes.h"

namespace pinhole::stun {
namespace {

constexpr uint16_t kMinReservedChannel = 0x5000;
constexpr uint16_t kMaxReservedChannel = 0x7FFF;

absl::Status CheckChannel(uint16_t channel) {
  if (IsValidChannelNumber(channel)) return absl::OkStatus();
  if (channel >= kMinReservedChannel && channel <= kMaxReservedChannel) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "ChannelData channel number 0x%04X is reserved (RFC 8656 §12: "
        "0x5000-0x7FFF); channels are 0x4000-0x4FFF",
        channel));
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "0x%04X is not a ChannelData channel number (0x4000-0x4FFF)", channel));
}

}  // namespace

absl::StatusOr<ChannelDataView> ParseChannelData(
    absl::Span<const uint8_t> datagram) {
  const size_t size = datagram.size();
  if (size < kChannelDataHeaderSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "ChannelData of %d bytes is shorter than its 4-byte header", size));
  }
  const uint16_t channel = LoadBe16(datagram.data());
  absl::Status status = CheckChannel(channel);
  if (!status.ok()) return status;
  const size_t length = LoadBe16(datagram.data() + 2);
  const size_t after_header = size - kChannelDataHeaderSize;
  if (length > after_header) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "ChannelData length field says %d bytes of data, but only %d follow "
        "the header",
        length, after_header));
  }
  const size_t trailing = after_header - length;
  const size_t padding = ChannelDataSize(length, /*padded=*/true) -
                         ChannelDataSize(length, /*padded=*/false);
  if (trailing != 0 && trailing != padding) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "ChannelData has %d bytes after its %d bytes of data; padding to a "
        "multiple of 4 allows 0 or %d",
        trailing, length, padding));
  }
  return ChannelDataView{channel,
                         datagram.subspan(kChannelDataHeaderSize, length)};
}

absl::Status AppendChannelData(uint16_t channel, absl::Span<const uint8_t> data,
                               bool pad, std::vector<uint8_t>* out) {
  absl::Status status = CheckChannel(channel);
  if (!status.ok()) return status;
  if (data.size() > kMaxChannelDataLength) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "ChannelData of %d bytes of data is over the 65535 its 16-bit length "
        "field can say",
        data.size()));
  }
  const size_t start = out->size();
  // resize() value-initializes: the header is overwritten below, the padding
  // stays zero.
  out->resize(start + ChannelDataSize(data.size(), pad));
  uint8_t* const p = out->data() + start;
  StoreBe16(p, channel);
  StoreBe16(p + 2, static_cast<uint16_t>(data.size()));
  if (!data.empty()) {
    std::memcpy(p + kChannelDataHeaderSize, data.data(), data.size());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> SerializeChannelData(
    uint16_t channel, absl::Span<const uint8_t> data, bool pad) {
  std::vector<uint8_t> out;
  // Reserve only for data that fits: an oversized request fails below without
  // allocating.
  if (data.size() <= kMaxChannelDataLength) {
    out.reserve(ChannelDataSize(data.size(), pad));
  }
  absl::Status status = AppendChannelData(channel, data, pad, &out);
  if (!status.ok()) return status;
  return out;
}

std::optional<size_t> FrameSize(absl::Span<const uint8_t> prefix) {
  if (prefix.size() < 4) return std::nullopt;
  const uint8_t first = prefix[0];
  if (first <= 0x03) return StunMessageSizeFromHeader(prefix);
  if ((first & 0xF0) == 0x40) {
    return ChannelDataSize(LoadBe16(prefix.data() + 2), /*padded=*/true);
  }
  return std::nullopt;
}

size_t StreamFramer::Append(absl::Span<const uint8_t> bytes) {
  if (!status_.ok()) return bytes.size();
  const size_t take = std::min(bytes.size(), kMaxBufferedBytes - buffered());
  if (take == 0) return 0;
  if (read_ > 0 &&
      (read_ >= buffered() || buffer_.size() + take > kMaxBufferedBytes)) {
    Compact();
  }
  const size_t needed = buffer_.size() + take;
  if (needed > buffer_.capacity()) {
    // Grow geometrically, but never past the cap: the vector's own growth
    // could double past it.
    buffer_.reserve(
        std::min(kMaxBufferedBytes, std::max(needed, 2 * buffer_.capacity())));
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.begin() + take);
  return take;
}

void StreamFramer::Compact() {
  const size_t unread = buffered();
  if (unread > 0) {
    std::memmove(buffer_.data(), buffer_.data() + read_, unread);
  }
  buffer_.resize(unread);
  read_ = 0;
}

absl::StatusOr<std::optional<Frame>> StreamFramer::Next() {
  if (!status_.ok()) return status_;
  const absl::Span<const uint8_t> unread =
      absl::MakeConstSpan(buffer_).subspan(read_);
  if (unread.empty()) return std::nullopt;
  const uint8_t first = unread[0];
  FrameKind kind;
  if (first <= 0x03) {
    kind = FrameKind::kStun;
  } else if ((first & 0xF0) == 0x40) {
    kind = FrameKind::kChannelData;
  } else if (first >= 0x50 && first <= 0x7F) {
    status_ = absl::InvalidArgumentError(absl::StrFormat(
        "TURN stream lost its framing: first byte 0x%02X begins a reserved "
        "channel number (RFC 8656 §12: 0x5000-0x7FFF)",
        first));
    return status_;
  } else {
    status_ = absl::InvalidArgumentError(absl::StrFormat(
        "TURN stream lost its framing: first byte 0x%02X begins neither a "
        "STUN message (0x00-0x03) nor ChannelData (0x40-0x4F)",
        first));
    return status_;
  }
  // Both headers start with 4 bytes that say the frame's size.
  if (unread.size() < 4) return std::nullopt;
  const size_t length = LoadBe16(unread.data() + 2);
  const size_t message_size = kind == FrameKind::kStun
                                  ? kHeaderSize + length
                                  : kChannelDataHeaderSize + length;
  const size_t stream_size = kind == FrameKind::kStun
                                 ? message_size
                                 : ChannelDataSize(length, /*padded=*/true);
  if (unread.size() < stream_size) return std::nullopt;
  // Only Append() moves bytes, so the frame stays valid until then.
  read_ += stream_size;
  return Frame{kind, unread.first(message_size)};
}

}  // namespace pinhole::stun
