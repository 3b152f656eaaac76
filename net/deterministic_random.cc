#include "net/deterministic_random.h"

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace pinhole::net {
namespace {

constexpr uint64_t RotateLeft(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

}  // namespace

DeterministicRandom::DeterministicRandom(uint64_t seed) {
  uint64_t s = seed;
  for (uint64_t& word : state_) word = SplitMix64(s);
}

DeterministicRandom::DeterministicRandom(const std::array<uint64_t, 4>& state)
    : state_(state) {
  // The all-zero state is the generator's one fixed point. A stream's digest
  // lands there with probability 2^-256; should it ever, fall back to
  // SplitMix64 seeding.
  if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0)
    *this = DeterministicRandom(0);
}

DeterministicRandom DeterministicRandom::FromState(
    const std::array<uint64_t, 4>& state) {
  return DeterministicRandom(state);
}

DeterministicRandom DeterministicRandom::Stream(uint64_t master_seed,
                                                absl::string_view name) {
  std::string input(8, '\0');
  for (int i = 0; i < 8; ++i)
    input[i] = static_cast<char>(master_seed >> (8 * i));
  input.append(name.data(), name.size());
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(input.data()), input.size(), digest);
  return DeterministicRandom(
      {LoadLittleEndian64(digest), LoadLittleEndian64(digest + 8),
       LoadLittleEndian64(digest + 16), LoadLittleEndian64(digest + 24)});
}

uint64_t DeterministicRandom::NextUint64() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

}  // namespace pinhole::net
