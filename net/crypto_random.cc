#include "net/crypto_random.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/types/span.h"

namespace pinhole::net {

void CryptoRandom::Fill(absl::Span<uint8_t> out) {
  // RAND_bytes takes an int length; fill in chunks so any span size is safe.
  while (!out.empty()) {
    const size_t chunk = out.size() < INT_MAX ? out.size() : INT_MAX;
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      std::fprintf(
          stderr,
          "CryptoRandom: RAND_bytes failed (OpenSSL error %lu); aborting\n",
          ERR_get_error());
      std::abort();
    }
    out.remove_prefix(chunk);
  }
}

uint64_t CryptoRandom::NextUint64() {
  uint8_t bytes[8];
  Fill(absl::MakeSpan(bytes));
  uint64_t v = 0;
  for (uint8_t b : bytes) v = v << 8 | b;
  return v;
}

}  // namespace pinhole::net
