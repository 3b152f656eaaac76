// `TurnClient`: one TURN allocation (RFC 8656 §6-§12) on one server, from one
// local transport address, as a sans-IO engine (STYLE.md rule 1, DESIGN.md
// "Protocol cores are sans-IO"). The ICE agent uses it for relayed
// candidates; `pinhole turn-client` drives one on real sockets.
//
// What it does:
// - `Allocate` sends an Allocate request (REQUESTED-TRANSPORT UDP and the
//   options of `TurnClientConfig`) through a `stun::StunClient`, which runs
//   the transaction (retransmissions over UDP, one send and Ti over TCP/TLS)
//   and the long-term credential mechanism (401 and 438 retries, realm and
//   nonce reused by every later request). The outcome is one kAllocated or
//   kAllocateFailed event.
// - The allocation is refreshed before it expires: a minute before for
//   lifetimes of two minutes or more, at half the lifetime for shorter ones,
//   counted from the start of the request that set the lifetime (the server's
//   clock started no earlier). A failed refresh is retried 5 s later; a 437
//   answer, or reaching the expiry without a successful refresh, is
//   kAllocationLost. `Release` sends a Refresh with LIFETIME 0 (RFC 8656 §8).
// - Permissions and channels (turn/client_peers.h has the refresh rules) are
//   created by `CreatePermission`, `BindChannel`, and by `Send` to a peer that
//   has none yet; `Send` then puts the data on the wire right after that
//   request, so the server sees them in that order. Data goes as ChannelData
//   once the peer's channel is bound, as a Send indication before and for
//   peers without a channel. ChannelData is padded to a multiple of 4 over
//   TCP and TLS (RFC 8656 §12.5), not over UDP.
// - Data from peers (Data indications, and ChannelData on a channel that is
//   bound or binding, which RFC 8656 §12 says may arrive before the
//   ChannelBind answer) becomes kData events.
//
// Run loop: call a verb (`Allocate`, `Send`, ..., `HandleDatagram`,
// `HandleTimeout`), then drain `PollTransmit` (send each datagram from its
// `source` to its `destination`: `net::UdpDriver` or `stun::StreamDriver`
// does it) and `PollEvent`, then wait until `NextTimeout`. Over TCP or TLS a
// transmit is the bytes to write on the connection to the server, and a
// datagram handed in is one whole STUN message or ChannelData frame read from
// it; when that connection closes the allocation is gone (it belongs to the
// connection's 5-tuple, RFC 8656 §3.2): the driver reports it with
// `HandleConnectionClosed`.
//
// Bounds: at most kMaxQueuedTransmits datagrams of data wait in the transmit
// queue (`Send` refuses more with ResourceExhausted; requests are never
// refused), and at most kMaxQueuedEvents kData events wait (newer data is
// dropped and counted in `data_dropped()`; state events are never dropped,
// there are at most a few per peer). Peers: see `ClientPeers`.
//
// Randomness (transaction IDs) comes only from the `net::Random` given to
// `Create`, which must outlive the client; time only from the `now`
// arguments, which must not decrease. One thread.
#ifndef PINHOLE_TURN_CLIENT_H_
#define PINHOLE_TURN_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
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
#include "net/ip_address.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/client_config.h"  // IWYU pragma: export
#include "turn/client_event.h"   // IWYU pragma: export
#include "turn/client_peers.h"

namespace pinhole::turn {

class TurnClient {
 public:
  using Event = TurnClientEvent;

  enum class State : uint8_t {
    kIdle,        // Created; Allocate not called yet.
    kAllocating,  // The Allocate request is in flight.
    kAllocated,   // The allocation exists; refreshed automatically.
    kReleasing,   // Release sent the Refresh with LIFETIME 0.
    kReleased,    // Released (kReleased was reported).
    kFailed,      // The Allocate failed (kAllocateFailed was reported).
    kLost,        // The allocation was lost (kAllocationLost was reported).
  };

  static constexpr size_t kMaxQueuedTransmits = 1024;
  // The most data one Send takes: what fits in a Send indication to an IPv6
  // peer with DONT-FRAGMENT (and in a ChannelData message).
  static constexpr size_t kMaxDataSize = 65500;
  static constexpr size_t kMaxQueuedEvents = 1024;
  // A refresh that failed before the allocation expired is tried again this
  // much later.
  static constexpr net::Duration kRefreshRetryDelay = net::Duration::Seconds(5);
  // At most this many XOR-PEER-ADDRESS in one CreatePermission refresh, so
  // the request stays well under any path MTU.
  static constexpr size_t kMaxPeersPerCreatePermission = 16;

