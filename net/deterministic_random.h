// `DeterministicRandom`: xoshiro256** (D. Blackman and S. Vigna, 2018), the
// simulator's source of randomness. Same seed, same sequence, on every machine,
// forever: a golden test pins it.
//
// One simulation draws all its randomness from streams of a single master seed.
// Each component takes its own stream, named stably ("nat/home",
// "host/alice/ice"), so adding a component or reordering draws in one leaves
// every other component's sequence untouched.
//
// Not for secrets: use `CryptoRandom` on real networks.
#ifndef PINHOLE_NET_DETERMINISTIC_RANDOM_H_
#define PINHOLE_NET_DETERMINISTIC_RANDOM_H_

#include <array>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "net/random.h"

namespace pinhole::net {

class DeterministicRandom final : public Random {
 public:
  // Seeds the 256-bit state from `seed` with SplitMix64, as the algorithm's
  // authors recommend.
  explicit DeterministicRandom(uint64_t seed);

  // The stream called `name` of `master_seed`: the state is the SHA-256 digest
  // of the seed (8 bytes, little-endian) followed by the name's bytes.
  // Different names give independent streams; the same seed and name always
  // give the same stream.
  static DeterministicRandom Stream(uint64_t master_seed,
                                    absl::string_view name);

  // The generator in exactly this state, as the algorithm's reference vectors
  // state it. An all-zero state (the generator's one fixed point) is replaced
  // by the state of seed 0.
  static DeterministicRandom FromState(const std::array<uint64_t, 4>& state);

  uint64_t NextUint64() override;

 private:
  explicit DeterministicRandom(const std::array<uint64_t, 4>& state);

  std::array<uint64_t, 4> state_;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_DETERMINISTIC_RANDOM_H_
