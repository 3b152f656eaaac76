// `RealTlsStream`: a `net::TcpStream` of protocol `kTls`: TLS (OpenSSL) over
// a plain `RealTcpStream`, through memory BIOs. The TLS layer only turns
// plaintext into records and back; connecting, sending, fairness, errors of
// the socket and the background end of an orderly close are the TCP stream's
// (see README.md, "TLS", for why).
//
// It keeps net/tcp_stream.h's contract and `RealTcpStream`'s choices, with
// these differences:
// - A client's `on_connected` runs once the TLS handshake has completed, not
//   when TCP has. Bytes written before then are encrypted and sent after it.
// - A server stream (`Accept`) runs `on_connected` at the end of its
//   handshake too; `RealTlsListener` uses it to hand the stream over, so the
//   accept callback only ever sees established streams, as with plain TCP.
// - The handshake must complete within the context's `handshake_timeout`
//   (counted from TCP being up), or the stream fails with DeadlineExceeded.
// - `on_closed` runs once: OK at the peer's close_notify, or at its FIN after
//   the handshake (many TLS stacks close without close_notify; STUN and
//   ChannelData frame themselves, so a cut is seen by the framing anyway);
//   DataLoss at a FIN in the middle of a TLS record; Unauthenticated when the
//   server's certificate fails verification; Unavailable for every other TLS
//   failure (a handshake failure, an alert from the peer, a peer that does
//   not speak TLS, a FIN during the handshake); and the TCP stream's status
//   when TCP breaks. A TLS failure's message carries OpenSSL's reasons (e.g.
//   "certificate verify failed (IP address mismatch)"). After a TLS failure
//   the stream sends the alert OpenSSL made, if any, then the FIN.
// - `Write` limits what waits by its size on the wire: `queued_bytes()` (the
//   plaintext not yet encrypted plus the records not yet handed to the
//   kernel) plus the largest size `data` can take as records must stay
//   within `kSendBufferLimit`, which leaves the TCP stream room for alerts
//   and close_notify. Many small writes therefore fill it sooner than one
//   large write of the same bytes: each becomes a record of its own.
// - `Close()` sends close_notify, then the FIN, after what is queued; before
//   the handshake completes it takes effect once it has. After the peer's
//   close_notify the stream may still write (half close) until `Close()`.
// - Destroying the stream after `Close()` or the peer's end finishes the
//   close in the background (close_notify included); destroying it before,
//   or before the handshake completed, aborts the connection (RST).
#ifndef PINHOLE_NET_REAL_REAL_TLS_STREAM_H_
#define PINHOLE_NET_REAL_REAL_TLS_STREAM_H_

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/loop_timer.h"
#include "net/real/real_tcp_stream.h"
#include "net/real/send_queue.h"
#include "net/real/tls_context.h"
#include "net/tcp_stream.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

class RealTlsStream final : public TcpStream {
 public:
  // Room kept in the TCP stream's send buffer beyond what `Write` may fill,
  // for records the TLS layer sends on its own (alerts, close_notify, a TLS
  // 1.3 KeyUpdate answer).
  static constexpr size_t kControlReserve = 64 * 1024;
  static constexpr size_t kSendBufferLimit =
      RealTcpStream::kSendBufferLimit - kControlReserve;
  // At most this many plaintext bytes per `on_data` call.
  static constexpr size_t kReadSize = RealTcpStream::kReadSize;

  // Starts connecting from `local` to `remote`, both TLS addresses of one
  // family, as a client of `context`. Errors as `RealTcpStream::Connect`.
  static absl::StatusOr<std::unique_ptr<RealTlsStream>> Connect(
      EventLoop& loop, std::shared_ptr<const TlsContext> context,
      const TransportAddress& local, const TransportAddress& remote,
      Callbacks callbacks);

  // The server side of the handshake over `tcp`, an accepted TCP stream
  // whose callbacks it takes over; `callbacks.on_connected` runs when the
  // handshake has completed.
  static absl::StatusOr<std::unique_ptr<RealTlsStream>> Accept(
      EventLoop& loop, std::shared_ptr<const TlsContext> context,
      std::unique_ptr<TcpStream> tcp, Callbacks callbacks);

