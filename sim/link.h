// `Link`: a point-to-point, full-duplex link between end A and end B. Each
// direction has its own configuration, transmitter, queue and random streams.
//
// What happens to a packet sent from one end, in this order:
// 1. The link is down: dropped, `kLinkDown`.
// 2. `ip_size()` exceeds the MTU: dropped, `kMtuExceeded` (never fragmented).
// 3. Taps at `TapPoint::kEnter` see it.
// 4. With a bandwidth, the packet is serialised at `bandwidth_bps`, taking
//    ceil(ip_size() * 8 / bandwidth) (to the nanosecond), after the packets
//    before it. While the transmitter is busy it waits in a drop-tail queue of
//    at most `queue_bytes` bytes and (if non-zero) `queue_packets` packets;
//    the packet being serialised does not count. A packet that does not fit is
//    dropped, `kQueueFull`. Without a bandwidth there is no queue and no
//    serialisation delay.
// 5. The loss model decides: a lost packet is dropped (`kLinkLoss`, recorded
//    when it enters) after spending its transmitter time, as a packet lost on
//    the wire does.
// 6. It arrives at the far end `latency` plus a jitter drawn uniformly from
//    [0, `jitter`] after its serialisation ends. Without `allow_reordering`,
//    a packet never arrives before the one sent before it (its arrival is
//    pushed back to that one's, and same-instant arrivals keep their order);
//    with it, jitter may reorder packets.
// 7. Taps at `TapPoint::kExit` see it, and the sink attached at the far end
//    receives it (none attached: dropped, `kNoRoute`).
// With probability `duplicate`, a sent packet is copied before step 1; the
// copy gets its own id (recorded as `duplicated`) and goes through every step
// on its own, right after the original.
//
// Up and down: while down, a link drops every packet sent into it. Taking a
// link down drops, at that instant and with `kLinkDown`, every packet queued
// or in flight on it in either direction (in order of packet id): a cut cable
// loses what was on it. Bringing it up again starts with empty queues.
//
// Configuration may change at any time. A change applies to packets sent
// after it; packets already on the link keep their arrival times. Setting a
// direction's configuration restarts its loss model (a Gilbert-Elliott chain
// starts again in the good state).
//
// Random streams (of the simulator's seed), per direction ("a>b" or "b>a"):
// "link/NAME/DIR/loss", ".../jitter", ".../duplicate".
//
// Lifetime: a link must outlive the packets it carries; destroying it cancels
// its events (the packets on it disappear unrecorded). Sinks attached to it
// must outlive it or be detached.
#ifndef PINHOLE_SIM_LINK_H_
#define PINHOLE_SIM_LINK_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/deterministic_random.h"
#include "net/random.h"
#include "net/time.h"
#include "sim/loss_model.h"
#include "sim/packet.h"
#include "sim/packet_sink.h"
#include "sim/simulator.h"
#include "sim/trace.h"

namespace pinhole::sim {

enum class LinkEnd : uint8_t { kA, kB };

inline LinkEnd OtherEnd(LinkEnd end) {
  return end == LinkEnd::kA ? LinkEnd::kB : LinkEnd::kA;
}

struct LinkConfig {
  net::Duration latency;  // One way.
  net::Duration jitter;   // Extra delay, uniform in [0, jitter].
  bool allow_reordering = false;
  LossModel loss;
  uint64_t bandwidth_bps = 0;  // Bits per second; 0: unlimited.
  size_t queue_bytes = 64 * 1024;
  size_t queue_packets = 0;  // 0: no limit on the count.
  size_t mtu = 1500;         // IP bytes; at least 68 (RFC 791).
  net::Ratio duplicate = net::Ratio::Never();
};

// OK, or why `config` makes no sense (negative latency or jitter, MTU below
// 68).
absl::Status ValidateLinkConfig(const LinkConfig& config);

enum class TapPoint : uint8_t {
  kEnter,  // Accepted by the link (after the down and MTU checks).
  kExit,   // Arriving at the far end.
};

class Link {
 public:
  // A link with `config` in both directions.
  static absl::StatusOr<std::unique_ptr<Link>> Create(Simulator& simulator,
                                                      absl::string_view name,
                                                      const LinkConfig& config);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  ~Link();

  const std::string& name() const { return name_; }

  // Attaches the element that receives packets arriving at `end`. Fails when
  // something is attached there already.
  absl::Status Attach(LinkEnd end, PacketSink* sink);
  void Detach(LinkEnd end) { sinks_[Index(end)] = nullptr; }

  // Sends `packet` from `from` towards the other end.
  void Send(LinkEnd from, Packet packet);

  absl::Status SetConfig(const LinkConfig& config);
  absl::Status SetConfig(LinkEnd from, const LinkConfig& config);
  const LinkConfig& config(LinkEnd from) const {
    return directions_[Index(from)].config;
  }

  bool is_up() const { return up_; }
  void SetUp(bool up);
  // Takes the link down or up at `at` (see `Simulator::Schedule`).
  void SetUpAt(net::Time at, bool up);

  void AddTap(LinkEnd from, TapPoint point, PacketTap tap);

 private:
  struct Direction {
    explicit Direction(Simulator& simulator, const std::string& prefix);
    LinkConfig config;
    net::DeterministicRandom loss_random;
    net::DeterministicRandom jitter_random;
    net::DeterministicRandom duplicate_random;
    net::Time busy_until;    // The transmitter is free from then on.
    net::Time last_arrival;  // Of the latest packet sent; for FIFO order.
    // Packets waiting for the transmitter: (start of serialisation, size).
    std::deque<std::pair<net::Time, size_t>> queue;
    size_t queued_bytes = 0;
    std::vector<PacketTap> enter_taps;
    std::vector<PacketTap> exit_taps;
  };
  struct InFlight {
    Packet packet;
    EventId event;
    LinkEnd from = LinkEnd::kA;
    bool used = false;
  };

  Link(Simulator& simulator, std::string name, Trace::NodeId node,
       const LinkConfig& config);
  static size_t Index(LinkEnd end) { return end == LinkEnd::kA ? 0 : 1; }

  void Admit(LinkEnd from, Packet packet);
  // False (and the packet dropped) when the queue is full; otherwise the
  // instant its serialisation ends.
  bool Transmit(Direction& d, const Packet& packet, net::Time& done);
  void Arrive(uint32_t slot);
  void DropInFlight();
  void Drop(const Packet& packet, DropReason reason) {
    simulator_.trace().Dropped(simulator_.Now(), node_, packet, reason);
  }

  Simulator& simulator_;
  const std::string name_;
  const Trace::NodeId node_;
  bool up_ = true;
  std::array<Direction, 2> directions_;
  std::array<PacketSink*, 2> sinks_ = {nullptr, nullptr};
  std::vector<InFlight> in_flight_;
  std::vector<uint32_t> free_in_flight_;
  std::vector<EventId> up_down_events_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_LINK_H_