  // InvalidArgument when `config.Validate()` fails.
  static absl::StatusOr<std::unique_ptr<TurnClient>> Create(
      net::Random& random, TurnClientConfig config);
  TurnClient(const TurnClient&) = delete;
  TurnClient& operator=(const TurnClient&) = delete;

  // Sets `config().local`, for a UDP socket bound after the client was made
  // (a driver needs the engine before it can bind). InvalidArgument when the
  // configuration would be invalid with it; FailedPrecondition while an
  // allocation is under way.
  absl::Status SetLocalAddress(const net::TransportAddress& local);

  // Sends the Allocate request. FailedPrecondition unless the client is
  // kIdle, kFailed, kReleased or kLost (a new allocation starts afresh: no
  // permissions, no channels), or over UDP before the local port is known.
  absl::Status Allocate(net::Time now);

  // Deletes the allocation (Refresh with LIFETIME 0). Exactly one kReleased
  // event follows, whatever the server answers (437 counts as released: the
  // allocation is gone either way), and no other allocation event. While the
  // Allocate is in flight the release waits for its answer. In any other
  // state there is nothing to release and nothing happens.
  void Release(net::Time now);

  // Installs a permission for `peer` and keeps refreshing it (CreatePermission,
  // RFC 8656 §9-§10); kPermissionCreated or kPermissionFailed follows. OK and
  // nothing sent when it is installed or pending already; a failed one is
  // asked for again. FailedPrecondition unless kAllocated; InvalidArgument
  // when no relayed address has the family of `peer` (RFC 8656 §10.2: 443).
  absl::Status CreatePermission(net::Time now, const net::IpAddress& peer);

  // Stops refreshing the permission of `peer` and the channels to its ports;
  // the server lets them expire (TURN has no way to delete one). Data sent to
  // `peer` later creates them again, with the same channel numbers.
  void RemovePermission(const net::IpAddress& peer);

  // Binds a channel to `peer` (ChannelBind, RFC 8656 §12.1), which installs
  // the permission of its IP address too, and keeps refreshing both;
  // kChannelBound or kChannelFailed follows. OK when bound or binding
  // already. FailedPrecondition unless kAllocated; InvalidArgument for a
  // peer that is not a UDP address of a relayed family with a port;
  // ResourceExhausted when the 4096 channel numbers are used up.
  absl::Status BindChannel(net::Time now, const net::TransportAddress& peer);

  // Sends `data` to `peer` through the relay: ChannelData on a bound
  // channel, a Send indication otherwise. A peer without a permission gets
  // one first (a ChannelBind when `use_channels`, else a CreatePermission),
  // and the data follows that request on the wire. FailedPrecondition unless
  // kAllocated, or when the server refused the peer's permission (call
  // CreatePermission to ask again); InvalidArgument for a bad peer or more
  // than kMaxDataSize bytes; ResourceExhausted when the transmit queue is
  // full. Nothing is sent when it fails, except for the peer's permission or
  // channel request.
  absl::Status Send(net::Time now, const net::TransportAddress& peer,
                    absl::Span<const uint8_t> data);

  // Takes a datagram that arrived at `datagram.destination`. True when it
  // was this client's: from the server to the local address (a wildcard
  // local address matches any), and a response to one of its requests, a
  // Data indication, or ChannelData, even when it was then discarded (a
  // malformed one, a peer without permission, an unknown channel). False for
  // anything else, which the caller may hand to another engine sharing the
  // socket (an ICE agent's STUN Binding to the same server, say).
  bool HandleDatagram(net::Time now, const net::DatagramView& datagram);

  // The stream connection to `remote` closed. When it is the server's
  // connection (TCP or TLS), the allocation is gone: kAllocationLost (or
  // kAllocateFailed while allocating, kReleased while releasing). Ignored
  // over UDP and for other remotes.
  void HandleConnectionClosed(net::Time now,
                              const net::TransportAddress& remote);

  void HandleTimeout(net::Time now);
  std::optional<net::Datagram> PollTransmit();
  std::optional<Event> PollEvent();
  std::optional<net::Time> NextTimeout() const;

  State state() const { return state_; }
  const TurnClientConfig& config() const { return config_; }
  // While allocated (and after, until the next Allocate): the relayed
  // addresses, one or two; the mapped address the server reported.
  const std::vector<net::TransportAddress>& relayed_addresses() const {
    return relayed_;
  }
  std::optional<net::TransportAddress> relayed_address(
      net::AddressFamily family) const;
  const std::optional<net::TransportAddress>& mapped_address() const {
    return mapped_;
  }
  // The lifetime last granted, the instant the allocation expires unless
  // refreshed, and the instant of the next refresh; nullopt unless
  // kAllocated.
  net::Duration lifetime() const { return lifetime_; }
  std::optional<net::Time> expiry() const;
  std::optional<net::Time> next_refresh() const;
  // True when the permission of `peer` is installed.
  bool HasPermission(const net::IpAddress& peer) const;
  // The number of the channel bound to `peer`, if it is bound.
  std::optional<uint16_t> BoundChannel(const net::TransportAddress& peer) const;
  // kData events dropped because the event queue was full.
  uint64_t data_dropped() const { return data_dropped_; }

