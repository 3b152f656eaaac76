// `SignallingChannel`: the line channel `pinhole ice-peer` exchanges its ICE
// parameters and candidates on, one SDP attribute a line (ice/sdp.h). Either
// the process's own stdin and stdout (a human pastes lines, or a pair of
// FIFOs joins two processes), or one TCP connection: one side listens, the
// other connects (and tries again every `kConnectRetry` while it is
// refused, so the two may start in any order).
//
// Lines sent before the channel is open wait for it. Lines received are cut
// by `LineSplitter`: over-long ones arrive cut, for the parser to refuse.
// Everything runs on the network's loop thread; callbacks run from the loop,
// never inside a method of the channel.
#ifndef PINHOLE_TOOLS_SIGNALLING_CHANNEL_H_
#define PINHOLE_TOOLS_SIGNALLING_CHANNEL_H_

#include <cstddef>
#include <memory>
#include <optional>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/network.h"
#include "net/real/real_network.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::tools {

class SignallingChannel {
 public:
  static constexpr net::Duration kConnectRetry =
      net::Duration::Milliseconds(100);

  struct Callbacks {
    // The TCP connection to the peer is established (never for stdio,
    // which is open from the start).
    absl::AnyInvocable<void(const net::TransportAddress& peer)> on_open;
    // A line from the peer, without its ending.
    absl::AnyInvocable<void(absl::string_view line)> on_line;
    // The peer's side ended: OK at an orderly end (end of stdin, the peer's
    // FIN), the error otherwise. No line follows.
    absl::AnyInvocable<void(const absl::Status& status)> on_closed;
  };

  // Reads stdin (through the loop when it is a pipe, a FIFO, a socket or a
  // terminal; all at once when it is a file) and writes stdout, where
  // nothing else may write. SIGPIPE is ignored from then on: a peer gone
  // makes writes fail instead of killing the process.
  static absl::StatusOr<std::unique_ptr<SignallingChannel>> Stdio(
      net::real::RealNetwork& network, size_t max_line_length,
      Callbacks callbacks);
  // Accepts one connection at `local` (TCP; port 0 lets the system choose:
  // see listening_address()); later ones are refused.
  static absl::StatusOr<std::unique_ptr<SignallingChannel>> Listen(
      net::Network& network, const net::TransportAddress& local,
      size_t max_line_length, Callbacks callbacks);
  // Connects to `remote` (TCP), again and again while it is refused.
  static absl::StatusOr<std::unique_ptr<SignallingChannel>> Connect(
      net::Network& network, const net::TransportAddress& remote,
      size_t max_line_length, Callbacks callbacks);

  SignallingChannel(const SignallingChannel&) = delete;
  SignallingChannel& operator=(const SignallingChannel&) = delete;
  virtual ~SignallingChannel() = default;

  // Sends `line` and an LF, now or once the channel is open. Lines sent
  // after the channel failed are dropped.
  virtual void Send(absl::string_view line) = 0;
  // This side is done: what is queued goes, then the end of the stream (the
  // FIN; stdout is flushed and ends when the process does).
  virtual void Close() = 0;
  // Where Listen listens; nullopt for the others.
  virtual std::optional<net::TransportAddress> listening_address() const {
    return std::nullopt;
  }

 protected:
  SignallingChannel() = default;
};

}  // namespace pinhole::tools

#endif  // PINHOLE_TOOLS_SIGNALLING_CHANNEL_H_
