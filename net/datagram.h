// `Datagram`: one UDP payload with the transport addresses it travels between.
// Protocol engines take datagrams in and hand datagrams out (see DESIGN.md,
// "Protocol cores are sans-IO"); drivers move them to and from `UdpSocket`s.
#ifndef PINHOLE_NET_DATAGRAM_H_
#define PINHOLE_NET_DATAGRAM_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "net/transport_address.h"

namespace pinhole::net {

// A datagram that owns its payload: what an engine queues to send.
struct Datagram {
  TransportAddress source;
  TransportAddress destination;
  std::vector<uint8_t> payload;
};

// A datagram whose payload is borrowed, valid only during the call it is passed
// to: what a socket delivers on receipt.
struct DatagramView {
  TransportAddress source;
  TransportAddress destination;
  absl::Span<const uint8_t> payload;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_DATAGRAM_H_
