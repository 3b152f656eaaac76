#include "stun/channel_data.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/deterministic_random.h"
#include "stun/attributes.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"

namespace pinhole::stun {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<uint8_t> Payload(size_t size, uint8_t seed = 1) {
  std::vector<uint8_t> payload(size);
  for (size_t i = 0; i < size; ++i) {
    payload[i] = static_cast<uint8_t>(seed + i * 7);
  }
  return payload;
}

// A ChannelData message written out by hand: header, data, `trailing` bytes.
std::vector<uint8_t> Raw(uint16_t channel, uint16_t length,
                         absl::Span<const uint8_t> data, size_t trailing = 0) {
  std::vector<uint8_t> bytes = {
      static_cast<uint8_t>(channel >> 8), static_cast<uint8_t>(channel),
      static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
  bytes.insert(bytes.end(), data.begin(), data.end());
  bytes.resize(bytes.size() + trailing, 0xEE);
  return bytes;
}

void ExpectInvalid(absl::Span<const uint8_t> bytes, const std::string& text) {
  absl::StatusOr<ChannelDataView> parsed = ParseChannelData(bytes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr(text));
}

// --- Parse and serialize.

TEST(ChannelData, UdpUnpaddedRoundTrip) {
  const std::vector<uint8_t> data = Payload(5);
  absl::StatusOr<std::vector<uint8_t>> bytes =
      SerializeChannelData(0x4001, data, /*pad=*/false);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, Raw(0x4001, 5, data));
  absl::StatusOr<ChannelDataView> parsed = ParseChannelData(*bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->channel, 0x4001);
  EXPECT_EQ(std::vector<uint8_t>(parsed->data.begin(), parsed->data.end()),
            data);
  // Zero-copy: the data views the input.
  EXPECT_EQ(parsed->data.data(), bytes->data() + 4);
}

TEST(ChannelData, UdpPaddedRoundTrip) {
  const std::vector<uint8_t> data = Payload(5);
  absl::StatusOr<std::vector<uint8_t>> bytes =
      SerializeChannelData(0x4FFF, data, /*pad=*/true);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_EQ(bytes->size(), 12u);
  EXPECT_THAT(absl::MakeConstSpan(*bytes).subspan(9), ElementsAre(0, 0, 0));
  absl::StatusOr<ChannelDataView> parsed = ParseChannelData(*bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->channel, 0x4FFF);
  EXPECT_EQ(parsed->data.size(), 5u);
}

TEST(ChannelData, StreamPaddedBytesExactly) {
  const std::vector<uint8_t> data = {0xAA, 0xBB, 0xCC};
  absl::StatusOr<std::vector<uint8_t>> bytes =
      SerializeChannelData(0x4000, data, /*pad=*/true);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_THAT(*bytes, ElementsAre(0x40, 0x00, 0x00, 0x03, 0xAA, 0xBB, 0xCC, 0));
}

TEST(ChannelData, PaddingForEveryLengthModuloFour) {
  for (size_t length = 0; length <= 9; ++length) {
    SCOPED_TRACE(length);
    const std::vector<uint8_t> data = Payload(length);
    for (bool pad : {false, true}) {
      absl::StatusOr<std::vector<uint8_t>> bytes =
          SerializeChannelData(0x4123, data, pad);
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      EXPECT_EQ(bytes->size(), pad ? (4 + length + 3) / 4 * 4 : 4 + length);
      EXPECT_EQ(bytes->size(), ChannelDataSize(length, pad));
      absl::StatusOr<ChannelDataView> parsed = ParseChannelData(*bytes);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      EXPECT_EQ(parsed->data.size(), length);
    }
  }
}

TEST(ChannelData, ZeroLengthData) {
  for (bool pad : {false, true}) {
    absl::StatusOr<std::vector<uint8_t>> bytes =
        SerializeChannelData(0x4002, {}, pad);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_THAT(*bytes, ElementsAre(0x40, 0x02, 0x00, 0x00));
    absl::StatusOr<ChannelDataView> parsed = ParseChannelData(*bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->channel, 0x4002);
    EXPECT_TRUE(parsed->data.empty());
  }
}

TEST(ChannelData, MaximumLength) {
  const std::vector<uint8_t> data = Payload(kMaxChannelDataLength);
  for (bool pad : {false, true}) {
    absl::StatusOr<std::vector<uint8_t>> bytes =
        SerializeChannelData(0x4ABC, data, pad);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(bytes->size(), pad ? 65540u : 65539u);
    absl::StatusOr<ChannelDataView> parsed = ParseChannelData(*bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->data.size(), 65535u);
    EXPECT_EQ(std::vector<uint8_t>(parsed->data.begin(), parsed->data.end()),
              data);
  }
}

TEST(ChannelData, PaddingBytesAreNotChecked) {
  // RFC 8656 does not say what padding holds; the receiver ignores it.
  const std::vector<uint8_t> bytes = Raw(0x4000, 1, Payload(1), 3);
  absl::StatusOr<ChannelDataView> parsed = ParseChannelData(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->data.size(), 1u);
}

TEST(ChannelData, EveryValidChannelNumberEdge) {
  for (uint16_t channel : {0x4000, 0x4001, 0x4FFE, 0x4FFF}) {
    absl::StatusOr<ChannelDataView> parsed =
        ParseChannelData(Raw(channel, 0, {}));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->channel, channel);
  }
}

