// `HostTcp`: a simulated host's TCP. It binds the sans-IO `Connection` engine
// (connection.h) to one `sim::Host`, so that code written against `net/`
// (`Network::ListenTcp`, `ConnectTcp`, `net::TcpStream`) gets real simulated
// connections whose segments cross links, routers, NATs and firewalls.
//
//     Host ──HandlePacket──> HostTcp ──HandleSegment/HandleTimeout──>
//     Connection
//      ^                       │  <──PollTransmit / PollEvent / NextTimeout──┘
//      └────SendPacket─────────┘
//                              └──(deferred, one simulator event later)──>
//                                   TcpStream callbacks, accept callbacks
//
// Install it with `InstallTcp(host)`; the host owns it. Contract:
// - Connections live in an ordered map keyed by (local, remote) transport
//   address; listeners in an ordered map by local address. Nothing iterates a
//   hash container, so nothing here depends on hash order.
// - "Mutate → drain → wait": after every input (a segment, a timer, `Write`,
//   `Close`, destruction) the connection's segments go to `Host::SendPacket`
//   (which assigns packet ids), its events go to the stream, and its one timer
//   is re-armed at `NextTimeout()`. A closed connection leaves the map at once.
// - Callbacks (`on_connected`, `on_data`, `on_closed`, accept) never run
//   inside a call into a stream, a listener or the handler: events are queued
//   on the stream and delivered by a timer armed at the current instant, so
//   they run later at the same simulated time. A callback may destroy its
//   stream or listener.
// - Initial sequence numbers come from the host's seeded `random()`. Port 0
//   takes the next port of 49152-65535 (RFC 6335) not used by any TCP
//   listener or connection of the family, counting on from the last choice.
// - A SYN no connection and no listener wants, and any other stray segment,
//   is answered with `MakeReset` (a SYN gets RST+ACK: "connection refused").
//
// Streams (see net/tcp_stream.h):
// - `Write` is all or nothing: it fails with ResourceExhausted when `data`
//   does not fit in the send buffer (`Config::send_buffer_size`, unsent plus
//   unacknowledged bytes), with FailedPrecondition after `Close()` or once the
//   connection has ended. Bytes written before the handshake completes are
//   sent when it does. After the peer's FIN the stream may still write (half
//   close) until it calls `Close()`.
// - `on_closed` runs once: OK when the peer's FIN arrives after all its data
//   (the end of the incoming stream, what a socket reports as EOF), whether or
//   not this side closed; Unavailable "refused" for a RST answering the SYN;
//   Unavailable "reset" for a RST later; DeadlineExceeded when retransmissions
//   run out (the connect, with the default `Config`, at 127 s). Nothing
//   follows it; a failure of the outgoing direction after an OK `on_closed`
//   is not reported.
// - `Close()` before the handshake completes takes effect when it does, after
//   the data written (the engine alone would drop the connection in
//   SYN-SENT). To give up on a connect, destroy the stream.
// - Destroying a stream without `Close()` aborts the connection (RST), as
//   net/tcp_stream.h says. Destroying it after `Close()`, or after the peer's
//   FIN was reported, closes in order: the connection finishes in the
//   background (queued data, FIN) without callbacks. If data arrives for such
//   an orphan, nobody can read it, and it is reset (as Linux does); if the
//   peer never closes, the orphan is forgotten after
//   `orphan_fin_wait2_timeout` in FIN-WAIT-2 (Linux's tcp_fin_timeout).
// - An accepted stream is handed over once its handshake completes. Before
//   that the listener owns the embryonic connection; destroying the listener
//   resets those and any stream not yet handed over.
// - MSS: from the smaller of `HostTcpOptions::mtu` (default 1500) and the MTU
//   of the link the route to the peer leaves by: `MssForMtu(mtu, family)`,
//   1460 for IPv4 and 1440 for IPv6 at 1500. There is no path MTU discovery:
//   a segment larger than a link further along is dropped there with
//   `kMtuExceeded`, so set `mtu` to the path's smallest when it is smaller
//   than the first link's.
// - TLS (`kTls` addresses) is not HostTcp's: Unimplemented, unless
//   `sim::tls::InstallTls` (sim/tls/install_tls.h) wrapped it in TLS.
// - An outgoing stream from an unspecified local address is bound at once to
//   the address the host's routing picks towards the peer, and
//   `local_address()` names it.
//
// Lifetime: streams and listeners should be destroyed before the host (see
// net/network.h). If the host goes first, they stay safe to call and fail.
// One thread; time is the host's clock.
#ifndef PINHOLE_SIM_TCP_HOST_TCP_H_
#define PINHOLE_SIM_TCP_HOST_TCP_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/host.h"
#include "sim/packet.h"
#include "sim/tcp/connection.h"
#include "sim/tcp_handler.h"

