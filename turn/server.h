// `TurnServer`: the sans-IO core of a TURN server (RFC 8656): allocations
// over UDP, TCP or TLS from clients, UDP relaying to peers, with long-term
// credentials and a peer address policy that refuses internal networks by
// default.
//
// Run loop (the five verbs of STYLE.md rule 1). Hand every datagram to
// `HandleDatagram`: from clients (STUN requests and indications, ChannelData;
// over TCP/TLS one frame of the stream at a time, as `stun::StreamDriver`
// cuts them) with `destination` the server address it reached, and from peers
// with `destination` a relayed address. Drain `PollTransmit` (a datagram's
// `source` is the server address to answer from, or the relayed address to
// relay from) and `PollEvent`, then wait until `NextTimeout`. When a TCP/TLS
// client connection ends, call `HandleConnectionClosed` (RFC 8656 §3.1: its
// allocation goes with it). Relayed sockets come and go through the
// `RelaySockets` the server was made with.
//
// What it does (turn/README.md has the details):
// - Allocate (§7.2): 401/438 challenges, 441 for an allocation's requests
//   signed by another user, 437 on a 5-tuple already allocated (a
//   retransmitted Allocate gets its success again), 400 for malformed or
//   contradictory attributes, 420 for unknown comprehension-required ones,
//   442 for a transport other than UDP, 440 for a family not relayed, 486
//   beyond the user's quota, 508 beyond the server's cap or when no port is
//   free, EVEN-PORT (with R: the next port reserved for 30 s under a
//   RESERVATION-TOKEN), RESERVATION-TOKEN, DONT-FRAGMENT, dual allocations
//   (ADDITIONAL-ADDRESS-FAMILY, ADDRESS-ERROR-CODE).
// - Refresh (§8), CreatePermission (§9), ChannelBind (§12) with the
//   rebinding rules, Send (§10) and Data indications, ChannelData.
// - Every peer in a request passes the peer address policy or gets 403;
//   Send indications and ChannelData to a refused or unpermitted peer are
//   dropped (indications have no answer, §10.2).
// - Allocations, permissions, channels and reservations expire exactly at
//   their instant: a datagram at that instant already finds them gone.
//
// Outputs are bounded like BindingServer's. Single-threaded; time is only
// what the caller passes in; randomness (nonce secret, ports, tokens) only
// from the `net::Random` given at creation.
#ifndef PINHOLE_TURN_SERVER_H_
#define PINHOLE_TURN_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/server/bounded_queue.h"
#include "turn/long_term_auth.h"
#include "turn/peer_address_policy.h"
#include "turn/relay_sockets.h"
#include "turn/server_config.h"

namespace pinhole::turn {

class TurnServer {
 public:
  static constexpr size_t kMaxQueuedTransmits = 4096;
  static constexpr size_t kMaxQueuedEvents = 1024;
  // Port draws per relayed address before 508 (Insufficient Capacity).
  static constexpr int kPortAttempts = 64;

  struct Event {
    enum class Kind : uint8_t {
      kAllocated,      // An allocation was created.
      kDeallocated,    // One ended; `reason` says how.
      kErrorResponse,  // A request was refused with `error_code`.
      kPermission,     // A permission was installed or refreshed.
      kChannelBound,   // A channel was bound or refreshed.
    };
    Kind kind = Kind::kAllocated;
    net::TransportAddress client;
    net::TransportAddress server;
    std::string username;
    std::vector<net::TransportAddress> relayed;  // kAllocated, kDeallocated.
    net::Duration lifetime;                      // kAllocated.
    net::TransportAddress peer;                  // kPermission (port 0),
                                                 // kChannelBound.
    uint16_t channel = 0;                        // kChannelBound.
    int error_code = 0;                          // kErrorResponse.
    std::string reason;  // kDeallocated and kErrorResponse.
  };

