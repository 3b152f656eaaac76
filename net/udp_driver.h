// `UdpDriver<Engine>`: binds one sans-IO engine to a `Network`'s UDP sockets
// and a timer, the same way in the simulator and on real sockets (DESIGN.md,
// "Protocol cores are sans-IO").
//
// The engine provides the five verbs of STYLE.md rule 1:
//   HandleDatagram(Time, const DatagramView&)   (any return type)
//   HandleTimeout(Time)
//   PollTransmit() -> std::optional<Datagram>
//   PollEvent() -> std::optional<Engine::Event>
//   NextTimeout() -> std::optional<Time>
//
// The driver owns the sockets it binds and one timer. After every call into
// the engine (a datagram arrived, the timer fired, or the owner changed the
// engine and called `Flush()`) it drains the engine: each transmit goes out of
// the bound socket whose local address equals the datagram's `source`, each
// event goes to the event callback, and the timer is armed at the engine's
// next deadline. The event callback may call into the engine; the driver
// drains again before returning.
//
// A datagram whose `source` is not UDP (an engine that also serves TCP, such
// as a TURN server) goes to the sender set by `set_stream_sender`, when set.
//
// Send failures are local (no socket for the source, the network refused):
// they are counted and the first is kept, since a protocol over UDP already
// treats any datagram as possibly lost.
//
// One thread: the network's. The engine and the network must outlive the
// driver.
#ifndef PINHOLE_NET_UDP_DRIVER_H_
#define PINHOLE_NET_UDP_DRIVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/datagram.h"
#include "net/drain.h"
#include "net/network.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net {

template <typename Engine>
class UdpDriver {
 public:
  using Event = typename Engine::Event;
  using EventCallback = absl::AnyInvocable<void(Event)>;

  UdpDriver(Network& network, Engine& engine, EventCallback on_event = {})
      : network_(network),
        engine_(engine),
        on_event_(std::move(on_event)),
        timer_(network.CreateTimer([this] { OnTimer(); })) {}
  UdpDriver(const UdpDriver&) = delete;
  UdpDriver& operator=(const UdpDriver&) = delete;

  // Binds a socket at `local` (port 0: the network chooses) whose datagrams
  // go to the engine. Returns the bound address, which is the `source` the
  // engine must use to send from it.
  absl::StatusOr<TransportAddress> Bind(const TransportAddress& local) {
    absl::StatusOr<std::unique_ptr<UdpSocket>> socket = network_.BindUdp(
        local, [this](const DatagramView& datagram) { OnDatagram(datagram); });
    if (!socket.ok()) return socket.status();
    const TransportAddress bound = (*socket)->local_address();
    sockets_[bound] = *std::move(socket);
    return bound;
  }

  // Closes the socket bound at `local` (as `Bind` returned it); its
  // datagrams stop reaching the engine at once. Unknown addresses are
  // ignored.
  void Unbind(const TransportAddress& local) { sockets_.erase(local); }

  // The socket bound at `local`, or null.
  UdpSocket* socket(const TransportAddress& local) {
    const auto it = sockets_.find(local);
    return it == sockets_.end() ? nullptr : it->second.get();
  }

  // Where datagrams from a non-UDP source go (see above).
  void set_stream_sender(absl::AnyInvocable<void(const Datagram&)> send) {
    stream_sender_ = std::move(send);
  }

  // Sends `datagram` from the socket at its source, as a drained transmit
  // is: what another driver of the same engine calls for UDP datagrams.
  void Send(const Datagram& datagram) {
    if (datagram.source.protocol() != TransportProtocol::kUdp &&
        stream_sender_) {
      return stream_sender_(datagram);
    }
    const auto it = sockets_.find(datagram.source);
    absl::Status status =
        it == sockets_.end()
            ? absl::FailedPreconditionError("no socket bound at " +
                                            datagram.source.ToString())
            : it->second->SendTo(datagram.destination, datagram.payload);
    if (status.ok()) {
      ++sent_;
      return;
    }
    if (send_failures_++ == 0) first_failure_ = std::move(status);
  }

  // Drains the engine after its owner called into it directly.
  void Flush() {
    if (flushing_) return;  // The outer Flush drains everything.
    flushing_ = true;
    DrainEngine(
        engine_, [this](const Datagram& datagram) { Send(datagram); },
        on_event_, *timer_);
    flushing_ = false;
  }

  Network& network() { return network_; }
  uint64_t datagrams_sent() const { return sent_; }
  uint64_t send_failures() const { return send_failures_; }
  const absl::Status& first_send_failure() const { return first_failure_; }

 private:
  void OnDatagram(const DatagramView& datagram) {
    engine_.HandleDatagram(network_.clock().Now(), datagram);
    Flush();
  }

  void OnTimer() {
    engine_.HandleTimeout(network_.clock().Now());
    Flush();
  }

  Network& network_;
  Engine& engine_;
  EventCallback on_event_;
  std::map<TransportAddress, std::unique_ptr<UdpSocket>> sockets_;
  absl::AnyInvocable<void(const Datagram&)> stream_sender_;
  std::unique_ptr<Timer> timer_;
  bool flushing_ = false;
  uint64_t sent_ = 0;
  uint64_t send_failures_ = 0;
  absl::Status first_failure_;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_UDP_DRIVER_H_