// --- Malformed input.

TEST(ChannelDataMalformed, TruncatedHeader) {
  const std::vector<uint8_t> header = {0x40, 0x00, 0x00, 0x00};
  for (size_t size = 0; size < 4; ++size) {
    SCOPED_TRACE(size);
    ExpectInvalid(absl::MakeConstSpan(header).first(size),
                  "shorter than its 4-byte header");
  }
}

TEST(ChannelDataMalformed, LengthOverrunsTheDatagram) {
  ExpectInvalid(Raw(0x4000, 10, Payload(9)),
                "says 10 bytes of data, but only 9 follow");
  ExpectInvalid(Raw(0x4000, 1, {}), "says 1 bytes of data, but only 0 follow");
  ExpectInvalid(Raw(0x4000, 0xFFFF, Payload(100)), "65535");
}

TEST(ChannelDataMalformed, ChannelBelowTheRange) {
  ExpectInvalid(Raw(0x3FFF, 0, {}),
                "0x3FFF is not a ChannelData channel number");
  ExpectInvalid(Raw(0x0001, 0, {}), "0x0001 is not");
}

TEST(ChannelDataMalformed, ReservedChannels) {
  ExpectInvalid(Raw(0x5000, 0, {}), "channel number 0x5000 is reserved");
  ExpectInvalid(Raw(0x7FFF, 0, {}), "channel number 0x7FFF is reserved");
  ExpectInvalid(Raw(0x6123, 4, Payload(4)), "0x6123 is reserved");
}

TEST(ChannelDataMalformed, ChannelAboveTheReservedRange) {
  ExpectInvalid(Raw(0x8000, 0, {}), "0x8000 is not");
  ExpectInvalid(Raw(0xFFFF, 0, {}), "0xFFFF is not");
}

TEST(ChannelDataMalformed, ExtraTrailingBytesBeyondPadding) {
  // 5 bytes of data: 3 bytes of padding or none.
  ExpectInvalid(Raw(0x4000, 5, Payload(5), 1),
                "1 bytes after its 5 bytes of data; padding to a multiple of "
                "4 allows 0 or 3");
  ExpectInvalid(Raw(0x4000, 5, Payload(5), 2), "allows 0 or 3");
  ExpectInvalid(Raw(0x4000, 5, Payload(5), 4), "4 bytes after");
  ExpectInvalid(Raw(0x4000, 5, Payload(5), 7), "7 bytes after");
  // Data already a multiple of 4: nothing may follow.
  ExpectInvalid(Raw(0x4000, 8, Payload(8), 4), "allows 0 or 0");
  ExpectInvalid(Raw(0x4000, 0, {}, 1), "allows 0 or 0");
  // Two messages in one datagram are not one message.
  std::vector<uint8_t> two = Raw(0x4000, 4, Payload(4));
  const std::vector<uint8_t> second = Raw(0x4001, 4, Payload(4));
  two.insert(two.end(), second.begin(), second.end());
  ExpectInvalid(two, "8 bytes after");
}

