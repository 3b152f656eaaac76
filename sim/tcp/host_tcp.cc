#include "sim/tcp/host_tcp.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "net/timer.h"
#include "sim/tcp/segment.h"

namespace pinhole::sim::tcp {

namespace {

// Two local addresses of one family collide on a port when they are equal or
// either is the wildcard (as UDP binds do).
bool SameOrWildcard(const net::IpAddress& a, const net::IpAddress& b) {
  return a == b || a.IsUnspecified() || b.IsUnspecified();
}

}  // namespace

// One connection of the table.
struct HostTcp::Entry {
  Entry(Key key, Connection connection)
      : key(std::move(key)), connection(std::move(connection)) {}

  const Key key;
  Connection connection;
  std::unique_ptr<net::Timer> timer;  // At `connection.NextTimeout()`.
  // The user's stream; null before a passive connection completes its
  // handshake, and after the stream is destroyed (an orphan).
  Stream* stream = nullptr;
  // A passive connection not yet established: the listener it came to.
  Listener* listener = nullptr;
  // `Close()` came in SYN-SENT, where the engine would just drop the
  // connection: closed once established, after the data written.
  bool close_when_connected = false;
  // The stream was destroyed after an orderly close: the connection finishes
  // without it.
  bool orphan = false;
  // When an orphan that reached FIN-WAIT-2 is forgotten.
  std::optional<net::Time> orphan_deadline;
};

// --- Stream.

class HostTcp::Stream final : public net::TcpStream {
 public:
  // `accepted`: made by a listener, established already, and quiet until the
  // accept callback has returned. Otherwise made by `Connect`.
  Stream(HostTcp& tcp, Entry& entry, const net::TransportAddress& local,
         const net::TransportAddress& remote, bool accepted,
         Callbacks callbacks)
      : tcp_(&tcp),
        entry_(&entry),
        local_(local),
        remote_(remote),
        callbacks_(std::make_shared<Callbacks>(std::move(callbacks))),
        dispatch_timer_(tcp.host_.CreateTimer([this] { Dispatch(); })),
        handed_over_(!accepted),
        connected_(accepted) {}

  ~Stream() override {
    if (tcp_ != nullptr && entry_ != nullptr) {
      tcp_->ReleaseStream(entry_, close_called_ || peer_closed_);
    }
  }

  void SetCallbacks(Callbacks callbacks) override {
    callbacks_ = std::make_shared<Callbacks>(std::move(callbacks));
  }
  net::TransportAddress local_address() const override { return local_; }
  net::TransportAddress remote_address() const override { return remote_; }