  struct Stats {
    uint64_t datagrams = 0;  // Handed to HandleDatagram.
    uint64_t requests = 0;
    uint64_t successes = 0;
    uint64_t errors = 0;
    uint64_t allocations_created = 0;
    uint64_t allocations_deleted = 0;
    uint64_t relayed_to_peers = 0;    // Datagrams relayed client → peer.
    uint64_t relayed_to_clients = 0;  // Datagrams relayed peer → client.
    uint64_t dropped = 0;             // Anything else not answered.
    uint64_t dropped_no_permission = 0;
    uint64_t dropped_queue_full = 0;
    uint64_t events_discarded = 0;
  };

  // InvalidArgument when `config` is not valid. `random` and `relays` must
  // outlive the server.
  static absl::StatusOr<std::unique_ptr<TurnServer>> Create(
      TurnServerConfig config, net::Random& random, RelaySockets& relays);
  TurnServer(const TurnServer&) = delete;
  TurnServer& operator=(const TurnServer&) = delete;
  ~TurnServer();

  void HandleDatagram(net::Time now, const net::DatagramView& datagram);
  // The client at `client` on server address `server` is gone (its TCP or TLS
  // connection ended): its allocation is deleted.
  void HandleConnectionClosed(net::Time now,
                              const net::TransportAddress& client,
                              const net::TransportAddress& server);
  void HandleTimeout(net::Time now);
  std::optional<net::Datagram> PollTransmit();
  std::optional<Event> PollEvent();
  std::optional<net::Time> NextTimeout() const;

  const Stats& stats() const { return stats_; }
  size_t allocation_count() const { return allocations_.size(); }
  const TurnServerConfig& config() const { return config_; }
  const PeerAddressPolicy& peer_policy() const { return policy_; }

 private:
  struct FiveTuple {
    net::TransportAddress client;
    net::TransportAddress server;
    friend bool operator==(const FiveTuple& a, const FiveTuple& b) {
      return a.client == b.client && a.server == b.server;
    }
    template <typename H>
    friend H AbslHashValue(H h, const FiveTuple& t) {
      return H::combine(std::move(h), t.client, t.server);
    }
  };
  struct Permission {
    net::IpAddress peer;
    net::Time expires;
  };
  struct Channel {
    uint16_t number = 0;
    net::TransportAddress peer;
    net::Time expires;
  };
  struct Allocation {
    uint64_t id = 0;
    FiveTuple tuple;
    const LongTermAuth::User* user = nullptr;
    stun::TransactionId allocate_transaction{};
    std::vector<uint8_t> allocate_response;  // For a retransmitted Allocate.
    std::vector<net::TransportAddress> relayed;  // 1 or 2, IPv4 first.
    bool dont_fragment = false;
    net::Time expires;
    net::Time deadline;  // Its key in deadlines_.
    std::vector<Permission> permissions;
    std::vector<Channel> channels;
  };
  struct Reservation {
    net::TransportAddress address;
    net::Time expires;
  };
  // What a request's handler decided, when not success.
  struct Refusal {
    int code = 0;
    std::string reason;
  };

  TurnServer(TurnServerConfig config, LongTermAuth auth,
             PeerAddressPolicy policy, net::Random& random,
             RelaySockets& relays);

  void HandleFromPeer(net::Time now, const net::DatagramView& datagram,
                      const Allocation& allocation);
  // Sends `data` from the relayed address `from` to `to`; to another
  // allocation of this server, directly (see CheckPeer).
  void RelayToPeer(net::Time now, const net::TransportAddress& from,
                   const net::TransportAddress& to,
                   absl::Span<const uint8_t> data);
  bool IsRelayIp(const net::IpAddress& ip) const;
  void HandleChannelData(net::Time now, const net::DatagramView& datagram);
  void HandleStun(net::Time now, const net::DatagramView& datagram,
                  const stun::MessageView& message);
  void HandleSendIndication(net::Time now, const net::DatagramView& datagram,
                            const stun::MessageView& message);
  void HandleRequest(net::Time now, const net::DatagramView& datagram,
                     const stun::MessageView& request);