TEST(ChannelDataSerialize, RejectsInvalidChannels) {
  for (uint16_t channel : {0x0000, 0x3FFF, 0x5000, 0x7FFF, 0x8000}) {
    absl::StatusOr<std::vector<uint8_t>> bytes =
        SerializeChannelData(channel, Payload(4), /*pad=*/true);
    ASSERT_FALSE(bytes.ok()) << channel;
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(SerializeChannelData(0x5000, {}, false).status().message(),
              HasSubstr("reserved"));
}

TEST(ChannelDataSerialize, RejectsDataOverTheLengthField) {
  absl::StatusOr<std::vector<uint8_t>> bytes =
      SerializeChannelData(0x4000, Payload(65536), /*pad=*/false);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bytes.status().message(), HasSubstr("65536"));
}

TEST(ChannelDataSerialize, AppendKeepsTheBufferAndNeverReallocates) {
  std::vector<uint8_t> out = {1, 2, 3};
  out.reserve(64);
  const uint8_t* const storage = out.data();
  ASSERT_TRUE(AppendChannelData(0x4000, Payload(3), true, &out).ok());
  ASSERT_TRUE(AppendChannelData(0x4001, Payload(8), false, &out).ok());
  EXPECT_EQ(out.data(), storage);
  ASSERT_EQ(out.size(), 3u + 8 + 12);
  EXPECT_THAT(absl::MakeConstSpan(out).first(3), ElementsAre(1, 2, 3));
  EXPECT_TRUE(ParseChannelData(absl::MakeConstSpan(out).subspan(3, 8)).ok());
  EXPECT_TRUE(ParseChannelData(absl::MakeConstSpan(out).subspan(11)).ok());

  // An error leaves the buffer as it was.
  const std::vector<uint8_t> before = out;
  EXPECT_FALSE(AppendChannelData(0x3FFF, Payload(3), true, &out).ok());
  EXPECT_FALSE(AppendChannelData(0x4000, Payload(70000), true, &out).ok());
  EXPECT_EQ(out, before);
}

// --- FrameSize.

TEST(FrameSize, NeedsFourBytes) {
  const std::vector<uint8_t> header = {0x00, 0x01, 0x00, 0x08};
  for (size_t size = 0; size < 4; ++size) {
    EXPECT_EQ(FrameSize(absl::MakeConstSpan(header).first(size)), std::nullopt);
  }
  EXPECT_EQ(FrameSize(header), 28u);
}

TEST(FrameSize, StunIsTwentyPlusLength) {
  EXPECT_EQ(FrameSize(std::vector<uint8_t>{0x03, 0xFF, 0xFF, 0xFF}),
            20u + 65535);
  EXPECT_EQ(FrameSize(std::vector<uint8_t>{0x01, 0x01, 0x00, 0x00}), 20u);
}

TEST(FrameSize, ChannelDataIncludesThePadding) {
  EXPECT_EQ(FrameSize(std::vector<uint8_t>{0x40, 0x00, 0x00, 0x00}), 4u);
  EXPECT_EQ(FrameSize(std::vector<uint8_t>{0x40, 0x00, 0x00, 0x05}), 12u);
  EXPECT_EQ(FrameSize(std::vector<uint8_t>{0x4F, 0xFF, 0x00, 0x08}), 12u);
  EXPECT_EQ(FrameSize(std::vector<uint8_t>{0x4F, 0xFF, 0xFF, 0xFF}), 65540u);
}