  RealTlsStream(const RealTlsStream&) = delete;
  RealTlsStream& operator=(const RealTlsStream&) = delete;
  ~RealTlsStream() override;

  void SetCallbacks(Callbacks callbacks) override;
  TransportAddress local_address() const override;
  TransportAddress remote_address() const override;
  absl::Status Write(absl::Span<const uint8_t> data) override;
  size_t queued_bytes() const override;
  void Close() override;

  // The ALPN protocol (RFC 7301) the handshake agreed on; empty before it
  // completes or when none was.
  std::string alpn_protocol() const;

 private:
  RealTlsStream(EventLoop& loop, std::shared_ptr<const TlsContext> context,
                SslPtr ssl, Callbacks callbacks);

  // Memory BIOs between the TLS layer and the TCP stream.
  absl::Status AttachBios();
  // Routes the TCP stream's callbacks here.
  TcpStream::Callbacks TcpCallbacks();

  void OnTcpConnected();
  void OnTcpData(absl::Span<const uint8_t> data);
  void OnTcpClosed(const absl::Status& status);
  void OnHandshakeTimeout();

  void StartHandshakeTimer();
  void DriveHandshake(const Liveness::Scope& scope);
  void OnEstablished(const Liveness::Scope& scope);
  // Decrypts what has arrived and delivers it, up to `kReadSize` bytes a
  // call; reports the peer's close_notify or a failure.
  void ReadPlaintext(const Liveness::Scope& scope);

  // Records `data` and hands the records to the TCP stream.
  absl::Status Encrypt(absl::Span<const uint8_t> data);
  // Hands the TCP stream every record the TLS layer has written.
  absl::Status PushRecords();
  // close_notify after what is queued, then the FIN. Requires the handshake
  // to have completed.
  absl::Status SendClose();
  // A memory BIO keeps the largest buffer it ever held; a connection that was
  // busy once should not hold it while idle.
  void ReleaseIdleBuffers();

  // The largest size `size` plaintext bytes take as TLS records.
  size_t WireSize(size_t size) const;
  size_t QueuedWireBytes() const;

  // A TLS failure of `what` ("handshake", "read", "write") that OpenSSL
  // reported as `ssl_error`, with its reasons.
  absl::Status TlsError(absl::string_view what, int ssl_error) const;
  // The stream broke, found during a batch: reports it now.
  void Fail(const absl::Status& status, const Liveness::Scope& scope);
  // The stream broke, found inside a method: reports it in the next batch.
  void FailLater(const absl::Status& status);
  // Sends the alert OpenSSL made, if any, then the FIN.
  void AbandonTcp();
  void ReportClosed(const absl::Status& status, const Liveness::Scope& scope);
  void DeliverDeferredClose();
  template <typename Member, typename... Args>
  void Invoke(Member member, const Liveness::Scope& scope, Args&&... args);

  // "TLS 192.0.2.1:5000 -> 198.51.100.1:443".
  std::string Describe() const;

  EventLoop& loop_;
  // Outlives `ssl_`, which its ALPN callback points into.
  const std::shared_ptr<const TlsContext> context_;
  SslPtr ssl_;
  BIO* network_in_ = nullptr;   // Owned by `ssl_`: records from the peer.
  BIO* network_out_ = nullptr;  // Owned by `ssl_`: records to the peer.
  std::unique_ptr<TcpStream> tcp_;
  Callbacks callbacks_;
  uint64_t callbacks_version_ = 0;
  // Plaintext written before the handshake completed.
  SendQueue pending_;
  size_t pending_wire_bytes_ = 0;
  // The most plaintext one record carries (less than 16 KiB when the peer
  // negotiated a max_fragment_length, RFC 6066 §4).
  size_t record_size_;
  bool established_ = false;      // The handshake completed.
  bool close_requested_ = false;  // Close() was called.
  bool close_sent_ = false;       // close_notify and the FIN were handed on.
  bool peer_ended_ = false;       // The peer's close_notify or FIN came.
  bool failed_ = false;           // Nothing more is read or written.
  bool closed_reported_ = false;  // on_closed ran or is due.
  std::optional<absl::Status> deferred_close_;
  LoopTimer deferred_;  // Delivers `deferred_close_`.
  LoopTimer handshake_timer_;
  Liveness liveness_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_REAL_TLS_STREAM_H_