  absl::Status Write(absl::Span<const uint8_t> data) override {
    if (tcp_ == nullptr || entry_ == nullptr || close_called_) {
      return absl::FailedPreconditionError(
          absl::StrCat("TCP stream ", local_.HostPort(), " -> ",
                       remote_.HostPort(), " is closing or closed"));
    }
    if (data.empty()) return absl::OkStatus();
    Connection& c = entry_->connection;
    if (data.size() > c.send_buffer_space()) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "TCP stream ", local_.HostPort(), " -> ", remote_.HostPort(), ": ",
          data.size(), " bytes do not fit in the send buffer (",
          c.send_buffer_space(), " free)"));
    }
    if (c.Write(tcp_->Now(), data) != data.size()) {
      return absl::FailedPreconditionError(
          absl::StrCat("TCP stream ", local_.HostPort(), " -> ",
                       remote_.HostPort(), " no longer sends"));
    }
    tcp_->AfterInput(entry_);
    return absl::OkStatus();
  }

  size_t queued_bytes() const override {
    return entry_ != nullptr ? entry_->connection.queued_bytes() : 0;
  }

  size_t send_buffer_space() const {
    return tcp_ != nullptr && entry_ != nullptr && !close_called_
               ? entry_->connection.send_buffer_space()
               : 0;
  }
  const HostTcp* owner() const { return tcp_; }

  void Close() override {
    if (close_called_) return;
    close_called_ = true;
    if (tcp_ == nullptr || entry_ == nullptr) return;
    tcp_->CloseConnection(entry_);
  }

  // --- For HostTcp.

  void OnEngineEvent(Event event) {
    if (closed_queued_) return;
    switch (event.type) {
      case Event::Type::kConnected:
        connected_ = true;
        Queue({Pending::kConnected, {}, absl::OkStatus()});
        return;
      case Event::Type::kData:
        Queue({Pending::kData, std::move(event.data), absl::OkStatus()});
        return;
      case Event::Type::kPeerClosed:
        peer_closed_ = true;
        QueueClosed(absl::OkStatus());
        return;
      case Event::Type::kClosed:
        QueueClosed(connected_ ? absl::OkStatus()
                               : absl::CancelledError(Describe(
                                     "closed before it was established")));
        return;
      case Event::Type::kReset:
        QueueClosed(absl::UnavailableError(Describe("reset by the peer")));
        return;
      case Event::Type::kRefused:
        QueueClosed(absl::UnavailableError(Describe("refused")));
        return;
      case Event::Type::kTimedOut:
        QueueClosed(absl::DeadlineExceededError(
            Describe(connected_ ? "timed out" : "timed out connecting")));
        return;
    }
  }

  // The connection left the table (or the handler is going away).
  void Detach() { entry_ = nullptr; }
  void DetachFromHandler() {
    entry_ = nullptr;
    tcp_ = nullptr;
  }
  // The accept callback returned: callbacks may run from now on.
  void HandedOver() {
    handed_over_ = true;
    if (!pending_.empty()) Arm();
  }
  std::weak_ptr<int> alive() const { return alive_; }

 private:
  struct Pending {
    enum Kind : uint8_t { kConnected, kData, kClosed };
    Kind kind;
    std::vector<uint8_t> data;
    absl::Status status;
  };

  std::string Describe(absl::string_view what) const {
    return absl::StrCat("TCP connection ", local_.HostPort(), " -> ",
                        remote_.HostPort(), " ", what);
  }
  void QueueClosed(absl::Status status) {
    closed_queued_ = true;
    Queue({Pending::kClosed, {}, std::move(status)});
  }
  void Queue(Pending pending) {
    pending_.push_back(std::move(pending));
    if (handed_over_) Arm();
  }
  void Arm() {
    if (!dispatch_timer_->deadline().has_value()) {
      dispatch_timer_->SetAt(tcp_ != nullptr ? tcp_->Now() : net::Time());
    }
  }

  // Runs from the dispatch timer: never inside a call into this stream.
  void Dispatch() {
    const std::weak_ptr<int> alive = alive_;
    while (!pending_.empty()) {
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      // Held by a copy: the callback may replace them or destroy the stream.
      const std::shared_ptr<Callbacks> callbacks = callbacks_;
      switch (p.kind) {
        case Pending::kConnected:
          if (callbacks->on_connected) callbacks->on_connected();
          break;
        case Pending::kData:
          if (callbacks->on_data) callbacks->on_data(p.data);
          break;
        case Pending::kClosed:
          if (callbacks->on_closed) callbacks->on_closed(p.status);
          break;
      }
      if (alive.expired()) return;
    }
  }

  HostTcp* tcp_;
  Entry* entry_;
  net::TransportAddress local_;
  const net::TransportAddress remote_;
  std::shared_ptr<Callbacks> callbacks_;
  std::deque<Pending> pending_;
  std::unique_ptr<net::Timer> dispatch_timer_;
  // False for an accepted stream until the accept callback returned.
  bool handed_over_;
  bool connected_;
  bool close_called_ = false;
  bool peer_closed_ = false;
  bool closed_queued_ = false;  // on_closed is queued or ran: nothing more.
  const std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// --- Listener.

class HostTcp::Listener final : public net::TcpListener {
 public:
  Listener(HostTcp& tcp, const net::TransportAddress& local,
           AcceptCallback on_accept)
      : tcp_(&tcp),
        local_(local),
        on_accept_(std::make_shared<AcceptCallback>(std::move(on_accept))),
        timer_(tcp.host_.CreateTimer([this] { DispatchAccepts(); })) {}

  ~Listener() override {
    if (tcp_ != nullptr) tcp_->RemoveListener(this);
    // `ready_` goes next: each stream's destruction resets its connection.
  }

  net::TransportAddress local_address() const override { return local_; }

  // --- For HostTcp.

  void Ready(std::unique_ptr<Stream> stream) {
    ready_.push_back(std::move(stream));
    if (!timer_->deadline().has_value()) timer_->SetAt(tcp_->Now());
  }
  void DetachFromHandler() {
    for (const std::unique_ptr<Stream>& s : ready_) s->DetachFromHandler();
    tcp_ = nullptr;
  }

 private:
  void DispatchAccepts() {
    const std::weak_ptr<int> alive = alive_;
    while (!ready_.empty()) {
      std::unique_ptr<Stream> stream = std::move(ready_.front());
      ready_.pop_front();
      Stream* const raw = stream.get();
      const std::weak_ptr<int> stream_alive = raw->alive();
      const std::shared_ptr<AcceptCallback> on_accept = on_accept_;
      if (*on_accept) (*on_accept)(std::move(stream));
      stream.reset();  // Not taken: reset the connection.
      if (!stream_alive.expired()) raw->HandedOver();
      if (alive.expired()) return;
    }
  }