TEST(FrameSize, NeitherStunNorChannelData) {
  for (uint8_t first : {0x04, 0x10, 0x3F, 0x50, 0x7F, 0x80, 0xFF}) {
    EXPECT_EQ(FrameSize(std::vector<uint8_t>{first, 0, 0, 0}), std::nullopt)
        << int{first};
  }
}

// --- StreamFramer.

struct ExpectedFrame {
  FrameKind kind;
  std::vector<uint8_t> message;  // What Next() must return.
};

TransactionId Id(uint8_t seed) {
  TransactionId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed + i);
  return id;
}

std::vector<uint8_t> StunMessage(Method method, MessageClass message_class,
                                 uint8_t seed, size_t data_size) {
  MessageBuilder builder({method, message_class}, Id(seed));
  const std::vector<uint8_t> payload = Payload(data_size, seed);
  if (data_size > 0) builder.Add(Data{payload});
  absl::StatusOr<std::vector<uint8_t>> bytes =
      builder.AddFingerprint().Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

// A TURN-over-TCP stream mixing STUN messages and padded ChannelData.
struct Stream {
  std::vector<uint8_t> bytes;
  std::vector<ExpectedFrame> frames;

  void AddStun(std::vector<uint8_t> message) {
    bytes.insert(bytes.end(), message.begin(), message.end());
    frames.push_back({FrameKind::kStun, std::move(message)});
  }
  void AddChannelData(uint16_t channel, size_t data_size) {
    absl::StatusOr<std::vector<uint8_t>> unpadded =
        SerializeChannelData(channel, Payload(data_size, 3), /*pad=*/false);
    ASSERT_TRUE(unpadded.ok()) << unpadded.status();
    ASSERT_TRUE(
        AppendChannelData(channel, Payload(data_size, 3), /*pad=*/true, &bytes)
            .ok());
    frames.push_back({FrameKind::kChannelData, *std::move(unpadded)});
  }
};

Stream MixedStream() {
  Stream stream;
  stream.AddStun(
      StunMessage(Method::kAllocate, MessageClass::kRequest, 1, /*data=*/0));
  for (size_t size = 0; size <= 8; ++size) {
    stream.AddChannelData(static_cast<uint16_t>(0x4000 + size), size);
  }
  stream.AddStun(
      StunMessage(Method::kSend, MessageClass::kIndication, 2, /*data=*/13));
  stream.AddChannelData(0x4FFF, 1500);
  stream.AddStun(
      StunMessage(Method::kBinding, MessageClass::kSuccessResponse, 3, 0));
  stream.AddStun(StunMessage(Method::kData, MessageClass::kIndication, 4, 999));
  stream.AddChannelData(0x4100, 0);
  stream.AddChannelData(0x4101, 3);
  return stream;
}

// Feeds `stream` in chunks whose sizes `next_chunk` picks, draining after each
// Append(), and checks every frame against what was sent.
template <typename ChunkSize>
void FeedAndCheck(const Stream& stream, ChunkSize next_chunk) {
  StreamFramer framer;
  std::vector<ExpectedFrame> got;
  absl::Span<const uint8_t> rest = stream.bytes;
  while (!rest.empty()) {
    absl::Span<const uint8_t> chunk =
        rest.first(std::min(rest.size(), next_chunk()));
    rest.remove_prefix(chunk.size());
    while (!chunk.empty()) {
      chunk.remove_prefix(framer.Append(chunk));
      ASSERT_LE(framer.buffered(), StreamFramer::kMaxBufferedBytes);
      while (true) {
        absl::StatusOr<std::optional<Frame>> frame = framer.Next();
        ASSERT_TRUE(frame.ok()) << frame.status();
        if (!frame->has_value()) break;
        got.push_back(
            {(*frame)->kind, std::vector<uint8_t>((*frame)->bytes.begin(),
                                                  (*frame)->bytes.end())});
      }
    }
  }
  EXPECT_EQ(framer.buffered(), 0u);
  ASSERT_EQ(got.size(), stream.frames.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].kind, stream.frames[i].kind);
    EXPECT_EQ(got[i].message, stream.frames[i].message);
    if (got[i].kind == FrameKind::kStun) {
      EXPECT_TRUE(MessageView::Parse(got[i].message).ok());
    } else {
      EXPECT_TRUE(ParseChannelData(got[i].message).ok());
    }
  }
}

