// `StreamDriver<Engine>`: binds a sans-IO STUN engine to TCP streams (RFC
// 8489 §6.2.2, RFC 8656 §3.1: STUN and TURN over TCP), as `net::UdpDriver`
// binds one to UDP sockets. The engine sees each STUN message or ChannelData
// frame that arrives on a connection as a datagram from the connection's
// remote address to its local one (protocol TCP), and each datagram it sends
// to a TCP address goes on the connection with that remote address:
//
// - `Listen(local)` accepts connections (a server): their frames reach the
//   engine, and the engine's answers go back on them;
// - a datagram to a TCP address with no connection yet opens one from the
//   datagram's `source` (a client: `0.0.0.0:0/tcp` lets the network choose),
//   and the bytes wait in the stream until it is established; unless the
//   source is a listening address (a server answering a client that has
//   gone): that is a send failure.
//
// Streams are cut into frames by `StreamFramer`: a stream whose framing
// breaks is closed. A connection that ends, fails or loses its framing is
// dropped, after the answers to the frames that came before; what the engine
// sends to it later opens a new one (clients) or is counted as a send failure
// (servers).
// At most `kMaxConnections` live at once: beyond that, accepted connections
// are closed at once and new outgoing ones are refused. An accepted
// connection silent in both directions for `set_idle_timeout` is closed
// (RFC 8489 §6.2.2 lets a server close a connection it judges timed out);
// outgoing ones are the engine's to keep.
//
// An engine that also sends UDP (a TURN server relays to peers over UDP)
// shares itself with a `net::UdpDriver`: datagrams to a UDP destination go to
// the sender set by `set_udp_sender`, and the UDP driver hands this one its
// stream datagrams through `Send`. `set_on_closed` learns of every
// connection that ends, whatever the reason.
//
// One thread: the network's. The engine and the network must outlive the
// driver.
#ifndef PINHOLE_STUN_STREAM_DRIVER_H_
#define PINHOLE_STUN_STREAM_DRIVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/drain.h"
#include "net/network.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "stun/channel_data.h"

namespace pinhole::stun {

template <typename Engine>
class StreamDriver {
 public:
  using Event = typename Engine::Event;
  using EventCallback = absl::AnyInvocable<void(Event)>;

  static constexpr size_t kMaxConnections = 4096;

  StreamDriver(net::Network& network, Engine& engine,
               EventCallback on_event = {})
      : network_(network),
        engine_(engine),
        on_event_(std::move(on_event)),
        timer_(network.CreateTimer([this] { OnTimer(); })),
        reaper_(network.CreateTimer([this] { Reap(); })),
        idle_sweeper_(network.CreateTimer([this] { SweepIdle(); })) {}
  StreamDriver(const StreamDriver&) = delete;
  StreamDriver& operator=(const StreamDriver&) = delete;

  // Closes accepted connections with no traffic either way for `timeout`;
  // nullopt (the default) keeps them until the peer closes.
  void set_idle_timeout(std::optional<net::Duration> timeout) {
    idle_timeout_ = timeout;
    ArmIdleSweep();
  }

  // Accepts TCP connections at `local` (port 0: the network chooses).
  // Returns the listening address.
  absl::StatusOr<net::TransportAddress> Listen(
      const net::TransportAddress& local) {
    absl::StatusOr<std::unique_ptr<net::TcpListener>> listener =
        network_.ListenTcp(local, [this](std::unique_ptr<net::TcpStream> s) {
          OnAccept(std::move(s));
        });
    if (!listener.ok()) return listener.status();
    const net::TransportAddress bound = (*listener)->local_address();
    listeners_.push_back(*std::move(listener));
    listening_.push_back(bound);
    return bound;
  }

  // Drains the engine after its owner called into it directly.
  void Flush() {
    if (flushing_) return;  // The outer Flush drains everything.
    flushing_ = true;
    net::DrainEngine(
        engine_, [this](const net::Datagram& datagram) { Send(datagram); },
        on_event_, *timer_);
    flushing_ = false;
  }

