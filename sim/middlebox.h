// `Middlebox`: a two-sided box on a path, such as a NAT or a firewall. The
// simulator's middlebox node hands it every packet that arrives on either side
// and does what the verdict says. A middlebox keeps no timers: it is given
// `now` with each packet and expires its state lazily (a mapping whose
// lifetime has run out is treated as gone when the next packet looks for it).
#ifndef PINHOLE_SIM_MIDDLEBOX_H_
#define PINHOLE_SIM_MIDDLEBOX_H_

#include "net/time.h"
#include "sim/drop_reason.h"
#include "sim/packet.h"

namespace pinhole::sim {

enum class Side : uint8_t {
  kInside,   // The private side: hosts behind a NAT, the protected network.
  kOutside,  // The public side.
};

struct Verdict {
  enum class Action : uint8_t {
    kForward,  // Leave by the other side.
    kReflect,  // Leave by the side it arrived on (NAT hairpinning).
    kDrop,     // Dropped, for `reason`.
  };

  static Verdict Forward() { return {Action::kForward, DropReason::kNoRoute}; }
  static Verdict Reflect() { return {Action::kReflect, DropReason::kNoRoute}; }
  static Verdict Drop(DropReason reason) { return {Action::kDrop, reason}; }

  Action action;
  DropReason reason;  // Meaningful only for kDrop.
};

class Middlebox {
 public:
  virtual ~Middlebox() = default;

  // `packet` arrived on side `arrived_on` at `now`. The middlebox may rewrite
  // its addresses and ports (a NAT does) before returning the verdict.
  virtual Verdict Process(net::Time now, Side arrived_on, Packet& packet) = 0;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_MIDDLEBOX_H_
