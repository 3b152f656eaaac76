// `TlsSession`: one TLS connection (OpenSSL) as a sans-IO engine. It owns an
// `SSL` whose records go through memory BIOs: the caller feeds in the
// ciphertext the peer sent, drives the handshake, reads and writes plaintext,
// and takes out the ciphertext to send. It owns no socket, no timer and no
// clock, so the same engine serves any byte stream (the simulator's TCP, a
// real socket).
//
//     peer ciphertext ──Feed──> TlsSession ──Read──> plaintext
//     plaintext ──Write/Close──> TlsSession ──TakeCiphertext──> to the peer
//
// Contract:
// - `Handshake()` after every `Feed` until `established()`; then `Read()`
//   until it returns no bytes. Every call may produce ciphertext (handshake
//   flights, a TLS 1.3 KeyUpdate answer, alerts): take it out after each.
// - Errors are statuses whose message carries OpenSSL's reasons, e.g.
//   "TLS handshake: certificate verify failed (certificate has expired)":
//   Unauthenticated when this is a client that checks the server's
//   certificate and the check failed, Unavailable for every other TLS
//   failure (a handshake failure, an alert from the peer, bytes that are not
//   TLS). After a failure the alert OpenSSL made, if any, is in the
//   ciphertext to send; the session is of no further use.
// - `Write` cuts the plaintext into records of at most `record_size()`
//   bytes, one `SSL_write` each, so the ciphertext of `n` bytes is at most
//   `WireSize(n)`.
// - One thread. The `SSL`'s context (and its library context) must outlive
//   the session.
#ifndef PINHOLE_NET_TLS_TLS_SESSION_H_
#define PINHOLE_NET_TLS_TLS_SESSION_H_

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pinhole::net::tls {

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPointer = std::unique_ptr<SSL, SslFree>;

class TlsSession {
 public:
  // A record's header plus the most its protection adds (IV, MAC or tag,
  // padding), whatever the cipher suite.
  static constexpr size_t kMaxRecordOverhead =
      SSL3_RT_HEADER_LENGTH + SSL3_RT_MAX_ENCRYPTED_OVERHEAD;

  // Takes `ssl`, made for its role (client or server) with whatever checks
  // and SNI it needs, and gives it memory BIOs. ResourceExhausted when they
  // cannot be allocated.
  static absl::StatusOr<std::unique_ptr<TlsSession>> Create(SslPointer ssl);

  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;
  ~TlsSession();

  // Ciphertext from the peer, in order.
  absl::Status Feed(absl::Span<const uint8_t> ciphertext);

  // Advances the handshake with what was fed. OK both while it waits for
  // more and once it has completed (`established()`).
  absl::Status Handshake();
  bool established() const { return established_; }

  struct ReadResult {
    size_t size = 0;           // Plaintext bytes put at the start of buffer.
    bool peer_closed = false;  // The peer's close_notify came after them.
  };
  // Decrypts what was fed into `buffer`, as much as fits. After the peer's
  // close_notify, reads nothing more. Requires `established()`.
  absl::StatusOr<ReadResult> Read(absl::Span<uint8_t> buffer);

  // Encrypts `plaintext`, all of it, into records. Requires `established()`.
  absl::Status Write(absl::Span<const uint8_t> plaintext);

  // Sends close_notify (once). The peer's is awaited by reading, as data is.
  // Requires `established()`.
  absl::Status Close();

  // The ciphertext waiting to go to the peer.
  size_t pending_ciphertext() const;
  // Appends it to `out` and forgets it.
  void TakeCiphertext(std::vector<uint8_t>& out);

  // Whether part of a record was fed but not decrypted yet: the peer's FIN
  // now means the stream was cut.
  bool HasPartialRecord() const;

  // The most plaintext one record carries: 16 KiB, or less when the peer
  // negotiated a max_fragment_length (RFC 6066 §4).
  size_t record_size() const { return record_size_; }
  // The largest size `size` plaintext bytes take as records.
  size_t WireSize(size_t size) const;

  // The ALPN protocol (RFC 7301) the handshake agreed on; empty before it
  // completes or when none was.
  std::string alpn_protocol() const;
  // "TLSv1.3" once established.
  std::string protocol_version() const;

  // A memory BIO keeps the largest buffer it ever held; a connection that was
  // busy once should not hold it while idle. Call when nothing is pending.
  void ReleaseIdleBuffers();

  SSL* ssl() const { return ssl_.get(); }

 private:
  explicit TlsSession(SslPointer ssl);
  void OnEstablished();
  // Follows the record framing (5-byte header with the body's length) of
  // what was fed.
  void TrackRecords(absl::Span<const uint8_t> ciphertext);
  // A TLS failure of `what` ("handshake", "read", "write", "close") that
  // OpenSSL reported as `ssl_error`, with its reasons.
  absl::Status Error(absl::string_view what, int ssl_error) const;

  SslPointer ssl_;
  BIO* network_in_ = nullptr;   // Owned by `ssl_`: records from the peer.
  BIO* network_out_ = nullptr;  // Owned by `ssl_`: records to the peer.
  size_t record_size_ = SSL3_RT_MAX_PLAIN_LENGTH;
  bool established_ = false;
  bool peer_closed_ = false;
  bool close_sent_ = false;
  // The incoming record being fed: its header so far, then its body's
  // bytes still to come.
  uint8_t header_[SSL3_RT_HEADER_LENGTH] = {};
  size_t header_size_ = 0;
  size_t body_left_ = 0;
};

}  // namespace pinhole::net::tls

#endif  // PINHOLE_NET_TLS_TLS_SESSION_H_
