#include "stun/demux.h"

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace pinhole::stun {
namespace {

// Classification happens at compile time too.
static_assert(ClassifyFirstByte(0x00) == PacketKind::kStun);
static_assert(ClassifyFirstByte(0x40) == PacketKind::kTurnChannelData);
static_assert(Classify({}) == PacketKind::kUnknown);

struct Range {
  int first;
  int last;
  PacketKind kind;
};

// RFC 7983 as updated by RFC 9443, written out independently of the
// implementation's comparisons.
constexpr Range kRanges[] = {
    {0, 3, PacketKind::kStun},
    {4, 15, PacketKind::kUnknown},
    {16, 19, PacketKind::kZrtp},
    {20, 63, PacketKind::kDtls},
    {64, 79, PacketKind::kTurnChannelData},
    {80, 127, PacketKind::kQuic},
    {128, 191, PacketKind::kRtpRtcp},
    {192, 255, PacketKind::kQuic},
};

TEST(ClassifyFirstByte, EveryRangeBoundary) {
  for (const Range& range : kRanges) {
    SCOPED_TRACE(testing::Message()
                 << "range " << range.first << "-" << range.last);
    EXPECT_EQ(ClassifyFirstByte(static_cast<uint8_t>(range.first)), range.kind);
    EXPECT_EQ(ClassifyFirstByte(static_cast<uint8_t>(range.last)), range.kind);
    if (range.first > 0) {
      EXPECT_NE(ClassifyFirstByte(static_cast<uint8_t>(range.first - 1)),
                range.kind);
    }
    if (range.last < 255 && range.kind != PacketKind::kQuic) {
      EXPECT_NE(ClassifyFirstByte(static_cast<uint8_t>(range.last + 1)),
                range.kind);
    }
  }
}

TEST(ClassifyFirstByte, EveryByteFallsInExactlyItsRange) {
  for (int byte = 0; byte <= 255; ++byte) {
    int matches = 0;
    for (const Range& range : kRanges) {
      if (byte < range.first || byte > range.last) continue;
      ++matches;
      EXPECT_EQ(ClassifyFirstByte(static_cast<uint8_t>(byte)), range.kind)
          << "first byte " << byte;
    }
    EXPECT_EQ(matches, 1) << "first byte " << byte;
  }
}

TEST(Classify, EmptyDatagramIsUnknown) {
  EXPECT_EQ(Classify(absl::Span<const uint8_t>()), PacketKind::kUnknown);
}

TEST(Classify, LooksOnlyAtTheFirstByte) {
  const std::vector<uint8_t> stun = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12};
  EXPECT_EQ(Classify(stun), PacketKind::kStun);
  const std::vector<uint8_t> channel_data = {0x40, 0x00, 0x00, 0x00};
  EXPECT_EQ(Classify(channel_data), PacketKind::kTurnChannelData);
  const std::vector<uint8_t> dtls_handshake = {22, 0xFE, 0xFD};
  EXPECT_EQ(Classify(dtls_handshake), PacketKind::kDtls);
  const std::vector<uint8_t> rtp_v2 = {0x80, 0x60};
  EXPECT_EQ(Classify(rtp_v2), PacketKind::kRtpRtcp);
  const std::vector<uint8_t> quic_long = {0xC0, 0x00, 0x00, 0x00, 0x01};
  EXPECT_EQ(Classify(quic_long), PacketKind::kQuic);
  const std::vector<uint8_t> one_byte = {0x10};
  EXPECT_EQ(Classify(one_byte), PacketKind::kZrtp);
  const std::vector<uint8_t> unknown = {0x0F, 0x00};
  EXPECT_EQ(Classify(unknown), PacketKind::kUnknown);
}

TEST(PacketKindName, NamesEveryKind) {
  EXPECT_EQ(PacketKindName(PacketKind::kUnknown), "unknown");
  EXPECT_EQ(PacketKindName(PacketKind::kStun), "STUN");
  EXPECT_EQ(PacketKindName(PacketKind::kZrtp), "ZRTP");
  EXPECT_EQ(PacketKindName(PacketKind::kDtls), "DTLS");
  EXPECT_EQ(PacketKindName(PacketKind::kTurnChannelData), "TURN ChannelData");
  EXPECT_EQ(PacketKindName(PacketKind::kQuic), "QUIC");
  EXPECT_EQ(PacketKindName(PacketKind::kRtpRtcp), "RTP/RTCP");
}

}  // namespace
}  // namespace pinhole::stun
