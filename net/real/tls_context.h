// `TlsContext`: a checked, loaded TLS configuration (an OpenSSL `SSL_CTX`),
// shared by every connection made with it, in one role: server or client.
//
// Both roles require TLS 1.2 or later, refuse renegotiation, and otherwise
// keep OpenSSL's default cipher suites, groups and signature algorithms. A
// server sends its certificate chain and asks for none from the client.
//
// A context is immutable once made, and is shared (`std::shared_ptr`) by the
// listeners and streams that use it: a new configuration on `RealNetwork`
// applies to listeners and connections made afterwards.
#ifndef PINHOLE_NET_REAL_TLS_CONTEXT_H_
#define PINHOLE_NET_REAL_TLS_CONTEXT_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "net/real/tls_config.h"
#include "net/time.h"

namespace pinhole::net::real {

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

class TlsContext {
 public:
  // Loads the certificate chain and key and checks that they match. Errors
  // name the file: NotFound or PermissionDenied when it cannot be opened,
  // InvalidArgument when it holds no usable PEM, the key does not match the
  // certificate, or an ALPN protocol name is empty or longer than 255 bytes.
  static absl::StatusOr<std::shared_ptr<const TlsContext>> ForServer(
      const TlsServerConfig& config);
  // Loads the trusted certificates (the CA file, or OpenSSL's default verify
  // paths), with errors as above.
  static absl::StatusOr<std::shared_ptr<const TlsContext>> ForClient(
      const TlsClientConfig& config);

  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext();

  bool is_server() const { return server_; }
  Duration handshake_timeout() const { return handshake_timeout_; }
  // Whether a client checks the server's certificate (always false for a
  // server, which asks for no certificate).
  bool verifies_peer() const { return !server_ && verify_peer_; }

  // A connection's TLS state, in this context's role. A client's checks the
  // server's certificate against the configured server name or, without one,
  // against `remote` (see tls_config.h). The context must outlive it.
  absl::StatusOr<SslPtr> NewConnection(const IpAddress& remote) const;

 private:
  TlsContext(SSL_CTX* ctx, bool server, Duration handshake_timeout);

  // RFC 7301 §3.2: the client's most preferred protocol the server accepts.
  static int SelectAlpn(SSL* ssl, const unsigned char** out,
                        unsigned char* out_length, const unsigned char* offered,
                        unsigned int offered_length, void* context);

  SSL_CTX* const ctx_;
  const bool server_;
  const Duration handshake_timeout_;
  // Client.
  bool verify_peer_ = true;
  std::string server_name_;
  // Server: the accepted ALPN protocols, in RFC 7301 wire form (each name
  // preceded by its length).
  std::string alpn_wire_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_TLS_CONTEXT_H_
