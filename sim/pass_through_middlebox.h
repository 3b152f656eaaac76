// `PassThroughMiddlebox`: a `Middlebox` that forwards every packet unchanged.
// A placeholder where a NAT or firewall will go, and a baseline for
// benchmarks.
#ifndef PINHOLE_SIM_PASS_THROUGH_MIDDLEBOX_H_
#define PINHOLE_SIM_PASS_THROUGH_MIDDLEBOX_H_

#include "net/time.h"
#include "sim/middlebox.h"
#include "sim/packet.h"

namespace pinhole::sim {

class PassThroughMiddlebox final : public Middlebox {
 public:
  Verdict Process(net::Time, Side, Packet&) override {
    return Verdict::Forward();
  }
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_PASS_THROUGH_MIDDLEBOX_H_