  // Where datagrams to a UDP destination go (see above).
  void set_udp_sender(absl::AnyInvocable<void(const net::Datagram&)> send) {
    udp_sender_ = std::move(send);
  }

  // Called with (remote, local) when a connection ends: closed by the peer,
  // failed, broken framing or idle.
  void set_on_closed(
      absl::AnyInvocable<void(const net::TransportAddress& remote,
                              const net::TransportAddress& local)>
          on_closed) {
    on_closed_ = std::move(on_closed);
  }

  // Sends `datagram` on the connection to its destination (opening one for a
  // client), as a drained transmit is.
  void Send(const net::Datagram& datagram) {
    if (datagram.destination.protocol() == net::TransportProtocol::kUdp &&
        udp_sender_) {
      return udp_sender_(datagram);
    }
    auto it = connections_.find(datagram.destination);
    if (it == connections_.end()) {
      // A server's answer to a connection that is gone has no way back.
      if (IsListening(datagram.source)) {
        return Fail(absl::FailedPreconditionError(
            "no connection to " + datagram.destination.ToString()));
      }
      absl::Status opened = Open(datagram.source, datagram.destination);
      if (!opened.ok()) return Fail(std::move(opened));
      it = connections_.find(datagram.destination);
    }
    it->second->last_activity = network_.clock().Now();
    if (absl::Status written = it->second->stream->Write(datagram.payload);
        !written.ok()) {
      Fail(std::move(written));
    }
  }

  size_t connections() const { return connections_.size(); }
  uint64_t send_failures() const { return send_failures_; }
  const absl::Status& first_send_failure() const { return first_failure_; }

 private:
  struct Connection {
    std::unique_ptr<net::TcpStream> stream;
    StreamFramer framer;
    net::TransportAddress local;
    bool accepted = false;
    net::Time last_activity;
  };

  void OnAccept(std::unique_ptr<net::TcpStream> stream) {
    const net::TransportAddress remote = stream->remote_address();
    if (connections_.size() >= kMaxConnections ||
        connections_.count(remote) != 0) {
      stream->SetCallbacks({});
      stream->Close();
      closing_.push_back(std::move(stream));
      reaper_->SetAt(network_.clock().Now());
      return;
    }
    Adopt(remote, std::move(stream)).accepted = true;
    ArmIdleSweep();
  }

  Connection& Adopt(const net::TransportAddress& remote,
                    std::unique_ptr<net::TcpStream> stream) {
    auto connection = std::make_unique<Connection>();
    connection->local = stream->local_address();
    connection->last_activity = network_.clock().Now();
    connection->stream = std::move(stream);
    net::TcpStream& raw = *connection->stream;
    raw.SetCallbacks(net::TcpStream::Callbacks{
        [this, remote] { OnConnected(remote); },
        [this, remote](absl::Span<const uint8_t> data) {
          OnData(remote, data);
        },
        [this, remote](const absl::Status&) { Drop(remote); }});
    Connection& ref = *connection;
    connections_[remote] = std::move(connection);
    return ref;
  }

  void OnConnected(const net::TransportAddress& remote) {
    // An outgoing stream learns its local address only now.
    if (const auto it = connections_.find(remote); it != connections_.end()) {
      it->second->local = it->second->stream->local_address();
    }
  }

  void OnData(const net::TransportAddress& remote,
              absl::Span<const uint8_t> data) {
    while (!data.empty()) {
      const auto it = connections_.find(remote);
      if (it == connections_.end()) return;
      Connection& connection = *it->second;
      connection.last_activity = network_.clock().Now();
      data.remove_prefix(connection.framer.Append(data));
      if (!DeliverFrames(remote, connection)) {
        // Answers to the frames before the break still go out, then the FIN.
        Flush();
        return Drop(remote);
      }
    }
    Flush();
  }

