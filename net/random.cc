#include "net/random.h"

#include <cstdint>
#include <cstring>

#include "absl/numeric/int128.h"
#include "absl/types/span.h"
#include "net/time.h"

namespace pinhole::net {

void Random::Fill(absl::Span<uint8_t> out) {
  size_t i = 0;
  while (i < out.size()) {
    uint64_t word = NextUint64();
    for (int byte = 0; byte < 8 && i < out.size(); ++byte, ++i) {
      out[i] = static_cast<uint8_t>(word);
      word >>= 8;
    }
  }
}

uint64_t Random::Uniform(uint64_t bound) {
  if (bound == 0) return 0;
  // D. Lemire, "Fast Random Integer Generation in an Interval" (2019): the high
  // word of x * bound is uniform once products whose low word falls below 2^64
  // mod bound are rejected.
  absl::uint128 product = absl::uint128(NextUint64()) * bound;
  uint64_t low = absl::Uint128Low64(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound.
    while (low < threshold) {
      product = absl::uint128(NextUint64()) * bound;
      low = absl::Uint128Low64(product);
    }
  }
  return absl::Uint128High64(product);
}

int64_t Random::UniformInRange(int64_t low, int64_t high) {
  // Unsigned arithmetic keeps the span of the full int64 range well defined.
  const uint64_t span =
      static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  const uint64_t offset = span == UINT64_MAX ? NextUint64() : Uniform(span + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(low) + offset);
}

Duration Random::UniformDuration(Duration low, Duration high) {
  return Duration::Nanoseconds(
      UniformInRange(low.ToNanoseconds(), high.ToNanoseconds()));
}

bool Random::Bernoulli(Ratio p) {
  if (p.numerator == 0 || p.denominator == 0) return false;
  if (p.numerator >= p.denominator) return true;
  return Uniform(p.denominator) < p.numerator;
}

}  // namespace pinhole::net
