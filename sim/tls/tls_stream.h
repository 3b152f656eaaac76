// `TlsStream`: a `net::TcpStream` of protocol `kTls` on a simulated host:
// TLS (OpenSSL, through `net::tls::TlsSession`) over a stream of the host's
// simulated TCP (sim/tcp/host_tcp.h). The TLS layer only turns plaintext into
// records and back; connecting, retransmission, the end of an orderly close
// and the choice of ports are the TCP stream's. Made by the host's TLS
// handler (install_tls.h), never directly.
//
// It keeps net/tcp_stream.h's contract and HostTcp's choices (callbacks never
// run inside a call into the stream: they follow TCP's, which are events of
// their own, and a failure found inside a call is reported by a timer at the
// same simulated instant), with these differences, the same as the
// real-socket backend's `RealTlsStream`:
// - A client's `on_connected` runs once the TLS handshake has completed, not
//   when TCP has. Bytes written before then are encrypted and sent after it.
// - A server stream (`Accept`) runs `on_connected` at the end of its
//   handshake; the TLS listener uses it to hand the stream over, so an accept
//   callback only sees established streams.
// - The handshake must complete within `SimTlsConfig::handshake_timeout` from
//   TCP being up, or the stream fails with DeadlineExceeded.
// - `on_closed` runs once: OK at the peer's close_notify, or at its FIN after
//   the handshake; DataLoss at a FIN in the middle of a TLS record;
//   Unauthenticated when the server's certificate fails verification (the
//   message says why, e.g. "certificate verify failed (unable to get local
//   issuer certificate)"); Unavailable for every other TLS failure and for a
//   FIN during the handshake; and the TCP stream's status when TCP breaks
//   (Unavailable "refused", DeadlineExceeded, ...). After a TLS failure the
//   stream sends the alert OpenSSL made, if any, then the FIN.
// - `Write` is all or nothing against the TCP stream's send buffer: the
//   largest size `data` can take as records, plus what waits to be
//   encrypted, must fit with `kControlReserve` to spare (room for alerts and
//   close_notify); ResourceExhausted otherwise.
// - `Close()` sends close_notify, then the FIN, after what is queued; before
//   the handshake completes it takes effect once it has. After the peer's
//   close_notify the stream may still write (half close) until `Close()`.
// - Destroying the stream after `Close()` or the peer's end finishes the
//   close in the background (close_notify included); destroying it before,
//   or before the handshake completed, aborts the connection (RST).
#ifndef PINHOLE_SIM_TLS_TLS_STREAM_H_
#define PINHOLE_SIM_TLS_TLS_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/tcp_stream.h"
#include "net/timer.h"
#include "net/tls/tls_session.h"
#include "net/transport_address.h"
#include "sim/host.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tls/tls_environment.h"

namespace pinhole::sim::tls {

// The host's TCP as the TLS streams see it: cleared when the TLS handler
// goes (with its host), after which the streams fail politely.
struct TcpLink {
  tcp::HostTcp* tcp = nullptr;
};

class TlsStream final : public net::TcpStream {
 public:
  static constexpr size_t kControlReserve = 16 * 1024;
  // At most this many plaintext bytes per `on_data` call.
  static constexpr size_t kReadSize = 16 * 1024;

  // Starts connecting from `local` to `remote`, both TLS addresses of one
  // family, as a client. Errors as `HostTcp::Connect`.
  static absl::StatusOr<std::unique_ptr<TlsStream>> Connect(
      Host& host, std::shared_ptr<TcpLink> link,
      std::shared_ptr<const TlsEnvironment> environment,
      const net::TransportAddress& local, const net::TransportAddress& remote,
      Callbacks callbacks);

  // The server side of the handshake over `tcp`, an accepted TCP stream
  // whose callbacks it takes over; `callbacks.on_connected` runs when the
  // handshake has completed.
  static absl::StatusOr<std::unique_ptr<TlsStream>> Accept(
      Host& host, std::shared_ptr<TcpLink> link,
      std::shared_ptr<const TlsEnvironment> environment,
      std::unique_ptr<net::TcpStream> tcp, Callbacks callbacks);

  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ~TlsStream() override;

  void SetCallbacks(Callbacks callbacks) override;
  net::TransportAddress local_address() const override;
  net::TransportAddress remote_address() const override;
  absl::Status Write(absl::Span<const uint8_t> data) override;
  size_t queued_bytes() const override;
  void Close() override;

  // "TLSv1.3" once established, else empty.
  std::string protocol_version() const;

 private:
  // Null once the stream is gone: callbacks check it after calling out.
  using Alive = std::weak_ptr<const int>;

  TlsStream(Host& host, std::shared_ptr<TcpLink> link,
            std::shared_ptr<const TlsEnvironment> environment,
            std::unique_ptr<net::tls::TlsSession> session, Callbacks callbacks);

  Callbacks TcpCallbacks();
  void OnTcpConnected();
  void OnTcpData(absl::Span<const uint8_t> data);
  void OnTcpClosed(const absl::Status& status);
  void OnHandshakeTimeout();

  void StartHandshakeTimer();
  void DriveHandshake(const Alive& alive);
  void OnEstablished(const Alive& alive);
  void ReadPlaintext(const Alive& alive);
  absl::Status Encrypt(absl::Span<const uint8_t> data);
  // Hands the TCP stream every record the TLS layer has made.
  absl::Status PushRecords();
  absl::Status SendClose();
  size_t SendBufferSpace() const;

  // `status` with this stream's description before its message.
  absl::Status Described(const absl::Status& status) const;
  void Fail(const absl::Status& status, const Alive& alive);
  void FailLater(const absl::Status& status);
  void AbandonTcp();
  void ReportClosed(const absl::Status& status, const Alive& alive);
  void DeliverDeferredClose();
  template <typename Member, typename... Args>
  void Invoke(Member member, const Alive& alive, Args&&... args);

  // "TLS 192.0.2.1:5000 -> 198.51.100.1:443".
  std::string Describe() const;

  Host& host_;
  const std::shared_ptr<TcpLink> link_;
  // Outlives `session_`, whose SSL was made in it.
  const std::shared_ptr<const TlsEnvironment> environment_;
  std::unique_ptr<net::tls::TlsSession> session_;
  std::unique_ptr<net::TcpStream> tcp_;
  Callbacks callbacks_;
  uint64_t callbacks_version_ = 0;
  // Plaintext written before the handshake completed.
  std::vector<uint8_t> pending_;
  size_t pending_wire_bytes_ = 0;
  std::vector<uint8_t> records_;  // Scratch for `PushRecords`.
  bool established_ = false;      // The handshake completed.
  bool close_requested_ = false;  // Close() was called.
  bool close_sent_ = false;       // close_notify and the FIN were handed on.
  bool peer_ended_ = false;       // The peer's close_notify or FIN came.
  bool failed_ = false;           // Nothing more is read or written.
  bool closed_reported_ = false;  // on_closed ran or is due.
  std::optional<absl::Status> deferred_close_;
  std::unique_ptr<net::Timer> deferred_;  // Delivers `deferred_close_`.
  std::unique_ptr<net::Timer> handshake_timer_;
  const std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

}  // namespace pinhole::sim::tls

#endif  // PINHOLE_SIM_TLS_TLS_STREAM_H_