  // Hands the complete frames to the engine; false when framing broke.
  bool DeliverFrames(const net::TransportAddress& remote,
                     Connection& connection) {
    while (true) {
      absl::StatusOr<std::optional<Frame>> frame = connection.framer.Next();
      if (!frame.ok()) return false;
      if (!frame->has_value()) return true;
      engine_.HandleDatagram(
          network_.clock().Now(),
          net::DatagramView{remote, connection.local, (*frame)->bytes});
    }
  }

  void OnTimer() {
    engine_.HandleTimeout(network_.clock().Now());
    Flush();
  }

  bool IsListening(const net::TransportAddress& address) const {
    for (const net::TransportAddress& listening : listening_) {
      if (listening.port() == address.port() &&
          (listening.ip() == address.ip() || listening.ip().IsUnspecified())) {
        return true;
      }
    }
    return false;
  }

  absl::Status Open(const net::TransportAddress& local,
                    const net::TransportAddress& remote) {
    if (connections_.size() >= kMaxConnections) {
      return absl::ResourceExhaustedError("too many connections");
    }
    absl::StatusOr<std::unique_ptr<net::TcpStream>> stream =
        network_.ConnectTcp(local, remote, {});
    if (!stream.ok()) return stream.status();
    Adopt(remote, *std::move(stream));
    return absl::OkStatus();
  }

  // A connection ended: it leaves the map now, and is destroyed outside the
  // callback that reported it.
  void Drop(const net::TransportAddress& remote) {
    const auto it = connections_.find(remote);
    if (it == connections_.end()) return;
    std::unique_ptr<net::TcpStream> stream = std::move(it->second->stream);
    const net::TransportAddress local = it->second->local;
    stream->SetCallbacks({});
    stream->Close();
    closing_.push_back(std::move(stream));
    connections_.erase(it);
    reaper_->SetAt(network_.clock().Now());
    if (on_closed_) on_closed_(remote, local);
  }

  void Reap() { closing_.clear(); }

  // Arms the sweep at the instant the quietest accepted connection times
  // out, if there is one.
  void ArmIdleSweep() {
    std::optional<net::Time> next;
    for (const auto& [remote, connection] : connections_) {
      if (!idle_timeout_.has_value() || !connection->accepted) continue;
      const net::Time due = connection->last_activity + *idle_timeout_;
      if (!next.has_value() || due < *next) next = due;
    }
    if (next.has_value()) {
      idle_sweeper_->SetAt(*next);
    } else {
      idle_sweeper_->Cancel();
    }
  }

  void SweepIdle() {
    const net::Time now = network_.clock().Now();
    std::vector<net::TransportAddress> idle;
    for (const auto& [remote, connection] : connections_) {
      if (idle_timeout_.has_value() && connection->accepted &&
          now - connection->last_activity >= *idle_timeout_) {
        idle.push_back(remote);
      }
    }
    for (const net::TransportAddress& remote : idle) Drop(remote);
    ArmIdleSweep();
  }

  void Fail(absl::Status status) {
    if (send_failures_++ == 0) first_failure_ = std::move(status);
  }

  net::Network& network_;
  Engine& engine_;
  EventCallback on_event_;
  absl::AnyInvocable<void(const net::Datagram&)> udp_sender_;
  absl::AnyInvocable<void(const net::TransportAddress&,
                          const net::TransportAddress&)>
      on_closed_;
  std::vector<std::unique_ptr<net::TcpListener>> listeners_;
  std::vector<net::TransportAddress> listening_;
  std::map<net::TransportAddress, std::unique_ptr<Connection>> connections_;
  // Streams that ended, destroyed by `reaper_` outside their callbacks.
  std::vector<std::unique_ptr<net::TcpStream>> closing_;
  std::unique_ptr<net::Timer> timer_;
  std::unique_ptr<net::Timer> reaper_;
  std::unique_ptr<net::Timer> idle_sweeper_;
  std::optional<net::Duration> idle_timeout_;
  bool flushing_ = false;
  uint64_t send_failures_ = 0;
  absl::Status first_failure_;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_STREAM_DRIVER_H_
