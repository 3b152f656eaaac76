// `TlsEnvironment`: one simulated host's TLS set-up: its seeded OpenSSL
// library context (seeded_openssl.h), a server and a client `SSL_CTX` made
// in it from a `SimTlsConfig`, and the per-connection `SSL` objects.
//
// Both contexts: TLS 1.2 or later (1.3 is what two Pinhole hosts agree on),
// no renegotiation, no session tickets and no session cache (tickets carry
// times and come unasked after the handshake), OpenSSL's default cipher
// suites and groups. Certificates are checked at the simulated time mapped
// onto `SimTlsConfig::verification_epoch_unix_seconds`.
//
// Shared (`std::shared_ptr`) by the host's TLS handler, listeners and
// streams, so that it outlives every `SSL` made from it.
#ifndef PINHOLE_SIM_TLS_TLS_ENVIRONMENT_H_
#define PINHOLE_SIM_TLS_TLS_ENVIRONMENT_H_

#include <openssl/ssl.h>

#include <memory>

#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "net/random.h"
#include "net/time.h"
#include "net/tls/tls_session.h"
#include "sim/tls/seeded_openssl.h"
#include "sim/tls/sim_tls_config.h"

namespace pinhole::sim::tls {

class TlsEnvironment {
 public:
  // InvalidArgument for unusable credentials (naming what is wrong); Internal
  // when OpenSSL cannot be set up.
  static absl::StatusOr<std::shared_ptr<TlsEnvironment>> Create(
      const SimTlsConfig& config, std::unique_ptr<net::Random> random);
  TlsEnvironment(const TlsEnvironment&) = delete;
  TlsEnvironment& operator=(const TlsEnvironment&) = delete;
  ~TlsEnvironment();

  const SimTlsConfig& config() const { return config_; }

  // A server's session, waiting for the client's hello.
  absl::StatusOr<std::unique_ptr<net::tls::TlsSession>> NewServerSession()
      const;
  // A client's session towards `remote`, whose certificate is checked at
  // `now` (simulated) as the configuration says.
  absl::StatusOr<std::unique_ptr<net::tls::TlsSession>> NewClientSession(
      const net::IpAddress& remote, net::Time now) const;

 private:
  TlsEnvironment(const SimTlsConfig& config,
                 std::unique_ptr<SeededOpenSsl> openssl);
  absl::Status Configure();

  const SimTlsConfig config_;
  // Declared first, freed last: the contexts were made in it.
  const std::unique_ptr<SeededOpenSsl> openssl_;
  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
};

}  // namespace pinhole::sim::tls

#endif  // PINHOLE_SIM_TLS_TLS_ENVIRONMENT_H_