  HostTcp* tcp_;
  const net::TransportAddress local_;
  std::shared_ptr<AcceptCallback> on_accept_;
  std::deque<std::unique_ptr<Stream>> ready_;
  std::unique_ptr<net::Timer> timer_;
  const std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// --- HostTcp.

HostTcp::HostTcp(Host& host, HostTcpOptions options)
    : host_(host), options_(std::move(options)) {}

HostTcp::~HostTcp() {
  for (const auto& [key, entry] : connections_) {
    if (entry->stream != nullptr) entry->stream->DetachFromHandler();
  }
  for (const auto& [address, listener] : listeners_) {
    listener->DetachFromHandler();
  }
}

Config HostTcp::ConfigFor(net::AddressFamily family, size_t link_mtu) const {
  Config config = options_.config;
  config.mss =
      std::max<size_t>(MssForMtu(std::min(options_.mtu, link_mtu), family), 1);
  return config;
}

absl::Status HostTcp::CheckLocal(const net::TransportAddress& local) const {
  if (local.protocol() == net::TransportProtocol::kTls) {
    return absl::UnimplementedError(
        absl::StrCat("host ", host_.name(), ": no TLS here (", local.ToString(),
                     "); sim::tls::InstallTls adds it"));
  }
  if (local.protocol() != net::TransportProtocol::kTcp) {
    return absl::InvalidArgumentError(absl::StrCat(
        "host ", host_.name(), ": not a TCP address: ", local.ToString()));
  }
  if (!local.ip().IsUnspecified() && !host_.IsLocalAddress(local.ip())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "host ", host_.name(), " has no address ", local.ip().ToString()));
  }
  return absl::OkStatus();
}

void HostTcp::UsePort(const net::TransportAddress& local, int delta) {
  const PortKey key(local.family(), local.port());
  if ((port_users_[key] += delta) == 0) port_users_.erase(key);
}

absl::StatusOr<uint16_t> HostTcp::EphemeralPort(net::AddressFamily family) {
  constexpr int kRange = 65536 - Host::kFirstEphemeralPort;
  for (int i = 0; i < kRange; ++i) {
    const uint16_t candidate = next_ephemeral_;
    next_ephemeral_ =
        candidate == 65535 ? Host::kFirstEphemeralPort : candidate + 1;
    if (!PortUsed(family, candidate)) return candidate;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "host ", host_.name(), ": every ephemeral TCP port is taken"));
}

absl::StatusOr<std::unique_ptr<net::TcpListener>> HostTcp::Listen(
    const net::TransportAddress& local,
    net::TcpListener::AcceptCallback on_accept) {
  if (absl::Status s = CheckLocal(local); !s.ok()) return s;
  uint16_t port = local.port();
  if (port == 0) {
    absl::StatusOr<uint16_t> ephemeral = EphemeralPort(local.family());
    if (!ephemeral.ok()) return ephemeral.status();
    port = *ephemeral;
  } else {
    // Taken when listened on at the same address, or when either is the
    // wildcard of the family (as UDP binds).
    for (const auto& [address, listener] : listeners_) {
      if (address.family() == local.family() && address.port() == port &&
          SameOrWildcard(address.ip(), local.ip())) {
        return absl::AlreadyExistsError(
            absl::StrCat("host ", host_.name(), ": TCP ", local.HostPort(),
                         " is listened on already"));
      }
    }
  }
  const net::TransportAddress bound(local.ip(), port,
                                    net::TransportProtocol::kTcp);
  auto listener =
      std::make_unique<Listener>(*this, bound, std::move(on_accept));
  listeners_[bound] = listener.get();
  UsePort(bound, +1);
  return listener;
}

void HostTcp::RemoveListener(Listener* listener) {
  const net::TransportAddress local = listener->local_address();
  listeners_.erase(local);
  UsePort(local, -1);
  // Embryonic connections die with their listener, as in a socket's accept
  // queue. Collected first: aborting removes entries.
  std::vector<Entry*> embryonic;
  for (const auto& [key, entry] : connections_) {
    if (entry->listener == listener) embryonic.push_back(entry.get());
  }
  for (Entry* entry : embryonic) {
    entry->listener = nullptr;
    entry->connection.Abort();
    AfterInput(entry);
  }
}

