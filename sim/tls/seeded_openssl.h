// `SeededOpenSsl`: an OpenSSL library context (`OSSL_LIB_CTX`) whose every
// random byte comes from one `net::Random`, so that TLS in the simulator
// (key shares, hello randoms, ECDSA nonces, legacy session ids) replays byte
// for byte from the simulation's seed.
//
// How: the context gets a small built-in provider ("pinhole-seeded-rand",
// registered with `OSSL_PROVIDER_add_builtin`) offering one random generator
// ("PINHOLE-SEEDED", operation `OSSL_OP_RAND`) that fills every request from
// the `net::Random`; `RAND_set_DRBG_type` and `RAND_set_seed_source_type`
// make it the context's generator and its seed source, so nothing is drawn
// from the operating system. OpenSSL's "default" provider, loaded into the
// same context, supplies the ciphers, digests and key exchanges. OpenSSL's
// global context is untouched.
//
// Everything made for the context must be made in it (`SSL_CTX_new_ex`,
// `PEM_read_bio_PrivateKey_ex`, ...): an object of OpenSSL's default context
// would draw from the operating system. Not a cryptographic generator: for
// simulations only. One thread.
#ifndef PINHOLE_SIM_TLS_SEEDED_OPENSSL_H_
#define PINHOLE_SIM_TLS_SEEDED_OPENSSL_H_

#include <openssl/crypto.h>
#include <openssl/provider.h>

#include <memory>

#include "absl/status/statusor.h"
#include "net/random.h"

namespace pinhole::sim::tls {

class SeededOpenSsl {
 public:
  // Internal, with OpenSSL's reasons, when the context cannot be set up.
  static absl::StatusOr<std::unique_ptr<SeededOpenSsl>> Create(
      std::unique_ptr<net::Random> random);
  SeededOpenSsl(const SeededOpenSsl&) = delete;
  SeededOpenSsl& operator=(const SeededOpenSsl&) = delete;
  // Everything made in the context must be freed first.
  ~SeededOpenSsl();

  OSSL_LIB_CTX* libctx() const { return libctx_; }

 private:
  explicit SeededOpenSsl(std::unique_ptr<net::Random> random);

  std::unique_ptr<net::Random> random_;
  OSSL_LIB_CTX* libctx_ = nullptr;
  OSSL_PROVIDER* seeded_ = nullptr;
  OSSL_PROVIDER* default_ = nullptr;
};

}  // namespace pinhole::sim::tls

#endif  // PINHOLE_SIM_TLS_SEEDED_OPENSSL_H_
