// `Clock`: where a driver reads the current instant. The simulator's clock is
// virtual and moves only between events; the real-socket backend's reads
// CLOCK_MONOTONIC. Protocol engines never hold a clock: they are handed `now`
// on every call.
#ifndef PINHOLE_NET_CLOCK_H_
#define PINHOLE_NET_CLOCK_H_

#include "net/time.h"

namespace pinhole::net {

class Clock {
 public:
  virtual ~Clock() = default;

  // Never decreases.
  virtual Time Now() const = 0;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_CLOCK_H_