absl::StatusOr<std::unique_ptr<net::TcpStream>> HostTcp::Connect(
    const net::TransportAddress& local, const net::TransportAddress& remote,
    net::TcpStream::Callbacks callbacks) {
  if (absl::Status s = CheckLocal(local); !s.ok()) return s;
  if (remote.protocol() != local.protocol() ||
      remote.family() != local.family() || remote.ip().IsUnspecified() ||
      remote.port() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", host_.name(), ": cannot connect from ",
                     local.ToString(), " to ", remote.ToString()));
  }
  uint16_t port = local.port();
  if (port == 0) {
    absl::StatusOr<uint16_t> ephemeral = EphemeralPort(local.family());
    if (!ephemeral.ok()) return ephemeral.status();
    port = *ephemeral;
  } else {
    // An explicit port may be shared with listeners (ICE-TCP simultaneous
    // open needs it), but not with a connection to the same remote.
    for (const auto& [key, entry] : connections_) {
      const net::TransportAddress& l = key.first;
      if (key.second == remote && l.port() == port &&
          SameOrWildcard(l.ip(), local.ip())) {
        return absl::AlreadyExistsError(absl::StrCat(
            "host ", host_.name(), ": a TCP connection ", local.HostPort(),
            " -> ", remote.HostPort(), " exists already"));
      }
    }
  }
  // Routing picks the source address (when `local` leaves it open) and the
  // first link, whose MTU bounds the segments.
  absl::StatusOr<Host::RouteInfo> route = host_.RouteTowards(remote.ip());
  if (!route.ok()) return route.status();
  const net::TransportAddress bound(
      local.ip().IsUnspecified() ? route->source : local.ip(), port,
      net::TransportProtocol::kTcp);
  const uint32_t iss = static_cast<uint32_t>(host_.random().NextUint64());
  Connection connection = Connection::Connect(
      ConfigFor(local.family(), route->mtu), Now(), bound, remote, iss);
  // The SYN goes out now, so that an unroutable destination fails here.
  std::optional<Packet> syn = connection.PollTransmit();
  if (syn.has_value()) {
    if (absl::Status s = host_.SendPacket(*std::move(syn)); !s.ok()) return s;
  }
  Entry& entry = AddEntry(Key(bound, remote), std::move(connection));
  auto stream =
      std::make_unique<Stream>(*this, entry, bound, remote,
                               /*accepted=*/false, std::move(callbacks));
  entry.stream = stream.get();
  AfterInput(&entry);
  return stream;
}

HostTcp::Entry& HostTcp::AddEntry(const Key& key, Connection connection) {
  auto owned = std::make_unique<Entry>(key, std::move(connection));
  Entry* entry = owned.get();
  entry->timer = host_.CreateTimer([this, entry] { OnTimer(entry); });
  connections_[key] = std::move(owned);
  UsePort(key.first, +1);
  return *entry;
}

HostTcp::Entry* HostTcp::Find(const Packet& segment) {
  auto it = connections_.find(Key(segment.destination, segment.source));
  return it == connections_.end() ? nullptr : it->second.get();
}

HostTcp::Listener* HostTcp::FindListener(
    const net::TransportAddress& local) const {
  auto it = listeners_.find(local);
  if (it == listeners_.end()) {
    it = listeners_.find(net::TransportAddress(
        net::IpAddress::Any(local.family()), local.port(), local.protocol()));
  }
  return it == listeners_.end() ? nullptr : it->second;
}

void HostTcp::HandlePacket(Packet packet) {
  if (Entry* entry = Find(packet); entry != nullptr) {
    entry->connection.HandleSegment(Now(), packet);
    AfterInput(entry);
    return;
  }
  if (IsConnectionRequest(packet)) {
    if (Listener* listener = FindListener(packet.destination)) {
      AcceptConnection(*listener, packet);
      return;
    }
  }
  if (std::optional<Packet> reset = MakeReset(packet)) {
    Send(*std::move(reset));
  }
}

void HostTcp::AcceptConnection(Listener& listener, const Packet& syn) {
  const uint32_t iss = static_cast<uint32_t>(host_.random().NextUint64());
  // The answer leaves by the route back to the peer; its link's MTU bounds the
  // segments. (A SYN that arrived has a way back, or the SYN-ACK is dropped
  // as unroutable like any packet.)
  absl::StatusOr<Host::RouteInfo> route = host_.RouteTowards(syn.source.ip());
  const size_t link_mtu = route.ok() ? route->mtu : SIZE_MAX;
  Entry& entry =
      AddEntry(Key(syn.destination, syn.source),
               Connection::Accept(ConfigFor(syn.destination.family(), link_mtu),
                                  Now(), syn, iss));
  entry.listener = &listener;
  AfterInput(&entry);
}

