// `MonotonicClock`: the real-socket backend's `net::Clock`, CLOCK_MONOTONIC in
// nanoseconds (so the epoch is an unspecified instant near boot, and a `Time`
// of this clock means nothing to another clock or another machine). It never
// goes backwards and does not jump when the wall clock is set.
#ifndef PINHOLE_NET_REAL_MONOTONIC_CLOCK_H_
#define PINHOLE_NET_REAL_MONOTONIC_CLOCK_H_

#include "net/clock.h"
#include "net/time.h"

namespace pinhole::net::real {

class MonotonicClock final : public Clock {
 public:
  Time Now() const override;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_MONOTONIC_CLOCK_H_