namespace pinhole::sim::tcp {

struct HostTcpOptions {
  // Every connection's engine configuration; `mss` is replaced by the one
  // the MTU gives for the connection's address family.
  Config config;
  // IP bytes; see the file comment.
  size_t mtu = 1500;
  // How long a connection whose stream was closed and destroyed waits in
  // FIN-WAIT-2 for the peer's FIN before it is forgotten (Linux's
  // tcp_fin_timeout).
  net::Duration orphan_fin_wait2_timeout = net::Duration::Seconds(60);
};

class HostTcp final : public TcpHandler {
 public:
  explicit HostTcp(Host& host, HostTcpOptions options = {});
  HostTcp(const HostTcp&) = delete;
  HostTcp& operator=(const HostTcp&) = delete;
  ~HostTcp() override;

  // sim::TcpHandler.
  void HandlePacket(Packet packet) override;
  absl::StatusOr<std::unique_ptr<net::TcpListener>> Listen(
      const net::TransportAddress& local,
      net::TcpListener::AcceptCallback on_accept) override;
  absl::StatusOr<std::unique_ptr<net::TcpStream>> Connect(
      const net::TransportAddress& local, const net::TransportAddress& remote,
      net::TcpStream::Callbacks callbacks) override;

  // How many more bytes `Write` on `stream` would take now (its send buffer's
  // free room): for a stream this HostTcp made, 0 for any other, or once it
  // is closing or its connection has ended. For layers over the stream (TLS)
  // that must know a write will fit before they commit to it.
  size_t SendBufferSpace(const net::TcpStream& stream) const;

  // Connections in the table (embryonic, open, closing, or orphaned).
  size_t connection_count() const { return connections_.size(); }
  // The engine configuration for `family` over a first link of `link_mtu`
  // bytes (its `mss` from the smaller of that and `HostTcpOptions::mtu`).
  Config ConfigFor(net::AddressFamily family, size_t link_mtu = SIZE_MAX) const;

 private:
  class Stream;
  class Listener;
  struct Entry;
  // (local, remote).
  using Key = std::pair<net::TransportAddress, net::TransportAddress>;
  // (family, port).
  using PortKey = std::pair<net::AddressFamily, uint16_t>;

  net::Time Now() const { return host_.clock().Now(); }
  Entry* Find(const Packet& segment);
  Listener* FindListener(const net::TransportAddress& local) const;
  void AcceptConnection(Listener& listener, const Packet& syn);
  Entry& AddEntry(const Key& key, Connection connection);
  // Drain and wait: sends, hands events on, re-arms the timer or removes the
  // entry. `entry` may be gone when it returns.
  void AfterInput(Entry* entry);
  // What the connection needs after its events were handed on. Ordered: the
  // strongest wins.
  enum class Followup : uint8_t { kNone, kClose, kAbort };
  Followup OnEvent(Entry& entry, Event event);
  // Orderly close; deferred until established when still in SYN-SENT.
  void CloseConnection(Entry* entry);
  void Remove(Entry* entry);
  void OnTimer(Entry* entry);
  void Send(Packet packet);
  // The stream no longer wants the connection: orderly close or abort.
  void ReleaseStream(Entry* entry, bool orderly);
  void RemoveListener(Listener* listener);
  bool PortUsed(net::AddressFamily family, uint16_t port) const {
    return port_users_.count({family, port}) != 0;
  }
  void UsePort(const net::TransportAddress& local, int delta);
  // A free ephemeral port of `family`, or 0 when none is left.
  // The next free port from 49152 up; ResourceExhausted when none is.
  absl::StatusOr<uint16_t> EphemeralPort(net::AddressFamily family);
  absl::Status CheckLocal(const net::TransportAddress& local) const;

  Host& host_;
  const HostTcpOptions options_;
  std::map<Key, std::unique_ptr<Entry>> connections_;
  std::map<net::TransportAddress, Listener*> listeners_;
  // How many listeners and connections use each local port.
  std::map<PortKey, int> port_users_;
  uint16_t next_ephemeral_ = Host::kFirstEphemeralPort;
};

// Gives `host` a `HostTcp` (owned by the host) and returns it.
HostTcp& InstallTcp(Host& host, HostTcpOptions options = {});

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_HOST_TCP_H_
