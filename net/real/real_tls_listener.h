// `RealTlsListener`: a `net::TcpListener` of protocol `kTls`, over a
// `RealTcpListener`.
//
// Each accepted TCP connection first completes its TLS handshake as a server
// of the listener's context; only then is it handed to the accept callback,
// as an established `RealTlsStream` (no `on_connected`, as for an accepted
// plain TCP stream). A connection whose handshake fails (a client that does
// not speak TLS, refuses the certificate, offers only unknown ALPN protocols)
// or does not complete within the context's `handshake_timeout` is closed
// without reaching the callback. At most `kMaxHandshakes` handshakes run at
// once; connections beyond are reset at once, so that clients that connect
// and stay silent cannot make the listener hold unbounded state.
//
// Destroying the listener aborts the handshakes in progress; streams already
// handed over are not affected. The accept callback may destroy the listener.
#ifndef PINHOLE_NET_REAL_REAL_TLS_LISTENER_H_
#define PINHOLE_NET_REAL_REAL_TLS_LISTENER_H_

#include <cstddef>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/real_tls_stream.h"
#include "net/real/tls_context.h"
#include "net/tcp_stream.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

class RealTlsListener final : public TcpListener {
 public:
  static constexpr size_t kMaxHandshakes = 1024;

  // Listens at `local`, a TLS address, with `context` (a server's).
  static absl::StatusOr<std::unique_ptr<RealTlsListener>> Listen(
      EventLoop& loop, std::shared_ptr<const TlsContext> context,
      const TransportAddress& local, AcceptCallback on_accept);

  RealTlsListener(const RealTlsListener&) = delete;
  RealTlsListener& operator=(const RealTlsListener&) = delete;
  ~RealTlsListener() override;

  TransportAddress local_address() const override;

 private:
  RealTlsListener(EventLoop& loop, std::shared_ptr<const TlsContext> context,
                  AcceptCallback on_accept);

  void OnTcpAccepted(std::unique_ptr<TcpStream> tcp);
  void OnHandshakeDone(RealTlsStream* stream);
  void OnHandshakeFailed(RealTlsStream* stream);

  EventLoop& loop_;
  const std::shared_ptr<const TlsContext> context_;
  AcceptCallback on_accept_;
  std::unique_ptr<TcpListener> tcp_;
  // Streams whose handshake is in progress. Never iterated.
  absl::flat_hash_map<RealTlsStream*, std::unique_ptr<RealTlsStream>>
      handshaking_;
  Liveness liveness_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_REAL_TLS_LISTENER_H_
