// RFC 7983 demultiplexing, as updated by RFC 9443: what protocol a datagram
// (or a stream's first byte) carries, judged by its first byte alone.
//
//   first byte   kind
//   0-3          STUN
//   16-19        ZRTP
//   20-63        DTLS
//   64-79        TURN ChannelData
//   80-127       QUIC
//   128-191      RTP / RTCP
//   192-255      QUIC
//   4-15         unknown: drop
//
// The table gives 64-79 to TURN channels, yet a QUIC short-header packet
// (header form bit clear, fixed bit 0x40 set) can begin with any byte from 64
// to 127. Here 64-79 is always ChannelData: an endpoint that runs QUIC on a
// port where it also uses TURN channels must tell them apart by what it has
// bound; the first byte cannot.
//
// Classification is a table lookup: constexpr, no allocation, no branches on
// anything but the first byte. It says which parser to try, not that the
// bytes are well formed (stun::MessageView::Parse and
// stun::ParseChannelData decide that).
#ifndef PINHOLE_STUN_DEMUX_H_
#define PINHOLE_STUN_DEMUX_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pinhole::stun {

enum class PacketKind : uint8_t {
  kUnknown,  // 4-15, or an empty datagram: drop it.
  kStun,
  kZrtp,
  kDtls,
  kTurnChannelData,
  kQuic,
  kRtpRtcp,
};

// "unknown", "STUN", "ZRTP", "DTLS", "TURN ChannelData", "QUIC", "RTP/RTCP".
constexpr absl::string_view PacketKindName(PacketKind kind) {
  switch (kind) {
    case PacketKind::kUnknown:
      return "unknown";
    case PacketKind::kStun:
      return "STUN";
    case PacketKind::kZrtp:
      return "ZRTP";
    case PacketKind::kDtls:
      return "DTLS";
    case PacketKind::kTurnChannelData:
      return "TURN ChannelData";
    case PacketKind::kQuic:
      return "QUIC";
    case PacketKind::kRtpRtcp:
      return "RTP/RTCP";
  }
  return "invalid PacketKind";
}

// The kind of packet whose first byte is `first_byte` (the table above).
constexpr PacketKind ClassifyFirstByte(uint8_t first_byte) {
  if (first_byte <= 3) return PacketKind::kStun;
  if (first_byte <= 15) return PacketKind::kUnknown;
  if (first_byte <= 19) return PacketKind::kZrtp;
  if (first_byte <= 63) return PacketKind::kDtls;
  if (first_byte <= 79) return PacketKind::kTurnChannelData;
  if (first_byte <= 127) return PacketKind::kQuic;
  if (first_byte <= 191) return PacketKind::kRtpRtcp;
  return PacketKind::kQuic;
}

// The kind of `datagram`; an empty datagram is kUnknown.
constexpr PacketKind Classify(absl::Span<const uint8_t> datagram) {
  return datagram.empty() ? PacketKind::kUnknown
                          : ClassifyFirstByte(datagram[0]);
}

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_DEMUX_H_
