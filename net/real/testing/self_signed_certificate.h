// `WriteSelfSignedCertificate`: a fresh key and a self-signed certificate for
// tests of TLS on loopback, made at run time so that none is checked in (a
// checked-in certificate expires, and its key is public).
//
//   absl::StatusOr<CertificateFiles> files =
//       WriteSelfSignedCertificate(::testing::TempDir() + "/server");
//   network->SetTlsServerConfig({.cert_chain_file = files->cert_file,
//                                .private_key_file = files->key_file});
//   network->SetTlsClientConfig({.ca_file = files->cert_file});
//
// The certificate is its own trust anchor: give its file as the client's
// `ca_file`.
#ifndef PINHOLE_NET_REAL_TESTING_SELF_SIGNED_CERTIFICATE_H_
#define PINHOLE_NET_REAL_TESTING_SELF_SIGNED_CERTIFICATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace pinhole::net::real {

struct SelfSignedCertificateOptions {
  // In OpenSSL's configuration syntax: "IP:192.0.2.1", "DNS:turn.example".
  std::vector<std::string> subject_alt_names = {"IP:127.0.0.1", "IP:::1",
                                                "DNS:localhost"};
  std::string common_name = "Pinhole test";
};

struct CertificateFiles {
  std::string cert_file;  // PEM certificate.
  std::string key_file;   // PEM private key (PKCS #8, unencrypted).
};

// Makes an EC P-256 key and a self-signed X.509 v3 certificate for it, valid
// from an hour ago (clocks differ) for a day, a CA of itself
// (basicConstraints CA:TRUE) usable as a TLS server's certificate, and
// writes cert.pem and key.pem into `directory`, which is made if missing (its
// parent must exist). Errors name the step or file that failed.
absl::StatusOr<CertificateFiles> WriteSelfSignedCertificate(
    const std::string& directory,
    const SelfSignedCertificateOptions& options = {});

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_TESTING_SELF_SIGNED_CERTIFICATE_H_