TEST(StreamFramer, MixedStreamByteByByte) {
  FeedAndCheck(MixedStream(), [] { return size_t{1}; });
}

TEST(StreamFramer, MixedStreamInRandomChunks) {
  const Stream stream = MixedStream();
  for (uint64_t seed : {1, 2, 3, 42, 8656}) {
    SCOPED_TRACE(seed);
    net::DeterministicRandom random(seed);
    FeedAndCheck(stream, [&random] { return 1 + random.Uniform(64); });
    FeedAndCheck(stream, [&random] { return 1 + random.Uniform(3000); });
  }
}

TEST(StreamFramer, WholeStreamAtOnce) {
  FeedAndCheck(MixedStream(), [] { return size_t{1} << 30; });
}

TEST(StreamFramer, LargestFramesStayWithinTheCap) {
  Stream stream;
  stream.AddChannelData(0x4000, kMaxChannelDataLength);
  // The largest STUN message: a DATA attribute filling the 16-bit length
  // (4-byte attribute header + 65528 value = 65532, then FINGERPRINT's 8).
  stream.AddStun(StunMessage(Method::kSend, MessageClass::kIndication, 9,
                             0xFFFF - 4 - 8 - 3));
  stream.AddChannelData(0x4001, kMaxChannelDataLength);
  stream.AddChannelData(0x4002, 1);
  ASSERT_GT(stream.bytes.size(), 3 * StreamFramer::kMaxBufferedBytes - 64);
  FeedAndCheck(stream, [] { return size_t{1} << 30; });
  net::DeterministicRandom random(5);
  FeedAndCheck(stream, [&random] { return 1 + random.Uniform(70000); });
}

TEST(StreamFramer, AppendTakesOnlyWhatFits) {
  StreamFramer framer;
  const std::vector<uint8_t> huge(StreamFramer::kMaxBufferedBytes + 100, 0x01);
  EXPECT_EQ(framer.Append(huge), StreamFramer::kMaxBufferedBytes);
  EXPECT_EQ(framer.Append(huge), 0u);
  EXPECT_EQ(framer.buffered(), StreamFramer::kMaxBufferedBytes);
}

TEST(StreamFramer, ManySmallFrames) {
  // A long stream of tiny frames, in chunks that split frames: exercises the
  // read offset and compaction.
  Stream stream;
  for (int i = 0; i < 20000; ++i) {
    stream.AddChannelData(static_cast<uint16_t>(0x4000 + i % 0x1000), i % 7);
  }
  FeedAndCheck(stream, [] { return size_t{4093}; });
}

TEST(StreamFramer, FramesStayValidUntilAppend) {
  Stream stream = MixedStream();
  StreamFramer framer;
  ASSERT_EQ(framer.Append(stream.bytes), stream.bytes.size());
  std::vector<Frame> frames;
  while (true) {
    absl::StatusOr<std::optional<Frame>> frame = framer.Next();
    ASSERT_TRUE(frame.ok()) << frame.status();
    if (!frame->has_value()) break;
    frames.push_back(**frame);
  }
  ASSERT_EQ(frames.size(), stream.frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(
        std::vector<uint8_t>(frames[i].bytes.begin(), frames[i].bytes.end()),
        stream.frames[i].message);
  }
}

