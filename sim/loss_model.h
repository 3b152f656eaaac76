// `LossModel`: decides, packet by packet, whether a link loses a packet.
//
// - `None()`: never.
// - `Independent(p)`: each packet lost with probability `p`, independently.
// - `GilbertElliott(...)`: bursty loss, the two-state Markov chain of Gilbert
//   (1960) and Elliott (1963). For each packet the model first moves between
//   states (good -> bad with probability `p`, bad -> good with `r`), then loses
//   the packet with the loss probability of the state it is in. The chain
//   spends a share p / (p + r) of packets in the bad state, so the long-run
//   loss rate is (r * loss_good + p * loss_bad) / (p + r); the mean burst (run
//   of bad-state packets) is 1 / r packets. It starts in the good state.
//
// Probabilities are `net::Ratio`s; the model draws from the `net::Random` it is
// given, and an impossible or certain outcome draws nothing.
#ifndef PINHOLE_SIM_LOSS_MODEL_H_
#define PINHOLE_SIM_LOSS_MODEL_H_

#include "net/random.h"

namespace pinhole::sim {

struct GilbertElliottParameters {
  net::Ratio p;  // Good -> bad, per packet.
  net::Ratio r;  // Bad -> good, per packet.
  net::Ratio loss_in_good = net::Ratio::Never();
  net::Ratio loss_in_bad = net::Ratio::Always();
};

class LossModel {
 public:
  LossModel() = default;  // Never loses.

  static LossModel None() { return LossModel(); }
  static LossModel Independent(net::Ratio p);
  static LossModel GilbertElliott(const GilbertElliottParameters& parameters);

  // Advances the model by one packet; true when that packet is lost.
  bool Lose(net::Random& random);

  bool in_bad_state() const { return bad_; }

 private:
  enum class Kind { kNone, kIndependent, kGilbertElliott };

  Kind kind_ = Kind::kNone;
  net::Ratio independent_;
  GilbertElliottParameters ge_;
  bool bad_ = false;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_LOSS_MODEL_H_
