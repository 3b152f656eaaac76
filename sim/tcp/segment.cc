#include "sim/tcp/segment.h"

namespace pinhole::sim::tcp {

uint32_t SegmentLength(const Packet& segment) {
  uint32_t length = static_cast<uint32_t>(segment.payload.size());
  if (segment.tcp.flags & TcpHeader::kSyn) ++length;
  if (segment.tcp.flags & TcpHeader::kFin) ++length;
  return length;
}

bool IsConnectionRequest(const Packet& segment) {
  constexpr uint8_t kSynAckRst =
      TcpHeader::kSyn | TcpHeader::kAck | TcpHeader::kRst;
  return segment.is_tcp() &&
         (segment.tcp.flags & kSynAckRst) == TcpHeader::kSyn;
}

std::optional<Packet> MakeReset(const Packet& received) {
  if (!received.is_tcp() || (received.tcp.flags & TcpHeader::kRst)) {
    return std::nullopt;
  }
  Packet reset;
  reset.source = received.destination;
  reset.destination = received.source;
  reset.tcp.window = 0;
  if (received.tcp.flags & TcpHeader::kAck) {
    reset.tcp.seq = received.tcp.ack;
    reset.tcp.flags = TcpHeader::kRst;
  } else {
    reset.tcp.seq = 0;
    reset.tcp.ack = received.tcp.seq + SegmentLength(received);
    reset.tcp.flags = TcpHeader::kRst | TcpHeader::kAck;
  }
  return reset;
}

size_t MssForMtu(size_t mtu, net::AddressFamily family) {
  const size_t headers = (family == net::AddressFamily::kIpv6 ? 40 : 20) + 20;
  return mtu > headers ? mtu - headers : 0;
}

}  // namespace pinhole::sim::tcp
