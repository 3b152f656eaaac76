// `BackToBack`: a test bench that wires two `Connection`s together with a
// fixed one-way delay, and plays the host on each side: it routes segments by
// destination, accepts a SYN where something listens, answers everything else
// with `MakeReset`, drives timers at `NextTimeout()`, and plays an application
// that writes given bytes and optionally closes after them. Rules let a test
// drop, duplicate or delay chosen segments. Time is exact and owned here: no
// simulator is involved.
#ifndef PINHOLE_SIM_TCP_BACK_TO_BACK_H_
#define PINHOLE_SIM_TCP_BACK_TO_BACK_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "net/time.h"
#include "net/transport_address.h"
#include "sim/packet.h"
#include "sim/tcp/connection.h"

namespace pinhole::sim::tcp {

enum class End : uint8_t { kClient = 0, kServer = 1 };

struct SentSegment {
  net::Time time;
  End from;
  Packet packet;
  bool dropped = false;
};

struct ObservedEvent {
  net::Time time;
  Event::Type type;
  size_t bytes = 0;  // kData only.
};

class BackToBack {
 public:
  // The simulated clock starts here (a non-zero epoch).
  static constexpr net::Time kStart =
      net::Time::FromNanosecondsSinceEpoch(1'000'000'000'000);

  struct Options {
    net::Duration one_way_delay = net::Duration::Milliseconds(50);
    Config client_config;
    Config server_config;
    uint32_t client_iss = 1000;
    uint32_t server_iss = 700000;
    bool server_listens = true;
  };

  explicit BackToBack(Options options);

  net::Time now() const { return now_; }
  const net::TransportAddress& address(End end) const {
    return ends_[Index(end)].address;
  }

  // The client opens a connection to the server at `now()`.
  void Connect();
  // Both ends open a connection to each other at `now()`.
  void ConnectBoth();

  // The end's connection, or null before it has one.
  Connection* connection(End end);

  // The application on `end` writes `bytes` as fast as the connection takes
  // them, then closes if `close_after` is set.
  void WriteFrom(End end, std::vector<uint8_t> bytes, bool close_after);
  void CloseAt(End end);  // Close() now.
  void AbortAt(End end);  // Abort() now.

  // Rules, consulted for every segment sent (retransmissions included).
  std::function<bool(const SentSegment&)> drop;
  std::function<net::Duration(const Packet&)> extra_delay;
  std::function<bool(const Packet&)> duplicate;

  // Runs until `done()` holds (checked after every instant) or `limit` of
  // simulated time passes or nothing is left to do; returns `done()`.
  bool RunUntil(const std::function<bool()>& done, net::Duration limit);
  // Runs everything due up to `now() + span`, then sets the clock there.
  void RunFor(net::Duration span);

  const std::vector<SentSegment>& sent() const { return sent_; }
  // Segments `from` sent, in order, matching `flags` exactly when given.
  std::vector<SentSegment> SentBy(End from) const;
  const std::vector<ObservedEvent>& events(End end) const {
    return ends_[Index(end)].events;
  }
  // When `end` first saw an event of `type`.
  std::optional<net::Time> FirstEvent(End end, Event::Type type) const;
  const std::vector<uint8_t>& received(End end) const {
    return ends_[Index(end)].received;
  }
  // Segments whose destination was neither end (always 0 when correct).
  int misrouted() const { return misrouted_; }

 private:
  struct PerEnd {
    net::TransportAddress address;
    Config config;
    uint32_t iss = 0;
    bool listens = false;
    std::optional<Connection> connection;
    std::vector<uint8_t> to_write;
    size_t written = 0;
    bool close_after_writes = false;
    bool closed = false;
    std::vector<ObservedEvent> events;
    std::vector<uint8_t> received;
  };

  static size_t Index(End end) { return static_cast<size_t>(end); }
  static End Other(End end) {
    return end == End::kClient ? End::kServer : End::kClient;
  }
  bool Step(net::Time limit);
  void Drain();
  bool DrainEnd(End end);
  void Send(End from, Packet packet);
  void Deliver(const Packet& packet);

  Options options_;
  net::Time now_ = kStart;
  std::array<PerEnd, 2> ends_;
  // Segments in flight, by (arrival, order sent).
  std::map<std::pair<net::Time, uint64_t>, Packet> in_flight_;
  uint64_t next_order_ = 0;
  std::vector<SentSegment> sent_;
  int misrouted_ = 0;
};

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_BACK_TO_BACK_H_
