// `UseSelfSignedTls`: a `RealNetwork` that serves TLS with a fresh
// self-signed certificate and, as a client, trusts exactly that certificate:
// the set-up of every test that runs TLS on loopback within one loop.
#ifndef PINHOLE_NET_REAL_TESTING_SELF_SIGNED_TLS_H_
#define PINHOLE_NET_REAL_TESTING_SELF_SIGNED_TLS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "net/real/real_network.h"

namespace pinhole::net::real {

// Writes the certificate and key into `directory` (see
// WriteSelfSignedCertificate) and sets both TLS configurations of `network`,
// offering and accepting `alpn_protocols`.
absl::Status UseSelfSignedTls(RealNetwork& network,
                              const std::string& directory,
                              const std::vector<std::string>& alpn_protocols);

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_TESTING_SELF_SIGNED_TLS_H_