TEST(StreamFramer, NeedsMoreBytes) {
  StreamFramer framer;
  absl::StatusOr<std::optional<Frame>> frame = framer.Next();
  ASSERT_TRUE(frame.ok());
  EXPECT_FALSE(frame->has_value());
  // A ChannelData header announcing 5 bytes needs 12 on a stream.
  const std::vector<uint8_t> bytes = Raw(0x4000, 5, Payload(5), 2);
  ASSERT_EQ(framer.Append(bytes), bytes.size());
  frame = framer.Next();
  ASSERT_TRUE(frame.ok());
  EXPECT_FALSE(frame->has_value());
  EXPECT_EQ(framer.buffered(), 11u);
  ASSERT_EQ(framer.Append(std::vector<uint8_t>{0}), 1u);
  frame = framer.Next();
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(frame->has_value());
  EXPECT_EQ((*frame)->kind, FrameKind::kChannelData);
  EXPECT_EQ((*frame)->bytes.size(), 9u);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramer, StunFramesAreCutByLengthAndJudgedByParse) {
  // The framer trusts the STUN length field for framing only: a message whose
  // length is not a multiple of 4, or an RFC 3489 message without the magic
  // cookie, is still one frame; MessageView::Parse judges its content.
  std::vector<uint8_t> bytes = {0x00, 0x01, 0x00, 0x02, 0x21, 0x12, 0xA4, 0x42};
  bytes.resize(22, 0x07);
  const std::vector<uint8_t> classic = {0x01, 0x01, 0x00, 0x00, 1,  2, 3,
                                        4,    5,    6,    7,    8,  9, 10,
                                        11,   12,   13,   14,   15, 16};
  bytes.insert(bytes.end(), classic.begin(), classic.end());
  StreamFramer framer;
  ASSERT_EQ(framer.Append(bytes), bytes.size());

  absl::StatusOr<std::optional<Frame>> frame = framer.Next();
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ((*frame)->kind, FrameKind::kStun);
  EXPECT_EQ((*frame)->bytes.size(), 22u);
  EXPECT_FALSE(MessageView::Parse((*frame)->bytes).ok());

  frame = framer.Next();
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ((*frame)->bytes.size(), 20u);
  absl::StatusOr<MessageView> message = MessageView::Parse((*frame)->bytes);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_TRUE(message->is_rfc3489());
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramer, GarbageFirstByteIsFinal) {
  Stream stream;
  stream.AddChannelData(0x4000, 2);
  stream.bytes.push_back(0x17);  // A DTLS record has no place here.
  StreamFramer framer;
  ASSERT_EQ(framer.Append(stream.bytes), stream.bytes.size());
  absl::StatusOr<std::optional<Frame>> frame = framer.Next();
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(frame->has_value());
  // The error shows on the first byte, without waiting for a header.
  frame = framer.Next();
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(frame.status().message(),
              HasSubstr("first byte 0x17 begins neither a STUN message"));
  // Final: more bytes change nothing.
  const std::vector<uint8_t> more = Raw(0x4000, 0, {});
  EXPECT_EQ(framer.Append(more), more.size());
  EXPECT_EQ(framer.Next().status(), frame.status());
}

TEST(StreamFramer, EveryNonFramingFirstByteIsAnError) {
  for (int first = 0; first <= 255; ++first) {
    const bool frames = first <= 3 || (first >= 0x40 && first <= 0x4F);
    StreamFramer framer;
    ASSERT_EQ(framer.Append(std::vector<uint8_t>{static_cast<uint8_t>(first)}),
              1u);
    EXPECT_EQ(framer.Next().ok(), frames) << "first byte " << first;
  }
}

TEST(StreamFramer, ReservedChannelIsAnError) {
  StreamFramer framer;
  const std::vector<uint8_t> bytes = Raw(0x5000, 4, Payload(4));
  ASSERT_EQ(framer.Append(bytes), bytes.size());
  absl::StatusOr<std::optional<Frame>> frame = framer.Next();
  ASSERT_FALSE(frame.ok());
  EXPECT_THAT(frame.status().message(), HasSubstr("reserved channel number"));
}

}  // namespace
}  // namespace pinhole::stun
