// Fuzz target: ChannelData parsing and TURN stream framing on arbitrary bytes.
//
// 1. The input as a UDP datagram: ParseChannelData either rejects it or
//    returns a view inside it; what it accepts must serialize back (padded
//    when the input was) to a message that parses to the same channel and
//    data, and byte for byte to the input when unpadded.
// 2. The input as a TURN stream, fed to a StreamFramer in chunks whose sizes
//    the input's own bytes pick: every frame is a STUN message that
//    MessageView::Parse accepts or rejects cleanly, or ChannelData that
//    ParseChannelData accepts; frames and leftover bytes account for every
//    byte; the buffer never passes its cap.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stun/channel_data.h"
#include "stun/message.h"

namespace {

using ::pinhole::stun::ChannelDataView;
using ::pinhole::stun::Frame;
using ::pinhole::stun::FrameKind;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "channel_data_fuzzer: %s\n", what);
  std::abort();
}

bool Same(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

void CheckDatagram(absl::Span<const uint8_t> input) {
  const absl::StatusOr<ChannelDataView> parsed =
      pinhole::stun::ParseChannelData(input);
  if (!parsed.ok()) return;
  if (parsed->data.data() != input.data() + 4) Fail("data not after header");
  const bool padded = input.size() != 4 + parsed->data.size();
  const absl::StatusOr<std::vector<uint8_t>> bytes =
      pinhole::stun::SerializeChannelData(parsed->channel, parsed->data,
                                          padded);
  if (!bytes.ok()) Fail("accepted message does not serialize");
  if (bytes->size() != input.size()) Fail("re-serialized size differs");
  if (!padded && !Same(*bytes, input)) Fail("re-serialized bytes differ");
  if (!Same(absl::MakeConstSpan(*bytes).first(4 + parsed->data.size()),
            input.first(4 + parsed->data.size()))) {
    Fail("re-serialized header or data differ");
  }
  const absl::StatusOr<ChannelDataView> reparsed =
      pinhole::stun::ParseChannelData(*bytes);
  if (!reparsed.ok()) Fail("re-serialized message does not parse");
  if (reparsed->channel != parsed->channel ||
      !Same(reparsed->data, parsed->data)) {
    Fail("round trip changed the message");
  }
}

// Checks one frame; returns the stream bytes it took.
size_t CheckFrame(const Frame& frame) {
  const std::optional<size_t> stream_size =
      pinhole::stun::FrameSize(frame.bytes);
  if (!stream_size.has_value()) Fail("frame without a FrameSize");
  if (frame.kind == FrameKind::kStun) {
    if (*stream_size != frame.bytes.size()) Fail("STUN frame size differs");
    // Any verdict is fine; it must not crash.
    const absl::StatusOr<pinhole::stun::MessageView> message =
        pinhole::stun::MessageView::Parse(frame.bytes);
    if (message.ok() && message->size() != frame.bytes.size()) {
      Fail("parsed STUN size differs from the frame");
    }
  } else {
    const absl::StatusOr<ChannelDataView> parsed =
        pinhole::stun::ParseChannelData(frame.bytes);
    if (!parsed.ok()) Fail("ChannelData frame does not parse");
    if (frame.bytes.size() != 4 + parsed->data.size()) {
      Fail("ChannelData frame carries padding");
    }
    if (*stream_size < frame.bytes.size() || *stream_size % 4 != 0 ||
        *stream_size - frame.bytes.size() > 3) {
      Fail("ChannelData stream size is not the padded size");
    }
  }
  return *stream_size;
}

void CheckStream(absl::Span<const uint8_t> input) {
  pinhole::stun::StreamFramer framer;
  size_t appended = 0;
  size_t framed = 0;
  size_t chunk_index = 0;
  absl::Span<const uint8_t> rest = input;
  while (!rest.empty()) {
    const size_t want = 1 + input[chunk_index++ % input.size()] % 97;
    absl::Span<const uint8_t> chunk = rest.first(std::min(want, rest.size()));
    rest.remove_prefix(chunk.size());
    while (!chunk.empty()) {
      const size_t taken = framer.Append(chunk);
      chunk.remove_prefix(taken);
      appended += taken;
      if (framer.buffered() > pinhole::stun::StreamFramer::kMaxBufferedBytes) {
        Fail("buffer over its cap");
      }
      while (true) {
        const absl::StatusOr<std::optional<Frame>> frame = framer.Next();
        if (!frame.ok()) return;  // The connection would be closed.
        if (!frame->has_value()) break;
        framed += CheckFrame(**frame);
      }
      if (taken == 0 && !chunk.empty()) Fail("no progress after draining");
    }
  }
  if (framed + framer.buffered() != appended) Fail("bytes unaccounted for");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Span<const uint8_t> input(data, size);
  CheckDatagram(input);
  CheckStream(input);
  return 0;
}
