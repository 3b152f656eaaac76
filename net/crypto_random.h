// `CryptoRandom`: randomness from OpenSSL's CSPRNG (`RAND_bytes`), for the
// real-socket backend. RFC 8489 §6 asks that transaction IDs be "uniformly and
// randomly chosen" and RFC 8445 §5.3 that ICE credentials carry at least 128
// bits of randomness: an attacker must not predict them.
//
// If OpenSSL cannot produce random bytes, the process aborts: continuing with
// predictable transaction IDs or credentials would be worse than stopping.
#ifndef PINHOLE_NET_CRYPTO_RANDOM_H_
#define PINHOLE_NET_CRYPTO_RANDOM_H_

#include <cstdint>

#include "absl/types/span.h"
#include "net/random.h"

namespace pinhole::net {

class CryptoRandom final : public Random {
 public:
  uint64_t NextUint64() override;
  void Fill(absl::Span<uint8_t> out) override;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_CRYPTO_RANDOM_H_
