// `SimTlsConfig`: what a simulated host's TLS needs (sim/tls/install_tls.h).
// Plain values; every default is usable as it is: the host serves the
// embedded test certificate (net/tls/test_credentials.h) and trusts the
// embedded test CA.
#ifndef PINHOLE_SIM_TLS_SIM_TLS_CONFIG_H_
#define PINHOLE_SIM_TLS_SIM_TLS_CONFIG_H_

#include <cstdint>
#include <string>

#include "net/time.h"

namespace pinhole::sim::tls {

struct SimTlsConfig {
  // --- As a server (listening on kTls addresses).
  // PEM: the certificate first, then intermediates. Empty: the test server
  // certificate ("turn.pinhole.test", 198.51.100.1, 198.51.100.2,
  // 2001:db8:100::1, signed by the test CA).
  std::string cert_chain_pem;
  // PEM: the certificate's private key, unencrypted. Empty: the test server's
  // key (with the default chain only).
  std::string private_key_pem;

  // --- As a client (connecting to kTls addresses).
  // PEM bundle of the CAs to trust. Empty: the test CA.
  std::string trusted_ca_pem;
  // Whether the server's certificate is checked at all.
  bool verify_peer = true;
  // Whether the certificate must also name the server: `server_name` (a DNS
  // name, checked against the certificate's DNS names) or, when that is
  // empty, the remote IP address (an iPAddress subjectAltName).
  bool verify_server_identity = false;
  // Sent as SNI (when not empty) and checked as above.
  std::string server_name;

  // --- Both.
  // How long a handshake may take from TCP being up: a client's stream then
  // fails with DeadlineExceeded; a server's is dropped.
  net::Duration handshake_timeout = net::Duration::Seconds(10);
  // Certificates are checked at this instant (seconds since 1970 UTC) plus
  // the simulated time, never at the wall clock's: 2025-01-01T00:00:00Z.
  int64_t verification_epoch_unix_seconds = 1735689600;
};

}  // namespace pinhole::sim::tls

#endif  // PINHOLE_SIM_TLS_SIM_TLS_CONFIG_H_
