// Fixed TLS credentials for tests and for the simulator's default TLS
// configuration (sim/tls/), compiled into the binary from
// net/tls/testdata/*.pem (see testdata/README.md for how they were made).
// Made once, they need neither randomness nor the wall clock, so runs that
// use them replay byte for byte.
//
// - The test CA: "Pinhole simulator test CA", self-signed, EC P-256.
// - The test server: "turn.pinhole.test", signed by the test CA, EC P-256,
//   serverAuth, with subjectAltNames DNS:turn.pinhole.test and the IP
//   addresses 198.51.100.1, 198.51.100.2 and 2001:db8:100::1 (the public
//   server of sim/testing's networks).
// - The untrusted CA: another self-signed CA, which signed nothing here: a
//   client that trusts only it rejects the test server.
// All are valid from 2020-01-01 to 2120-01-01 (UTC). The keys are public:
// never use them outside tests and simulations.
#ifndef PINHOLE_NET_TLS_TEST_CREDENTIALS_H_
#define PINHOLE_NET_TLS_TEST_CREDENTIALS_H_

#include "absl/strings/string_view.h"

namespace pinhole::net::tls {

// PEM texts.
absl::string_view TestCaCertificatePem();
absl::string_view TestServerCertificatePem();
absl::string_view TestServerPrivateKeyPem();
absl::string_view UntrustedCaCertificatePem();

}  // namespace pinhole::net::tls

#endif  // PINHOLE_NET_TLS_TEST_CREDENTIALS_H_