 private:
  using RequestId = stun::StunClient::RequestId;

  // What a request in flight is for.
  struct Pending {
    enum class Kind : uint8_t {
      kAllocate,
      kRefresh,
      kRelease,
      kCleanup,  // Deletes an allocation whose success response was unusable.
      kPermission,
      kChannel,
    };
    explicit Pending(Kind kind) : kind(kind) {}

    Kind kind;
    net::Time started;
    std::vector<net::IpAddress> ips;  // kPermission.
    net::TransportAddress peer;       // kChannel.
  };

  TurnClient(net::Random& random, TurnClientConfig config);

  // The allocation (client.cc).
  bool UnderWay() const;
  absl::StatusOr<RequestId> Start(
      net::Time now, stun::Method method, Pending pending,
      absl::AnyInvocable<void(stun::MessageBuilder&)> add_attributes);
  void StartRefresh(net::Time now);
  void StartRelease(net::Time now, Pending::Kind kind);
  void DrainStunTransmits();
  void DrainStunClient(net::Time now);
  void OnRequestDone(net::Time now, const Pending& pending,
                     const stun::StunClient::Event& event);
  void OnAllocateDone(net::Time now, const Pending& pending,
                      const stun::StunClient::Event& event);
  void OnAllocated(net::Time now, const Pending& pending,
                   const stun::StunClient::Event& event);
  void SetLifetime(net::Time started, net::Duration lifetime);
  void OnRefreshDone(net::Time now, const Pending& pending,
                     const stun::StunClient::Event& event);
  absl::Status ExpiredStatus() const;
  // Cancels every request but a deletion, and forgets the peers.
  void ResetAllocation();
  void Lose(absl::Status status);
  void FinishRelease(absl::Status status);
  void FinishRequestedRelease();
  bool FromServer(const net::TransportAddress& source) const;
  bool LocalMatches(const net::TransportAddress& destination) const;

  // Relaying (client_relay.cc).
  absl::Status CheckPeer(const net::TransportAddress& peer,
                         bool needs_port) const;
  absl::Status StartCreatePermission(net::Time now,
                                     std::vector<net::IpAddress> ips);
  absl::Status StartChannelBind(net::Time now,
                                const net::TransportAddress& peer);
  absl::Status StartBinding(net::Time now, const net::TransportAddress& peer);
  absl::Status EnsurePermission(net::Time now, const net::IpAddress& ip);
  void RefreshDuePeers(net::Time now);
  void OnPermissionDone(const Pending& pending,
                        const stun::StunClient::Event& event);
  void OnChannelDone(net::Time now, const Pending& pending,
                     const stun::StunClient::Event& event);
  void InstallPermission(const net::IpAddress& ip, net::Time refreshed_at);
  void FailPermission(const net::IpAddress& ip, absl::Status status,
                      int error_code);
  void FailChannel(const net::TransportAddress& peer, absl::Status status,
                   int error_code);
  bool PeerPermitted(const net::IpAddress& ip) const;
  void HandleDataIndication(const stun::MessageView& message);
  void HandleChannelData(absl::Span<const uint8_t> bytes);
  void DeliverData(const net::TransportAddress& peer, uint16_t channel,
                   absl::Span<const uint8_t> data);

  void Emit(Event event) { events_.push_back(std::move(event)); }

  net::Random& random_;
  TurnClientConfig config_;
  stun::StunClient stun_;
  State state_ = State::kIdle;
  bool release_requested_ = false;

  std::vector<net::TransportAddress> relayed_;
  std::optional<net::TransportAddress> mapped_;
  net::Duration lifetime_;
  net::Time expires_at_;
  net::Time refresh_at_;
  std::optional<RequestId> refresh_request_;

  ClientPeers peers_;
  std::map<RequestId, Pending> pending_;
  struct Transmit {
    net::Datagram datagram;
    bool data = false;  // Application data (bounded), not a request.
  };
  std::deque<Transmit> transmits_;
  size_t queued_data_ = 0;  // Data among `transmits_`.
  std::deque<Event> events_;
  size_t queued_data_events_ = 0;  // kData among `events_`.
  // Why the last refresh failed, for the loss that may follow.
  absl::Status last_refresh_failure_;
  uint64_t data_dropped_ = 0;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_CLIENT_H_
