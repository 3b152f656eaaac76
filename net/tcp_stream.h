// `TcpStream` and `TcpListener`: reliable byte streams, for TURN over TCP and
// TLS (RFC 8656 §3.1, RFC 6062) and ICE-TCP (RFC 6544). Streams carry bytes,
// not messages: framing is the protocol's business (STUN and ChannelData carry
// their own lengths).
//
// Contract for every implementation:
// - Callbacks run on the network's thread, never while a method of the stream
// is running.
// - An outgoing stream calls `on_connected` once established, or `on_closed`
// with an error
//   (refused, unreachable, timed out) if it never is.
// - `on_data` delivers bytes in order, possibly split or joined differently
// from how the peer
//   wrote them. The span is valid only during the call.
// - `on_closed` runs at most once: OK when the peer closed in an orderly way
// after sending all
//   its data, an error when the stream broke (reset, timed out). No callback
//   follows it.
// - Destroying a stream aborts it (no further callbacks); `Close()` first for
// an orderly end.
// - A stream of protocol `kTls` is TLS over TCP: the bytes seen here are the
// plaintext.
#ifndef PINHOLE_NET_TCP_STREAM_H_
#define PINHOLE_NET_TCP_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "net/transport_address.h"

namespace pinhole::net {

class TcpStream {
 public:
  struct Callbacks {
    absl::AnyInvocable<void()> on_connected;
    absl::AnyInvocable<void(absl::Span<const uint8_t> data)> on_data;
    absl::AnyInvocable<void(const absl::Status& status)> on_closed;
  };

  virtual ~TcpStream() = default;

  // Replaces the callbacks. An accepted stream must be given its callbacks
  // before the accept callback returns: no data is delivered before then.
  virtual void SetCallbacks(Callbacks callbacks) = 0;

  virtual TransportAddress local_address() const = 0;
  virtual TransportAddress remote_address() const = 0;

  // Queues `data` to be sent in order, after everything written before. Fails
  // once the stream is closing or closed, or when more than the
  // implementation's send-buffer limit would be waiting (see `queued_bytes()`);
  // nothing of a failed write is sent.
  virtual absl::Status Write(absl::Span<const uint8_t> data) = 0;

  // Bytes written but not yet handed to the network.
  virtual size_t queued_bytes() const = 0;

  // Orderly close: queued data is sent, then the stream ends (FIN). The peer
  // may still send; `on_closed` follows when it closes too.
  virtual void Close() = 0;
};

class TcpListener {
 public:
  // Receives each accepted stream; it must set the stream's callbacks before
  // returning.
  using AcceptCallback =
      absl::AnyInvocable<void(std::unique_ptr<TcpStream> stream)>;

  virtual ~TcpListener() = default;

  // The listening address, with the port the network chose when listen asked
  // for port 0.
  virtual TransportAddress local_address() const = 0;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_TCP_STREAM_H_