  // Request handlers: on success they build the response into builder_
  // (without integrity and fingerprint) and return nullopt.
  std::optional<Refusal> Allocate(net::Time now, const FiveTuple& tuple,
                                  const stun::MessageView& request,
                                  const LongTermAuth::Credentials& creds);
  std::optional<Refusal> Refresh(net::Time now, Allocation& allocation,
                                 const stun::MessageView& request);
  std::optional<Refusal> CreatePermission(net::Time now, Allocation& allocation,
                                          const stun::MessageView& request);
  std::optional<Refusal> ChannelBind(net::Time now, Allocation& allocation,
                                     const stun::MessageView& request);

  // Reads attribute `A` of `request` into `out`; when it is missing or
  // malformed, the 400 that names it (`name`).
  template <typename A>
  static std::optional<Refusal> Read(const stun::MessageView& request,
                                     absl::string_view name, A& out);

  // The peer's verdict: nullopt when it may be relayed to, else 403 or 443.
  // Refused peers get 403 (the policy; a relay IP of this server is
  // allowed for a permission, and for a channel when `with_port` names a
  // live relayed address), the other family 443.
  std::optional<Refusal> CheckPeer(const Allocation& allocation,
                                   const net::TransportAddress& peer,
                                   bool with_port) const;
  // Opens a relayed address of `family`, even (and with the next port
  // reserved) when asked. Nullopt when no port could be had.
  std::optional<net::TransportAddress> OpenRelay(net::Time now,
                                                 net::AddressFamily family,
                                                 bool even, bool reserve_next,
                                                 bool dont_fragment,
                                                 uint64_t* token);
  void InstallPermission(net::Time now, Allocation& allocation,
                         const net::IpAddress& peer);
  bool HasPermission(net::Time now, const Allocation& allocation,
                     const net::IpAddress& peer) const;
  void Delete(uint64_t id, absl::string_view reason);
  void Reschedule(Allocation& allocation);
  void ExpireInside(net::Time now, Allocation& allocation);

  void StartResponse(const stun::MessageView& request, bool success);
  // Adds integrity (when `creds`), SOFTWARE and FINGERPRINT, and queues
  // builder_'s message back to the request's source.
  void FinishResponse(const net::DatagramView& datagram,
                      const LongTermAuth::Credentials* creds);
  void SendError(net::Time now, const net::DatagramView& datagram,
                 const stun::MessageView& request, const Refusal& refusal,
                 const LongTermAuth::Credentials* creds,
                 absl::Span<const uint16_t> unknown = {});
  // An event of `kind` about `allocation`: its 5-tuple and user filled in.
  static Event EventFor(Event::Kind kind, const Allocation& allocation);
  void Queue(net::Datagram datagram);
  void PushEvent(Event event);
  void Drop() { ++stats_.dropped; }

  TurnServerConfig config_;
  LongTermAuth auth_;
  PeerAddressPolicy policy_;
  net::Random& random_;
  RelaySockets& relays_;
  stun::MessageBuilder builder_;
  uint64_t next_id_ = 1;
  // Ordered by id, so anything that walks allocations is deterministic.
  std::map<uint64_t, Allocation> allocations_;
  // Lookups on the data path; the allocations stay put in allocations_ (a
  // node-based map) until deleted, so pointers to them are stable.
  absl::flat_hash_map<FiveTuple, Allocation*> by_tuple_;
  absl::flat_hash_map<net::TransportAddress, Allocation*> by_relay_;
  std::map<std::string, size_t, std::less<>> per_user_;
  std::set<std::pair<net::Time, uint64_t>> deadlines_;
  // RESERVATION-TOKEN → the reserved port, and the set of ports held
  // (allocated or reserved) on each relay IP.
  std::map<uint64_t, Reservation> reservations_;
  std::set<net::TransportAddress> held_;
  stun::BoundedQueue<net::Datagram> transmits_{kMaxQueuedTransmits};
  stun::BoundedQueue<Event> events_{kMaxQueuedEvents};
  Stats stats_;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_SERVER_H_
