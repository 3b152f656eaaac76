// `Random`: the one source of randomness every Pinhole component draws from.
//
// Nothing in Pinhole's simulated world may use another source (no
// std::random_device, no absl::BitGen, no rand()): the simulator hands each
// component a `DeterministicRandom` stream derived from the run's seed, so the
// same seed replays the same run, and the real-socket backend hands out a
// `CryptoRandom`, so real STUN transaction IDs and ICE credentials are
// unpredictable.
//
// The distributions below are Pinhole's own, written on top of `NextUint64()`,
// so a given stream yields the same values on every platform and standard
// library. Probabilities are integer ratios, never floating point.
#ifndef PINHOLE_NET_RANDOM_H_
#define PINHOLE_NET_RANDOM_H_

#include <cstdint>

#include "absl/types/span.h"
#include "net/time.h"

namespace pinhole::net {

// A probability `numerator / denominator`. A numerator at or above the
// denominator is certainty; a zero numerator, or a zero denominator, is
// impossibility.
struct Ratio {
  uint64_t numerator = 0;
  uint64_t denominator = 1;

  static constexpr Ratio Never() { return {0, 1}; }
  static constexpr Ratio Always() { return {1, 1}; }
  static constexpr Ratio PartsPerMillion(uint64_t ppm) {
    return {ppm, 1000'000};
  }
  static constexpr Ratio Percent(uint64_t percent) { return {percent, 100}; }
};

class Random {
 public:
  virtual ~Random() = default;

  // 64 uniformly distributed bits.
  virtual uint64_t NextUint64() = 0;

  // Fills `out` with uniformly distributed bytes. The default draws
  // NextUint64() once per started group of eight bytes and stores it
  // little-endian.
  virtual void Fill(absl::Span<uint8_t> out);

  // Uniform in [0, bound), without bias (Lemire's multiply-and-reject method).
  // Uniform(0) returns 0 and draws nothing.
  uint64_t Uniform(uint64_t bound);

  // Uniform in [low, high], both included. Requires low <= high.
  int64_t UniformInRange(int64_t low, int64_t high);

  // Uniform in [low, high] at nanosecond resolution, both included. Requires
  // low <= high.
  Duration UniformDuration(Duration low, Duration high);

  // True with probability `p`. Certain and impossible outcomes draw nothing.
  bool Bernoulli(Ratio p);
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_RANDOM_H_