void HostTcp::Send(Packet packet) {
  // Routes do not change once built, and the first SYN of every connection
  // proved one: a failure here has no one to report to.
  host_.SendPacket(std::move(packet)).IgnoreError();
}

void HostTcp::AfterInput(Entry* entry) {
  Connection& c = entry->connection;
  // Events first: an abort they call for discards what was queued to send
  // (an orphan answers data with a RST alone, not an ACK and a RST).
  for (;;) {
    Followup followup = Followup::kNone;
    while (std::optional<Event> e = c.PollEvent()) {
      followup = std::max(followup, OnEvent(*entry, *std::move(e)));
    }
    if (followup == Followup::kNone || c.IsClosed()) break;
    if (followup == Followup::kAbort) {
      c.Abort();
    } else {
      c.Close(Now());
    }
  }
  while (std::optional<Packet> p = c.PollTransmit()) Send(*std::move(p));
  if (c.IsClosed()) {
    Remove(entry);
    return;
  }
  std::optional<net::Time> next = c.NextTimeout();
  if (entry->orphan && c.state() == Connection::State::kFinWait2) {
    if (!entry->orphan_deadline.has_value()) {
      entry->orphan_deadline = Now() + options_.orphan_fin_wait2_timeout;
    }
    next = next.has_value() ? std::min(*next, *entry->orphan_deadline)
                            : *entry->orphan_deadline;
  }
  if (!next.has_value()) {
    entry->timer->Cancel();
  } else if (entry->timer->deadline() != next) {
    entry->timer->SetAt(*next);
  }
}

HostTcp::Followup HostTcp::OnEvent(Entry& entry, Event event) {
  const bool close =
      event.type == Event::Type::kConnected && entry.close_when_connected;
  const Followup followup = close ? Followup::kClose : Followup::kNone;
  if (event.type == Event::Type::kConnected && entry.listener != nullptr) {
    Listener* listener = entry.listener;
    entry.listener = nullptr;
    const Connection& c = entry.connection;
    auto stream = std::make_unique<Stream>(*this, entry, c.local(), c.remote(),
                                           /*accepted=*/true,
                                           net::TcpStream::Callbacks{});
    entry.stream = stream.get();
    listener->Ready(std::move(stream));
    return followup;
  }
  if (entry.stream == nullptr) {
    // An orphan: bytes that nobody will read reset the connection.
    return event.type == Event::Type::kData ? Followup::kAbort : followup;
  }
  entry.stream->OnEngineEvent(std::move(event));
  return followup;
}

void HostTcp::Remove(Entry* entry) {
  if (entry->stream != nullptr) entry->stream->Detach();
  UsePort(entry->key.first, -1);
  connections_.erase(entry->key);  // Destroys `entry` and its timer.
}

void HostTcp::CloseConnection(Entry* entry) {
  if (entry->connection.state() == Connection::State::kSynSent) {
    entry->close_when_connected = true;
    return;
  }
  entry->connection.Close(Now());  // Nothing when closed already.
  AfterInput(entry);
}

void HostTcp::OnTimer(Entry* entry) {
  const net::Time now = Now();
  if (entry->orphan_deadline.has_value() && now >= *entry->orphan_deadline &&
      entry->connection.state() == Connection::State::kFinWait2) {
    // Forgotten silently, as Linux does after tcp_fin_timeout: a later
    // segment from the peer meets `MakeReset`.
    Remove(entry);
    return;
  }
  entry->connection.HandleTimeout(now);
  AfterInput(entry);
}

void HostTcp::ReleaseStream(Entry* entry, bool orderly) {
  entry->stream = nullptr;
  entry->orphan = orderly;
  if (orderly) {
    CloseConnection(entry);
  } else {
    entry->connection.Abort();
    AfterInput(entry);
  }
}

size_t HostTcp::SendBufferSpace(const net::TcpStream& stream) const {
  const auto* own = dynamic_cast<const Stream*>(&stream);
  return own != nullptr && own->owner() == this ? own->send_buffer_space() : 0;
}

HostTcp& InstallTcp(Host& host, HostTcpOptions options) {
  auto tcp = std::make_unique<HostTcp>(host, std::move(options));
  HostTcp& result = *tcp;
  host.SetTcpHandler(std::move(tcp));
  return result;
}

}  // namespace pinhole::sim::tcp
