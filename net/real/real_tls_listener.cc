#include "net/real/real_tls_listener.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/real_tcp_listener.h"
#include "net/real/real_tls_stream.h"
#include "net/real/tls_context.h"
#include "net/tcp_stream.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

absl::StatusOr<std::unique_ptr<RealTlsListener>> RealTlsListener::Listen(
    EventLoop& loop, std::shared_ptr<const TlsContext> context,
    const TransportAddress& local, AcceptCallback on_accept) {
  if (local.protocol() != TransportProtocol::kTls || !context->is_server()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a TLS listener needs a TLS address and a server context, not ",
        local.ToString()));
  }
  std::unique_ptr<RealTlsListener> listener(
      new RealTlsListener(loop, std::move(context), std::move(on_accept)));
  RealTlsListener* self = listener.get();
  absl::StatusOr<std::unique_ptr<RealTcpListener>> tcp =
      RealTcpListener::Listen(
          loop,
          TransportAddress(local.ip(), local.port(), TransportProtocol::kTcp),
          [self](std::unique_ptr<TcpStream> stream) {
            self->OnTcpAccepted(std::move(stream));
          });
  if (!tcp.ok()) return tcp.status();
  listener->tcp_ = *std::move(tcp);
  return listener;
}

RealTlsListener::RealTlsListener(EventLoop& loop,
                                 std::shared_ptr<const TlsContext> context,
                                 AcceptCallback on_accept)
    : loop_(loop),
      context_(std::move(context)),
      on_accept_(std::move(on_accept)) {}

RealTlsListener::~RealTlsListener() = default;

TransportAddress RealTlsListener::local_address() const {
  const TransportAddress tcp = tcp_->local_address();
  return TransportAddress(tcp.ip(), tcp.port(), TransportProtocol::kTls);
}

void RealTlsListener::OnTcpAccepted(std::unique_ptr<TcpStream> tcp) {
  // Destroying `tcp` here resets the connection.
  if (handshaking_.size() >= kMaxHandshakes) return;
  absl::StatusOr<std::unique_ptr<RealTlsStream>> stream =
      RealTlsStream::Accept(loop_, context_, std::move(tcp), {});
  if (!stream.ok()) return;
  RealTlsStream* raw = stream->get();
  raw->SetCallbacks({
      .on_connected = [this, raw] { OnHandshakeDone(raw); },
      .on_closed = [this, raw](const absl::Status&) { OnHandshakeFailed(raw); },
  });
  handshaking_.emplace(raw, *std::move(stream));
}

void RealTlsListener::OnHandshakeDone(RealTlsStream* stream) {
  auto it = handshaking_.find(stream);
  if (it == handshaking_.end()) return;
  std::unique_ptr<RealTlsStream> owned = std::move(it->second);
  handshaking_.erase(it);
  // Its callbacks point at this listener; the accept callback sets its own.
  owned->SetCallbacks({});
  if (!on_accept_) return;  // Closed: dropped.
  Liveness::Scope scope(liveness_);
  // Held here while it runs: it may destroy the listener.
  AcceptCallback callback = std::move(on_accept_);
  callback(std::move(owned));
  if (!scope.alive()) return;
  on_accept_ = std::move(callback);
}

void RealTlsListener::OnHandshakeFailed(RealTlsStream* stream) {
  auto it = handshaking_.find(stream);
  if (it == handshaking_.end()) return;
  // The stream has sent its alert and FIN; destroying it (inside its own
  // callback, which it allows) lets the TCP stream finish in the background.
  std::unique_ptr<RealTlsStream> failed = std::move(it->second);
  handshaking_.erase(it);
}

}  // namespace pinhole::net::real
