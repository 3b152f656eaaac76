#include "net/real/monotonic_clock.h"

#include <time.h>

#include <cstdint>

#include "net/time.h"

namespace pinhole::net::real {

Time MonotonicClock::Now() const {
  timespec now;
  // Cannot fail: CLOCK_MONOTONIC exists on every Linux and `now` is valid.
  clock_gettime(CLOCK_MONOTONIC, &now);
  return Time::FromNanosecondsSinceEpoch(int64_t{now.tv_sec} * 1000'000'000 +
                                         now.tv_nsec);
}

}  // namespace pinhole::net::real
