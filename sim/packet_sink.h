// `PacketSink`: the push-model port every element of the virtual network
// exposes to a link. A link hands each packet that reaches its far end to the
// sink attached there; the sink owns the packet from then on.
//
// `PacketTap`: an observer of packets crossing a point (a link direction, a
// host interface); the pcap writer attaches here. A tap sees the packet as it
// is at that point and must not keep references to it.
#ifndef PINHOLE_SIM_PACKET_SINK_H_
#define PINHOLE_SIM_PACKET_SINK_H_

#include "absl/functional/any_invocable.h"
#include "net/time.h"
#include "sim/packet.h"

namespace pinhole::sim {

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void Receive(Packet packet) = 0;
};

using PacketTap =
    absl::AnyInvocable<void(net::Time time, const Packet& packet)>;

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_PACKET_SINK_H_
