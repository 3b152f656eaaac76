// TURN ChannelData messages (RFC 8656 §12.4, §12.5) and the framing of a TURN
// stream (TCP, TLS) that carries STUN messages and ChannelData back to back.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Channel Number        |            Length             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   /                       Application Data                        /
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The length counts the application data only, never the padding. RFC 8656
// §12.5: "Over TCP and TLS-over-TCP, the ChannelData message MUST be padded to
// a multiple of four bytes"; over UDP the padding "is not required but MAY be
// included". Padding bytes are not checked: nothing says what they hold.
//
// Channel numbers 0x4000-0x4FFF are the ones a client may bind; 0x5000-0x7FFF
// are reserved (RFC 8656 §12) and every other value is not ChannelData at all.
//
// Parsing is zero-copy and never allocates; all inputs are untrusted and
// bounds-checked.
#ifndef PINHOLE_STUN_CHANNEL_DATA_H_
#define PINHOLE_STUN_CHANNEL_DATA_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stun/byte_io.h"
#include "stun/message.h"

namespace pinhole::stun {

inline constexpr size_t kChannelDataHeaderSize = 4;
// The length field is 16 bits.
inline constexpr size_t kMaxChannelDataLength = 0xFFFF;

// The bytes a ChannelData message with `data_length` bytes of data takes:
// 4 + data_length, rounded up to a multiple of 4 when `padded`.
constexpr size_t ChannelDataSize(size_t data_length, bool padded) {
  const size_t size = kChannelDataHeaderSize + data_length;
  return padded ? PaddedLength(size) : size;
}

// A parsed ChannelData message. `data` views the caller's buffer, which must
// outlive it.
struct ChannelDataView {
  uint16_t channel = 0;
  absl::Span<const uint8_t> data;  // Without padding.
};

// Parses one ChannelData message: a whole UDP datagram, or a frame that
// StreamFramer cut from a stream. `datagram` must hold the 4-byte header, a
// channel number in 0x4000-0x4FFF, the data the length field announces, and
// then either nothing or exactly the padding up to the next multiple of 4.
// Errors are InvalidArgument with a message naming the problem.
absl::StatusOr<ChannelDataView> ParseChannelData(
    absl::Span<const uint8_t> datagram);

// A ChannelData message for `channel` carrying `data`, padded with zeros to a
// multiple of 4 when `pad` (required on TCP and TLS, optional on UDP).
// InvalidArgument when the channel number is outside 0x4000-0x4FFF or the
// data is over 65535 bytes.
absl::StatusOr<std::vector<uint8_t>> SerializeChannelData(
    uint16_t channel, absl::Span<const uint8_t> data, bool pad);

// The same message, appended to `out` (whose existing bytes are kept): a
// caller that reuses one buffer with enough capacity never reallocates. On
// error `out` is unchanged.
absl::Status AppendChannelData(uint16_t channel, absl::Span<const uint8_t> data,
                               bool pad, std::vector<uint8_t>* out);

// --- Streams (RFC 8656 §12.5, RFC 8489 §6.2.2).

// The largest frame a TURN stream can carry: a STUN message with a 16-bit
// length (20 + 65535 bytes). A padded ChannelData message takes at most
// 4 + 65535 + 1 = 65540 bytes.
inline constexpr size_t kMaxStreamFrameSize = kMaxMessageSize;

// The number of stream bytes taken by the frame that begins `prefix`: 20 +
// length for a STUN message (first byte 0-3), 4 + length rounded up to a
// multiple of 4 for ChannelData (first byte 0x40-0x4F; padding included).
// nullopt when `prefix` has fewer than 4 bytes, or begins neither (the
// reserved channels 0x5000-0x7FFF included).
std::optional<size_t> FrameSize(absl::Span<const uint8_t> prefix);

enum class FrameKind : uint8_t { kStun, kChannelData };

// One frame cut from a stream. `bytes` is exactly the message: 20 + length
// bytes for STUN (give it to MessageView::Parse), 4 + length for ChannelData,
// without the padding (give it to ParseChannelData).
struct Frame {
  FrameKind kind = FrameKind::kStun;
  absl::Span<const uint8_t> bytes;
};

// `StreamFramer`: cuts a TURN stream into STUN messages and ChannelData
// messages. Sans-IO: the caller feeds the bytes it received and drains frames.
//
//   while (!received.empty()) {
//     received.remove_prefix(framer.Append(received));
//     while (true) {
//       absl::StatusOr<std::optional<Frame>> frame = framer.Next();
//       if (!frame.ok()) return CloseConnection(frame.status());
//       if (!frame->has_value()) break;  // Needs more bytes.
//       Handle(**frame);
//     }
//   }
//
// Memory is bounded: the framer never holds more than kMaxBufferedBytes
// (one largest frame, 65555 bytes), whatever the peer sends. Append() takes
// only what fits; after Next() has returned nullopt there is always room for
// at least one more byte, so the loop above always makes progress.
//
// Consumed bytes are not erased one frame at a time (which would cost
// O(n^2) on a long stream of small frames): the framer keeps a read offset and
// moves the unread tail to the front only when the consumed part is at least
// as large as it, or when room is needed, so each byte is moved O(1) times.
//
// Errors are final: a stream whose next byte begins neither a STUN message
// (0-3) nor ChannelData (0x40-0x4F) has lost its framing, and the connection
// must be closed. Next() keeps returning the same error and Append() discards
// what it is given.
class StreamFramer {
 public:
  static constexpr size_t kMaxBufferedBytes = kMaxStreamFrameSize;

  StreamFramer() = default;
  StreamFramer(const StreamFramer&) = delete;
  StreamFramer& operator=(const StreamFramer&) = delete;

  // Buffers a prefix of `bytes`, as much as fits in kMaxBufferedBytes less the
  // bytes still unread, and returns its size. Invalidates the bytes of frames
  // returned so far. After an error, takes (and drops) everything.
  [[nodiscard]] size_t Append(absl::Span<const uint8_t> bytes);

  // The next complete frame; nullopt when more bytes are needed; an
  // InvalidArgument error when the stream cannot be framed any more. The
  // frame's bytes stay valid until the next call to Append().
  absl::StatusOr<std::optional<Frame>> Next();

  // Bytes received and not yet returned in a frame.
  size_t buffered() const { return buffer_.size() - read_; }

 private:
  void Compact();

  std::vector<uint8_t> buffer_;
  size_t read_ = 0;  // Offset in buffer_ of the first unread byte.
  absl::Status status_;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_CHANNEL_DATA_H_
