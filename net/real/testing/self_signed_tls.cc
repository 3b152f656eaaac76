#include "net/real/testing/self_signed_tls.h"

#include "absl/status/statusor.h"
#include "net/real/testing/self_signed_certificate.h"
#include "net/real/tls_config.h"

namespace pinhole::net::real {

absl::Status UseSelfSignedTls(RealNetwork& network,
                              const std::string& directory,
                              const std::vector<std::string>& alpn_protocols) {
  absl::StatusOr<CertificateFiles> files =
      WriteSelfSignedCertificate(directory);
  if (!files.ok()) return files.status();
  TlsServerConfig server;
  server.cert_chain_file = files->cert_file;
  server.private_key_file = files->key_file;
  server.alpn_protocols = alpn_protocols;
  if (absl::Status status = network.SetTlsServerConfig(server); !status.ok()) {
    return status;
  }
  TlsClientConfig client;
  client.ca_file = files->cert_file;
  client.alpn_protocols = alpn_protocols;
  return network.SetTlsClientConfig(client);
}

}  // namespace pinhole::net::real
