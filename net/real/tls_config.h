// `TlsServerConfig` and `TlsClientConfig`: what `RealNetwork` needs to speak
// TLS over TCP (RFC 8656 §3.1: TURN over TLS, on TCP 443 or 5349). Plain
// values; `RealNetwork::SetTlsServerConfig` and `SetTlsClientConfig` load and
// check them (see tls_context.h).
#ifndef PINHOLE_NET_REAL_TLS_CONFIG_H_
#define PINHOLE_NET_REAL_TLS_CONFIG_H_

#include <string>
#include <vector>

#include "net/time.h"

namespace pinhole::net::real {

// How long a TLS handshake may take, from the TCP connection being up to the
// handshake's end, before the stream is given up (DeadlineExceeded on the
// client; a silent drop on the server). It bounds what a peer that connects
// and says nothing can hold.
inline constexpr Duration kDefaultTlsHandshakeTimeout = Duration::Seconds(10);

struct TlsServerConfig {
  // PEM: the server's certificate first, then the intermediates, if any.
  std::string cert_chain_file;
  // PEM: the private key of the first certificate (unencrypted).
  std::string private_key_file;
  // ALPN (RFC 7301) protocols the server accepts, e.g. "stun.turn" (RFC 7443).
  // The server picks the client's most preferred one it accepts; a client
  // that offers ALPN but none of these is refused (no_application_protocol
  // alert); a client that offers none is served. Empty: ALPN is ignored.
  std::vector<std::string> alpn_protocols;
  Duration handshake_timeout = kDefaultTlsHandshakeTimeout;
};

struct TlsClientConfig {
  // PEM bundle of the certificate authorities to trust; empty: OpenSSL's
  // default verify paths (the system's store, /etc/ssl/certs on Debian).
  std::string ca_file;
  // Whether the server's certificate is checked at all. Off, anyone who can
  // reach the path can pose as the server: for tests and lab set-ups only.
  bool verify_peer = true;
  // Sent as SNI and checked against the certificate's DNS names. Empty (or an
  // IP address literal): no SNI, and the certificate must name the remote IP
  // address (an iPAddress subjectAltName), as a TURN URI with an IP literal
  // needs (RFC 7065, "turns:192.0.2.1").
  std::string server_name;
  // ALPN (RFC 7301) protocols offered, most preferred first.
  std::vector<std::string> alpn_protocols;
  Duration handshake_timeout = kDefaultTlsHandshakeTimeout;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_TLS_CONFIG_H_
