#include "turn/server.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/byte_io.h"
#include "stun/channel_data.h"
#include "stun/error_code.h"
#include "stun/integrity.h"
#include "stun/message_type.h"

namespace pinhole::turn {
namespace {

using stun::MessageClass;
using stun::Method;
namespace error = stun::error;

bool IsStream(const net::TransportAddress& address) {
  return address.protocol() != net::TransportProtocol::kUdp;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TurnServer>> TurnServer::Create(
    TurnServerConfig config, net::Random& random, RelaySockets& relays) {
  if (absl::Status valid = ValidateTurnServerConfig(config); !valid.ok()) {
    return valid;
  }
  absl::StatusOr<LongTermAuth> auth = LongTermAuth::Create(
      config.realm, config.users, config.nonce_lifetime, random);
  if (!auth.ok()) return auth.status();
  PeerAddressPolicy::Config policy_config = config.peer_policy;
  for (const std::optional<net::IpAddress>& ip :
       {config.relay_ipv4, config.relay_ipv6}) {
    if (ip.has_value()) policy_config.own_addresses.push_back(*ip);
  }
  return std::unique_ptr<TurnServer>(new TurnServer(
      std::move(config), *std::move(auth),
      PeerAddressPolicy(std::move(policy_config)), random, relays));
}

TurnServer::TurnServer(TurnServerConfig config, LongTermAuth auth,
                       PeerAddressPolicy policy, net::Random& random,
                       RelaySockets& relays)
    : config_(std::move(config)),
      auth_(std::move(auth)),
      policy_(std::move(policy)),
      random_(random),
      relays_(relays),
      builder_(stun::MessageType{Method::kBinding, MessageClass::kRequest},
               stun::TransactionId{}) {}

TurnServer::~TurnServer() {
  for (const net::TransportAddress& address : held_) relays_.Close(address);
}

// --- Input.

void TurnServer::HandleDatagram(net::Time now,
                                const net::DatagramView& datagram) {
  ++stats_.datagrams;
  if (const auto it = by_relay_.find(datagram.destination);
      it != by_relay_.end()) {
    return HandleFromPeer(now, datagram, *it->second);
  }
  if (datagram.destination.port() >= config_.relay_port_min &&
      datagram.destination.port() <= config_.relay_port_max &&
      held_.count(datagram.destination) != 0) {
    return Drop();  // A reserved port: nothing relays through it yet.
  }
  const absl::Span<const uint8_t> bytes = datagram.payload;
  if (!bytes.empty() && (bytes[0] & 0xC0) == 0x40) {
    return HandleChannelData(now, datagram);
  }
  absl::StatusOr<stun::MessageView> message = stun::MessageView::Parse(bytes);
  if (!message.ok() || message->is_rfc3489()) return Drop();
  if (message->fingerprint_offset().has_value() &&
      !stun::VerifyFingerprint(*message).ok()) {
    return Drop();
  }
  HandleStun(now, datagram, *message);
}

void TurnServer::HandleStun(net::Time now, const net::DatagramView& datagram,
                            const stun::MessageView& message) {
  switch (message.message_class()) {
    case MessageClass::kRequest:
      return HandleRequest(now, datagram, message);
    case MessageClass::kIndication:
      if (message.method() == Method::kSend) {
        return HandleSendIndication(now, datagram, message);
      }
      return Drop();
    default:
      return Drop();
  }
}

void TurnServer::HandleConnectionClosed(net::Time /*now*/,
                                        const net::TransportAddress& client,
                                        const net::TransportAddress& server) {
  const auto it = by_tuple_.find(FiveTuple{client, server});
  if (it != by_tuple_.end()) Delete(it->second->id, "connection closed");
}

void TurnServer::HandleTimeout(net::Time now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const uint64_t id = deadlines_.begin()->second;
    Allocation& allocation = allocations_.at(id);
    if (allocation.expires <= now) {
      Delete(id, "expired");
      continue;
    }
    ExpireInside(now, allocation);
    Reschedule(allocation);
  }
  for (auto it = reservations_.begin(); it != reservations_.end();) {
    if (it->second.expires <= now) {
      relays_.Close(it->second.address);
      held_.erase(it->second.address);
      it = reservations_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<net::Time> TurnServer::NextTimeout() const {
  std::optional<net::Time> next;
  if (!deadlines_.empty()) next = deadlines_.begin()->first;
  for (const auto& [token, reservation] : reservations_) {
    if (!next.has_value() || reservation.expires < *next) {
      next = reservation.expires;
    }
  }
  return next;
}

std::optional<net::Datagram> TurnServer::PollTransmit() {
  return transmits_.Pop();
}

std::optional<TurnServer::Event> TurnServer::PollEvent() {
  return events_.Pop();
}

// --- Relaying.

void TurnServer::HandleFromPeer(net::Time now,
                                const net::DatagramView& datagram,
                                const Allocation& allocation) {
  if (allocation.expires <= now) return Drop();
  // RFC 8656 §9: only the peer's IP is checked, and receiving does not
  // refresh the permission.
  if (!HasPermission(now, allocation, datagram.source.ip())) {
    ++stats_.dropped_no_permission;
    return Drop();
  }
  if (datagram.payload.size() > stun::kMaxChannelDataLength) return Drop();
  const bool stream = IsStream(allocation.tuple.client);
  net::Datagram out{allocation.tuple.server, allocation.tuple.client, {}};
  for (const Channel& channel : allocation.channels) {
    if (channel.peer == datagram.source && channel.expires > now) {
      // RFC 8656 §12.4: ChannelData when a channel is bound to the peer.
      out.payload.reserve(
          stun::ChannelDataSize(datagram.payload.size(), stream));
      if (!stun::AppendChannelData(channel.number, datagram.payload, stream,
                                   &out.payload)
               .ok()) {
        return Drop();
      }
      ++stats_.relayed_to_clients;
      return Queue(std::move(out));
    }
  }
  // RFC 8656 §11.3: otherwise a Data indication.
  stun::TransactionId id;
  random_.Fill(absl::MakeSpan(id));
  builder_.Reset(stun::MessageType{Method::kData, MessageClass::kIndication},
                 id);
  builder_.Add(stun::XorPeerAddress{datagram.source});
  builder_.Add(stun::Data{datagram.payload});
  if (!builder_.status().ok()) return Drop();
  const absl::Span<const uint8_t> bytes = builder_.bytes();
  out.payload.assign(bytes.begin(), bytes.end());
  ++stats_.relayed_to_clients;
  Queue(std::move(out));
}

void TurnServer::HandleChannelData(net::Time now,
                                   const net::DatagramView& datagram) {
  absl::StatusOr<stun::ChannelDataView> message =
      stun::ParseChannelData(datagram.payload);
  if (!message.ok()) return Drop();
  const auto it =
      by_tuple_.find(FiveTuple{datagram.source, datagram.destination});
  if (it == by_tuple_.end()) return Drop();
  const Allocation& allocation = *it->second;
  if (allocation.expires <= now) return Drop();
  for (const Channel& channel : allocation.channels) {
    if (channel.number != message->channel) continue;
    // RFC 8656 §12.6: an unbound channel's data is discarded; the permission
    // (which the binding installed, and the client keeps refreshing) must
    // still hold.
    if (channel.expires <= now ||
        !HasPermission(now, allocation, channel.peer.ip())) {
      ++stats_.dropped_no_permission;
      return Drop();
    }
    for (const net::TransportAddress& relayed : allocation.relayed) {
      if (relayed.family() != channel.peer.family()) continue;
      return RelayToPeer(now, relayed, channel.peer, message->data);
    }
    return Drop();
  }
  Drop();
}

void TurnServer::HandleSendIndication(net::Time now,
                                      const net::DatagramView& datagram,
                                      const stun::MessageView& message) {
  const auto it =
      by_tuple_.find(FiveTuple{datagram.source, datagram.destination});
  if (it == by_tuple_.end()) return Drop();
  const Allocation& allocation = *it->second;
  if (allocation.expires <= now) return Drop();
  // RFC 8656 §10.2: without XOR-PEER-ADDRESS and DATA, or to a peer without a
  // permission, the indication is discarded (indications get no answer).
  absl::StatusOr<stun::XorPeerAddress> peer =
      message.Get<stun::XorPeerAddress>();
  absl::StatusOr<stun::Data> data = message.Get<stun::Data>();
  if (!peer.ok() || !data.ok()) return Drop();
  const net::TransportAddress to(peer->address.ip(), peer->address.port());
  // A permission exists only for a peer the policy allowed (CreatePermission
  // and ChannelBind check it), and the policy never changes: no permission,
  // no relaying, and no need to ask the policy again per datagram.
  if (!HasPermission(now, allocation, to.ip())) {
    ++stats_.dropped_no_permission;
    return Drop();
  }
  for (const net::TransportAddress& relayed : allocation.relayed) {
    if (relayed.family() != to.family()) continue;
    return RelayToPeer(now, relayed, to, data->value);
  }
  Drop();
}

// --- Requests.

void TurnServer::HandleRequest(net::Time now, const net::DatagramView& datagram,
                               const stun::MessageView& request) {
  ++stats_.requests;
  const FiveTuple tuple{datagram.source, datagram.destination};
  const Method method = request.method();
  if (method == Method::kBinding) {
    // A TURN server is a STUN server too (RFC 8656 §2.1): Binding needs no
    // credentials.
    StartResponse(request, /*success=*/true);
    builder_.Add(stun::XorMappedAddress{datagram.source});
    ++stats_.successes;
    return FinishResponse(datagram, nullptr);
  }
  if (method != Method::kAllocate && method != Method::kRefresh &&
      method != Method::kCreatePermission && method != Method::kChannelBind) {
    return SendError(
        now, datagram, request,
        {error::kBadRequest,
         absl::StrCat("method ", static_cast<int>(request.method()),
                      " is not served")},
        nullptr);
  }
  LongTermAuth::Refusal auth_refusal;
  absl::StatusOr<LongTermAuth::Credentials> creds =
      auth_.Check(now, request, datagram.source, auth_refusal);
  if (!creds.ok()) {
    return SendError(now, datagram, request,
                     {auth_refusal.code, auth_refusal.reason}, nullptr);
  }
  // RFC 8489 §6.3.1: after authentication, unknown comprehension-required
  // attributes get 420.
  if (!request.unknown_comprehension_required().empty()) {
    return SendError(
        now, datagram, request,
        {error::kUnknownAttribute, "unknown comprehension-required attributes"},
        &*creds, request.unknown_comprehension_required());
  }

  const auto found = by_tuple_.find(tuple);
  std::optional<Refusal> refusal;
  if (method == Method::kAllocate) {
    if (found != by_tuple_.end()) {
      Allocation& existing = *found->second;
      // RFC 8656 §7.2: a retransmission of the Allocate that made the
      // allocation gets its success response again; anything else 437.
      if (existing.allocate_transaction == request.transaction_id() &&
          existing.user == creds->user) {
        ++stats_.successes;
        return Queue(net::Datagram{datagram.destination, datagram.source,
                                   existing.allocate_response});
      }
      return SendError(now, datagram, request,
                       {error::kAllocationMismatch,
                        "this 5-tuple already has an allocation"},
                       &*creds);
    }
    refusal = Allocate(now, tuple, request, *creds);
    if (!refusal.has_value()) {
      ++stats_.successes;
      FinishResponse(datagram, &*creds);
      // Keep the response for a retransmitted Allocate.
      const auto it = by_tuple_.find(tuple);
      if (it != by_tuple_.end()) {
        const absl::Span<const uint8_t> bytes = builder_.bytes();
        it->second->allocate_response.assign(bytes.begin(), bytes.end());
      }
      return;
    }
    return SendError(now, datagram, request, *refusal, &*creds);
  }

  if (found == by_tuple_.end()) {
    return SendError(
        now, datagram, request,
        {error::kAllocationMismatch, "no allocation for this 5-tuple"},
        &*creds);
  }
  Allocation& allocation = *found->second;
  if (allocation.user != creds->user) {
    // RFC 8656 §5: requests on an allocation must use the credentials that
    // created it.
    return SendError(now, datagram, request,
                     {error::kWrongCredentials,
                      absl::StrCat("the allocation belongs to another user")},
                     &*creds);
  }
  switch (method) {
    case Method::kRefresh:
      refusal = Refresh(now, allocation, request);
      break;
    case Method::kCreatePermission:
      refusal = CreatePermission(now, allocation, request);
      break;
    default:
      refusal = ChannelBind(now, allocation, request);
      break;
  }
  if (refusal.has_value()) {
    return SendError(now, datagram, request, *refusal, &*creds);
  }
  ++stats_.successes;
  FinishResponse(datagram, &*creds);
}

template <typename A>
std::optional<TurnServer::Refusal> TurnServer::Read(
    const stun::MessageView& request, absl::string_view name, A& out) {
  absl::StatusOr<A> value = request.Get<A>();
  if (!value.ok()) {
    return Refusal{error::kBadRequest,
                   absl::StrCat(name, ": ", value.status().message())};
  }
  out = *std::move(value);
  return std::nullopt;
}

std::optional<TurnServer::Refusal> TurnServer::Allocate(
    net::Time now, const FiveTuple& tuple, const stun::MessageView& request,
    const LongTermAuth::Credentials& creds) {
  // RFC 8656 §7.2, in its order.
  stun::RequestedTransport transport;
  if (auto refused = Read(request, "REQUESTED-TRANSPORT", transport)) {
    return refused;
  }
  if (transport.protocol != stun::RequestedTransport::kUdp) {
    return Refusal{error::kUnsupportedTransportProtocol,
                   absl::StrCat("only UDP relaying (17) is served, not ",
                                transport.protocol)};
  }
  const bool dont_fragment = request.Has(stun::attr::kDontFragment);
  const bool has_token = request.Has(stun::attr::kReservationToken);
  const bool has_even = request.Has(stun::attr::kEvenPort);
  const bool has_requested = request.Has(stun::attr::kRequestedAddressFamily);
  const bool has_additional = request.Has(stun::attr::kAdditionalAddressFamily);
  if (has_token && (has_even || has_requested || has_additional)) {
    return Refusal{error::kBadRequest,
                   "RESERVATION-TOKEN cannot come with EVEN-PORT or an "
                   "address family"};
  }
  if (has_requested && has_additional) {
    return Refusal{error::kBadRequest,
                   "REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY "
                   "together"};
  }
  stun::EvenPort even;
  if (has_even) {
    if (auto refused = Read(request, "EVEN-PORT", even)) return refused;
    if (even.reserve_next && has_additional) {
      return Refusal{error::kBadRequest,
                     "EVEN-PORT with R cannot reserve for a dual allocation"};
    }
  }
  net::AddressFamily family = net::AddressFamily::kIpv4;
  if (has_requested) {
    stun::RequestedAddressFamily requested;
    if (auto refused = Read(request, "REQUESTED-ADDRESS-FAMILY", requested)) {
      return refused;
    }
    if (!requested.address_family().has_value()) {
      return Refusal{error::kAddressFamilyNotSupported,
                     absl::StrCat("unknown address family ", requested.family)};
    }
    family = *requested.address_family();
  }
  if (has_additional) {
    absl::StatusOr<stun::AdditionalAddressFamily> additional =
        request.Get<stun::AdditionalAddressFamily>();
    if (!additional.ok() || additional->family != 0x02) {
      return Refusal{error::kBadRequest,
                     "ADDITIONAL-ADDRESS-FAMILY must be IPv6 (RFC 8656 §7.2)"};
    }
  }
  std::optional<net::Duration> requested_lifetime;
  if (request.Has(stun::attr::kLifetime)) {
    stun::Lifetime lifetime;
    if (auto refused = Read(request, "LIFETIME", lifetime)) return refused;
    requested_lifetime = net::Duration::Seconds(lifetime.value);
  }
  const std::string& username = creds.user->name;
  if (const auto used = per_user_.find(username);
      used != per_user_.end() &&
      used->second >= config_.max_allocations_per_user) {
    return Refusal{
        error::kAllocationQuotaReached,
        absl::StrCat("user \"", username, "\" has ",
                     config_.max_allocations_per_user, " allocations already")};
  }
  if (allocations_.size() >= config_.max_allocations) {
    return Refusal{error::kInsufficientCapacity,
                   "the server holds all the allocations it may"};
  }

  // The relayed addresses.
  std::vector<net::TransportAddress> relayed;
  std::optional<uint64_t> token_out;
  std::optional<stun::AddressErrorCode> address_error;
  if (has_token) {
    stun::ReservationToken token;
    if (auto refused = Read(request, "RESERVATION-TOKEN", token)) {
      return refused;
    }
    const auto it = reservations_.find(token.value);
    if (it == reservations_.end() || it->second.expires <= now) {
      return Refusal{error::kInsufficientCapacity,
                     "unknown or expired RESERVATION-TOKEN"};
    }
    const net::TransportAddress address = it->second.address;
    reservations_.erase(it);
    if (dont_fragment) {
      // The reserved socket was opened without DF; reopen it with.
      relays_.Close(address);
      if (!relays_.Open(address, /*dont_fragment=*/true).ok()) {
        held_.erase(address);
        return Refusal{error::kInsufficientCapacity,
                       "the reserved port could not be reopened"};
      }
    }
    relayed.push_back(address);
  } else {
    const std::optional<net::IpAddress>& ip =
        family == net::AddressFamily::kIpv4 ? config_.relay_ipv4
                                            : config_.relay_ipv6;
    if (!ip.has_value()) {
      return Refusal{
          error::kAddressFamilyNotSupported,
          absl::StrCat("no ",
                       family == net::AddressFamily::kIpv4 ? "IPv4" : "IPv6",
                       " relayed addresses here")};
    }
    uint64_t token = 0;
    std::optional<net::TransportAddress> address = OpenRelay(
        now, family, has_even, even.reserve_next, dont_fragment, &token);
    if (!address.has_value()) {
      return Refusal{error::kInsufficientCapacity, "no relayed port is free"};
    }
    relayed.push_back(*address);
    if (has_even && even.reserve_next) token_out = token;
    if (has_additional) {
      // RFC 8656 §7.2: a dual allocation that gets only IPv4 still
      // succeeds, with ADDRESS-ERROR-CODE for IPv6.
      std::optional<net::TransportAddress> v6;
      if (config_.relay_ipv6.has_value()) {
        v6 = OpenRelay(now, net::AddressFamily::kIpv6, false, false,
                       dont_fragment, nullptr);
        if (!v6.has_value()) {
          address_error = stun::AddressErrorCode{
              net::AddressFamily::kIpv6, error::kInsufficientCapacity,
              "no IPv6 relayed port is free"};
        }
      } else {
        address_error = stun::AddressErrorCode{
            net::AddressFamily::kIpv6, error::kAddressFamilyNotSupported,
            "no IPv6 relayed addresses here"};
      }
      if (v6.has_value()) relayed.push_back(*v6);
    }
  }

  // RFC 8656 §7.2: the lifetime asked for, within [default, maximum].
  net::Duration lifetime = config_.default_lifetime;
  if (requested_lifetime.has_value()) {
    lifetime = std::max(config_.default_lifetime,
                        std::min(*requested_lifetime, config_.max_lifetime));
  }
  Allocation allocation;
  allocation.id = next_id_++;
  allocation.tuple = tuple;
  allocation.user = creds.user;
  allocation.allocate_transaction = request.transaction_id();
  allocation.relayed = relayed;
  allocation.dont_fragment = dont_fragment;
  allocation.expires = now + lifetime;
  allocation.deadline = allocation.expires;
  ++per_user_[username];
  deadlines_.insert({allocation.deadline, allocation.id});
  ++stats_.allocations_created;

  const uint64_t id = allocation.id;
  Allocation& stored =
      allocations_.emplace(id, std::move(allocation)).first->second;
  for (const net::TransportAddress& address : stored.relayed) {
    by_relay_[address] = &stored;
  }
  by_tuple_[tuple] = &stored;
  Event event = EventFor(Event::Kind::kAllocated, stored);
  event.relayed = relayed;
  event.lifetime = lifetime;
  PushEvent(std::move(event));

  StartResponse(request, /*success=*/true);
  for (const net::TransportAddress& address : relayed) {
    builder_.Add(stun::XorRelayedAddress{address});
  }
  if (address_error.has_value()) builder_.Add(*address_error);
  builder_.Add(stun::Lifetime{static_cast<uint32_t>(lifetime.ToSeconds())});
  if (token_out.has_value()) builder_.Add(stun::ReservationToken{*token_out});
  builder_.Add(stun::XorMappedAddress{tuple.client});
  return std::nullopt;
}

std::optional<TurnServer::Refusal> TurnServer::Refresh(
    net::Time now, Allocation& allocation, const stun::MessageView& request) {
  if (request.Has(stun::attr::kRequestedAddressFamily)) {
    stun::RequestedAddressFamily requested;
    if (auto refused = Read(request, "REQUESTED-ADDRESS-FAMILY", requested)) {
      return refused;
    }
    const bool matches =
        std::any_of(allocation.relayed.begin(), allocation.relayed.end(),
                    [&](const net::TransportAddress& a) {
                      return requested.address_family() == a.family();
                    });
    if (!matches) {
      return Refusal{error::kPeerAddressFamilyMismatch,
                     "the allocation has no relayed address of that family"};
    }
  }
  // RFC 8656 §8.2: LIFETIME 0 deletes; otherwise the desired lifetime is the
  // one asked for within [default, maximum], or the default.
  net::Duration lifetime = config_.default_lifetime;
  if (request.Has(stun::attr::kLifetime)) {
    stun::Lifetime asked;
    if (auto refused = Read(request, "LIFETIME", asked)) return refused;
    lifetime = asked.value == 0
                   ? net::Duration::Zero()
                   : std::max(config_.default_lifetime,
                              std::min(net::Duration::Seconds(asked.value),
                                       config_.max_lifetime));
  }
  StartResponse(request, /*success=*/true);
  builder_.Add(stun::Lifetime{static_cast<uint32_t>(lifetime.ToSeconds())});
  if (lifetime == net::Duration::Zero()) {
    Delete(allocation.id, "released by the client");
    return std::nullopt;
  }
  allocation.expires = now + lifetime;
  Reschedule(allocation);
  return std::nullopt;
}

std::optional<TurnServer::Refusal> TurnServer::CreatePermission(
    net::Time now, Allocation& allocation, const stun::MessageView& request) {
  // RFC 8656 §9.2: one or more XOR-PEER-ADDRESS; all are installed or none.
  std::vector<net::IpAddress> peers;
  for (const stun::RawAttribute& attribute : request.attributes()) {
    if (attribute.type != stun::attr::kXorPeerAddress) continue;
    absl::StatusOr<stun::XorPeerAddress> peer =
        stun::XorPeerAddress::Decode(attribute.value, request);
    if (!peer.ok()) {
      return Refusal{error::kBadRequest, absl::StrCat("XOR-PEER-ADDRESS: ",
                                                      peer.status().message())};
    }
    if (std::optional<Refusal> refused =
            CheckPeer(allocation, peer->address, /*with_port=*/false)) {
      return refused;
    }
    peers.push_back(peer->address.ip());
  }
  if (peers.empty()) {
    return Refusal{error::kBadRequest, "no XOR-PEER-ADDRESS"};
  }
  for (const net::IpAddress& peer : peers) {
    InstallPermission(now, allocation, peer);
  }
  Reschedule(allocation);
  StartResponse(request, /*success=*/true);
  return std::nullopt;
}

std::optional<TurnServer::Refusal> TurnServer::ChannelBind(
    net::Time now, Allocation& allocation, const stun::MessageView& request) {
  stun::ChannelNumber number;
  if (auto refused = Read(request, "CHANNEL-NUMBER", number)) return refused;
  if (!stun::IsValidChannelNumber(number.number)) {
    return Refusal{error::kBadRequest,
                   absl::StrCat("channel number ", number.number,
                                " is outside 0x4000-0x4FFF")};
  }
  stun::XorPeerAddress peer;
  if (auto refused = Read(request, "XOR-PEER-ADDRESS", peer)) return refused;
  const net::TransportAddress address(peer.address.ip(), peer.address.port());
  if (std::optional<Refusal> refused =
          CheckPeer(allocation, address, /*with_port=*/true)) {
    return refused;
  }
  // RFC 8656 §12.2: a bound channel keeps its peer and a peer its channel,
  // until the binding expires.
  Channel* same = nullptr;
  for (Channel& channel : allocation.channels) {
    if (channel.expires <= now) continue;
    const bool number_matches = channel.number == number.number;
    const bool peer_matches = channel.peer == address;
    if (number_matches && peer_matches) {
      same = &channel;
    } else if (number_matches) {
      return Refusal{error::kBadRequest,
                     absl::StrCat("channel ", channel.number,
                                  " is bound to another peer")};
    } else if (peer_matches) {
      return Refusal{
          error::kBadRequest,
          absl::StrCat("the peer is bound to channel ", channel.number)};
    }
  }
  if (same == nullptr) {
    // Drop any expired binding of the same number or peer first.
    allocation.channels.erase(
        std::remove_if(allocation.channels.begin(), allocation.channels.end(),
                       [&](const Channel& c) {
                         return c.number == number.number || c.peer == address;
                       }),
        allocation.channels.end());
    allocation.channels.push_back(Channel{number.number, address, now});
    same = &allocation.channels.back();
  }
  same->expires = now + config_.channel_lifetime;
  InstallPermission(now, allocation, address.ip());
  Reschedule(allocation);

  Event event = EventFor(Event::Kind::kChannelBound, allocation);
  event.peer = address;
  event.channel = number.number;
  PushEvent(std::move(event));
  StartResponse(request, /*success=*/true);
  return std::nullopt;
}

// --- Allocation state.

std::optional<TurnServer::Refusal> TurnServer::CheckPeer(
    const Allocation& allocation, const net::TransportAddress& peer,
    bool with_port) const {
  const PeerVerdict verdict = policy_.Check(peer.ip());
  // A peer on one of the relay IPs is another allocation of this server
  // (two relay-only ICE agents meet that way): its IP may be permitted, a
  // channel may be bound to a live relayed address only, and data goes to
  // live relayed addresses only, inside the server (`RelayToPeer`), so the
  // server's own services stay out of reach.
  const bool other_allocation =
      IsRelayIp(peer.ip()) && (!with_port || by_relay_.count(peer) > 0);
  if (!verdict.allowed && !other_allocation) {
    return Refusal{error::kForbidden,
                   absl::StrCat("peer ", peer.ip().ToString(),
                                " refused: ", verdict.reason)};
  }
  const bool family =
      std::any_of(allocation.relayed.begin(), allocation.relayed.end(),
                  [&](const net::TransportAddress& a) {
                    return a.family() == peer.family();
                  });
  if (!family) {
    return Refusal{error::kPeerAddressFamilyMismatch,
                   "the peer's family differs from the relayed address's"};
  }
  return std::nullopt;
}

bool TurnServer::IsRelayIp(const net::IpAddress& ip) const {
  return ip == config_.relay_ipv4 || ip == config_.relay_ipv6;
}

void TurnServer::RelayToPeer(net::Time now, const net::TransportAddress& from,
                             const net::TransportAddress& to,
                             absl::Span<const uint8_t> data) {
  if (IsRelayIp(to.ip())) {
    // Between two allocations of this server: delivered as if it had
    // arrived at `to`'s relay socket.
    if (const auto it = by_relay_.find(to); it != by_relay_.end()) {
      ++stats_.relayed_to_peers;
      return HandleFromPeer(now, net::DatagramView{from, to, data},
                            *it->second);
    }
    // Any other port of a relay IP only when the policy allows the IP
    // itself (an operator's --allow-peer, loopback tests); otherwise the
    // server's own services stay out of reach.
    if (!policy_.Check(to.ip()).allowed) {
      ++stats_.dropped_no_permission;
      return Drop();
    }
  }
  ++stats_.relayed_to_peers;
  Queue(
      net::Datagram{from, to, std::vector<uint8_t>(data.begin(), data.end())});
}

std::optional<net::TransportAddress> TurnServer::OpenRelay(
    net::Time now, net::AddressFamily family, bool even, bool reserve_next,
    bool dont_fragment, uint64_t* token) {
  const net::IpAddress ip = family == net::AddressFamily::kIpv4
                                ? *config_.relay_ipv4
                                : *config_.relay_ipv6;
  int64_t low = config_.relay_port_min;
  const int64_t high = config_.relay_port_max;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    auto port = static_cast<uint16_t>(random_.UniformInRange(low, high));
    if (even) {
      // An even port whose successor is in range when reserving.
      if (port % 2 != 0) --port;
      if (port < low || (reserve_next && port + 1 > high)) continue;
    }
    const net::TransportAddress address(ip, port);
    if (held_.count(address) != 0) continue;
    if (!relays_.Open(address, dont_fragment).ok()) continue;
    if (reserve_next) {
      const net::TransportAddress next(ip, static_cast<uint16_t>(port + 1));
      if (held_.count(next) != 0 ||
          !relays_.Open(next, /*dont_fragment=*/false).ok()) {
        relays_.Close(address);
        continue;
      }
      uint64_t value = 0;
      do {
        value = random_.NextUint64();
      } while (reservations_.count(value) != 0);
      reservations_[value] =
          Reservation{next, now + config_.reservation_lifetime};
      held_.insert(next);
      *token = value;
    }
    held_.insert(address);
    return address;
  }
  return std::nullopt;
}

void TurnServer::InstallPermission(net::Time now, Allocation& allocation,
                                   const net::IpAddress& peer) {
  const net::Time expires = now + config_.permission_lifetime;
  auto it =
      std::find_if(allocation.permissions.begin(), allocation.permissions.end(),
                   [&](const Permission& p) { return p.peer == peer; });
  if (it == allocation.permissions.end()) {
    allocation.permissions.push_back(Permission{peer, expires});
  } else {
    it->expires = expires;
  }
  Event event = EventFor(Event::Kind::kPermission, allocation);
  event.peer = net::TransportAddress(peer, 0);
  PushEvent(std::move(event));
}

bool TurnServer::HasPermission(net::Time now, const Allocation& allocation,
                               const net::IpAddress& peer) const {
  for (const Permission& permission : allocation.permissions) {
    if (permission.peer == peer) return permission.expires > now;
  }
  return false;
}

void TurnServer::ExpireInside(net::Time now, Allocation& allocation) {
  auto& permissions = allocation.permissions;
  permissions.erase(
      std::remove_if(permissions.begin(), permissions.end(),
                     [now](const Permission& p) { return p.expires <= now; }),
      permissions.end());
  auto& channels = allocation.channels;
  channels.erase(
      std::remove_if(channels.begin(), channels.end(),
                     [now](const Channel& c) { return c.expires <= now; }),
      channels.end());
}

void TurnServer::Reschedule(Allocation& allocation) {
  net::Time next = allocation.expires;
  for (const Permission& permission : allocation.permissions) {
    next = std::min(next, permission.expires);
  }
  for (const Channel& channel : allocation.channels) {
    next = std::min(next, channel.expires);
  }
  deadlines_.erase({allocation.deadline, allocation.id});
  allocation.deadline = next;
  deadlines_.insert({next, allocation.id});
}

void TurnServer::Delete(uint64_t id, absl::string_view reason) {
  const auto it = allocations_.find(id);
  if (it == allocations_.end()) return;
  Allocation& allocation = it->second;
  for (const net::TransportAddress& address : allocation.relayed) {
    relays_.Close(address);
    held_.erase(address);
    by_relay_.erase(address);
  }
  by_tuple_.erase(allocation.tuple);
  if (const auto used = per_user_.find(allocation.user->name);
      used != per_user_.end() && --used->second == 0) {
    per_user_.erase(used);
  }
  deadlines_.erase({allocation.deadline, id});
  ++stats_.allocations_deleted;
  Event event = EventFor(Event::Kind::kDeallocated, allocation);
  event.relayed = std::move(allocation.relayed);
  event.reason = std::string(reason);
  allocations_.erase(it);
  PushEvent(std::move(event));
}

// --- Output.

void TurnServer::StartResponse(const stun::MessageView& request, bool success) {
  builder_.Reset(stun::MessageType{request.method(),
                                   success ? MessageClass::kSuccessResponse
                                           : MessageClass::kErrorResponse},
                 request.transaction_id());
}

void TurnServer::FinishResponse(const net::DatagramView& datagram,
                                const LongTermAuth::Credentials* creds) {
  if (!config_.software.empty()) {
    builder_.Add(stun::Software{config_.software});
  }
  if (creds != nullptr) {
    // RFC 8489 §9.2.4: the response carries the integrity attribute the
    // request used, with the key that authenticated it.
    if (creds->sha256) {
      builder_.AddMessageIntegritySha256(*creds->key, creds->sha256_length);
    } else {
      builder_.AddMessageIntegrity(*creds->key);
    }
  }
  // FINGERPRINT always: TURN runs where STUN is multiplexed with media
  // (RFC 8656 §4, RFC 7983).
  builder_.AddFingerprint();
  if (!builder_.status().ok()) return Drop();
  const absl::Span<const uint8_t> bytes = builder_.bytes();
  Queue(net::Datagram{datagram.destination, datagram.source,
                      std::vector<uint8_t>(bytes.begin(), bytes.end())});
}

void TurnServer::SendError(net::Time now, const net::DatagramView& datagram,
                           const stun::MessageView& request,
                           const Refusal& refusal,
                           const LongTermAuth::Credentials* creds,
                           absl::Span<const uint16_t> unknown) {
  ++stats_.errors;
  StartResponse(request, /*success=*/false);
  // Reason phrases are bounded (RFC 8489 §14.8: under 128 characters).
  std::string reason = refusal.reason.substr(0, 127);
  builder_.Add(stun::ErrorCode{refusal.code, reason});
  if (!unknown.empty()) {
    absl::Span<uint8_t> out = builder_.AppendAttribute(
        stun::attr::kUnknownAttributes, 2 * unknown.size());
    for (size_t i = 0; i < unknown.size() && !out.empty(); ++i) {
      stun::StoreBe16(out.data() + 2 * i, unknown[i]);
    }
  }
  if (refusal.code == error::kUnauthenticated ||
      refusal.code == error::kStaleNonce) {
    auth_.AddChallenge(now, datagram.source, builder_);
  }
  Event event;
  event.kind = Event::Kind::kErrorResponse;
  event.client = datagram.source;
  event.server = datagram.destination;
  if (creds != nullptr) event.username = creds->user->name;
  event.error_code = refusal.code;
  event.reason = refusal.reason;
  PushEvent(std::move(event));
  FinishResponse(datagram, creds);
}

TurnServer::Event TurnServer::EventFor(Event::Kind kind,
                                       const Allocation& allocation) {
  Event event;
  event.kind = kind;
  event.client = allocation.tuple.client;
  event.server = allocation.tuple.server;
  event.username = allocation.user->name;
  return event;
}

void TurnServer::Queue(net::Datagram datagram) {
  if (transmits_.full()) {
    ++stats_.dropped_queue_full;
    ++stats_.dropped;
    return;
  }
  transmits_.PushEvictingOldest(std::move(datagram));
}

void TurnServer::PushEvent(Event event) {
  if (events_.PushEvictingOldest(std::move(event))) ++stats_.events_discarded;
}

}  // namespace pinhole::turn
