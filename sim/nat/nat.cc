#include "sim/nat/nat.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/ip_address.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/middlebox.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_settings.h"
#include "sim/nat/port_assignment.h"
#include "sim/packet.h"

namespace pinhole::sim {
namespace {

absl::Status CheckExternalAddresses(
    const std::vector<net::IpAddress>& addresses) {
  if (addresses.empty()) {
    return absl::InvalidArgumentError(
        "a NAT needs at least one external address");
  }
  if (addresses.size() > 255) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a NAT takes at most 255 external addresses, not ", addresses.size()));
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    const net::IpAddress& a = addresses[i];
    if (a.IsUnspecified()) {
      return absl::InvalidArgumentError(
          absl::StrCat("external address ", a.ToString(), " is unspecified"));
    }
    if (a.family() != addresses.front().family()) {
      return absl::InvalidArgumentError(
          absl::StrCat("external addresses mix IPv4 and IPv6 (",
                       addresses.front().ToString(), " and ", a.ToString(),
                       "); a NAT translates within one family"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (addresses[j] == a) {
        return absl::InvalidArgumentError(
            absl::StrCat("external address ", a.ToString(), " is repeated"));
      }
    }
  }
  return absl::OkStatus();
}

size_t ProtocolIndex(net::TransportProtocol protocol) {
  return protocol == net::TransportProtocol::kUdp ? 0 : 1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Nat>> Nat::Create(
    const NatBehavior& behavior, std::vector<net::IpAddress> external_addresses,
    net::Random& random) {
  absl::StatusOr<NatSettings> settings = ResolveNatBehavior(behavior);
  if (!settings.ok()) return settings.status();
  if (absl::Status s = CheckExternalAddresses(external_addresses); !s.ok()) {
    return s;
  }
  return std::unique_ptr<Nat>(
      new Nat(*settings, std::move(external_addresses), random));
}

Nat::Nat(const NatSettings& settings,
         std::vector<net::IpAddress> external_addresses, net::Random& random)
    : settings_(settings),
      external_addresses_(std::move(external_addresses)),
      random_(random),
      next_sequential_(external_addresses_.size() * 2, 0) {}

Verdict Nat::Process(net::Time now, Side arrived_on, Packet& packet) {
  const net::AddressFamily family = external_addresses_.front().family();
  if (packet.source.family() != family ||
      packet.destination.family() != family) {
    return Verdict::Drop(DropReason::kNoRoute);
  }
  if (arrived_on == Side::kOutside) return Inbound(now, packet);
  if (ExternalIndexOf(packet.destination.ip()).has_value()) {
    return Hairpin(now, packet);
  }
  return Outbound(now, packet);
}

Verdict Nat::Outbound(net::Time now, Packet& packet) {
  const Lookup lookup = FindOrCreate(now, packet.source, packet.destination);
  if (lookup.drop.has_value()) return Verdict::Drop(*lookup.drop);
  Mapping& mapping = slots_[lookup.index];
  NoteOutbound(now, mapping, packet);
  packet.source = ExternalOf(mapping);
  return Verdict::Forward();
}

Verdict Nat::Inbound(net::Time now, Packet& packet) {
  const std::optional<uint8_t> index = ExternalIndexOf(packet.destination.ip());
  if (!index.has_value()) return Verdict::Drop(DropReason::kNatNoMapping);
  const auto it = by_external_.find(ExternalKey(
      *index, packet.destination.protocol(), packet.destination.port()));
  if (it == by_external_.end()) {
    return Verdict::Drop(DropReason::kNatNoMapping);
  }
  Mapping& mapping = slots_[it->second];
  if (!Live(mapping, now)) return Verdict::Drop(DropReason::kNatMappingExpired);
  if (const std::optional<DropReason> refused = Filter(now, mapping, packet)) {
    return Verdict::Drop(*refused);
  }
  NoteInbound(now, mapping, packet);
  packet.destination = mapping.internal;
  return Verdict::Forward();
}

// RFC 4787 §6: translated as an outbound packet, then as an inbound one.
Verdict Nat::Hairpin(net::Time now, Packet& packet) {
  if (settings_.hairpinning == NatBehavior::HAIRPINNING_OFF) {
    return Verdict::Drop(DropReason::kNatHairpinUnsupported);
  }
  const net::TransportAddress internal_source = packet.source;
  if (const Verdict out = Outbound(now, packet);
      out.action == Verdict::Action::kDrop) {
    return out;
  }
  if (const Verdict in = Inbound(now, packet);
      in.action == Verdict::Action::kDrop) {
    return in;
  }
  if (settings_.hairpinning == NatBehavior::HAIRPINNING_INTERNAL_SOURCE) {
    packet.source = internal_source;
  }
  return Verdict::Reflect();
}

Nat::Lookup Nat::FindOrCreate(net::Time now,
                              const net::TransportAddress& internal,
                              const net::TransportAddress& remote) {
  const InternalKey key = KeyFor(internal, remote.ip(), remote.port());
  if (const auto it = by_internal_.find(key); it != by_internal_.end()) {
    if (Live(slots_[it->second], now)) return {it->second, std::nullopt};
    // RFC 4787 §4.3: an expired mapping is gone; this packet makes a new one.
    Remove(it->second);
  }
  return NewMapping(now, key, remote);
}

Nat::Lookup Nat::NewMapping(net::Time now, const InternalKey& key,
                            const net::TransportAddress& remote) {
  const net::TransportAddress& internal = key.internal;
  if (AtLimit(internal.ip())) {
    ReclaimExpired(now);
    if (AtLimit(internal.ip())) return {0, DropReason::kNatTableFull};
  }
  const size_t pool_size = external_addresses_.size();
  const uint32_t start = next_pool_index_ % pool_size;
  std::optional<uint8_t> paired;
  if (settings_.paired_pooling) {
    if (const auto it = subscribers_.find(internal.ip());
        it != subscribers_.end()) {
      paired = it->second.external_index;
    }
  }
  if (!paired.has_value()) next_pool_index_ = start + 1;
  // Paired pooling (RFC 4787 REQ-2) tries only the paired address; arbitrary
  // pooling moves on round-robin when an address has no free port.
  const size_t tries = settings_.paired_pooling ? 1 : pool_size;
  std::optional<uint16_t> port;
  uint8_t external_index = 0;
  for (size_t i = 0; i < tries && !port.has_value(); ++i) {
    external_index = paired.has_value()
                         ? *paired
                         : static_cast<uint8_t>((start + i) % pool_size);
    port = AssignPortOn(now, external_index, internal);
  }
  if (!port.has_value()) return {0, DropReason::kNatTableFull};

  uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Mapping& mapping = slots_[index];
  mapping.internal = internal;
  mapping.external_port = *port;
  mapping.external_index = external_index;
  mapping.in_use = true;
  mapping.replied = false;
  mapping.created_at = now;
  mapping.expires_at = now;
  mapping.peers.clear();
  mapping.peers.push_back(Peer{remote.ip(), remote.port(), 0, now});
  by_internal_[key] = index;
  by_external_[ExternalKey(external_index, internal.protocol(), *port)] = index;
  Subscriber& subscriber = subscribers_[internal.ip()];
  subscriber.external_index = external_index;
  ++subscriber.mappings;
  ++slots_in_use_;
  return {index, std::nullopt};
}

std::optional<uint16_t> Nat::AssignPortOn(
    net::Time now, uint8_t external_index,
    const net::TransportAddress& internal) {
  const net::TransportProtocol protocol = internal.protocol();
  auto is_free = [&](uint16_t port) {
    const auto it =
        by_external_.find(ExternalKey(external_index, protocol, port));
    if (it == by_external_.end()) return true;
    if (Live(slots_[it->second], now)) return false;
    Remove(it->second);  // An expired mapping gives its port up.
    return true;
  };
  uint16_t& cursor =
      next_sequential_[external_index * 2 + ProtocolIndex(protocol)];
  return AssignPort(settings_, internal.port(), cursor, random_, is_free);
}

bool Nat::AtLimit(const net::IpAddress& internal_ip) const {
  if (settings_.max_mappings != 0 && slots_in_use_ >= settings_.max_mappings) {
    return true;
  }
  if (settings_.max_mappings_per_internal == 0) return false;
  const auto it = subscribers_.find(internal_ip);
  return it != subscribers_.end() &&
         it->second.mappings >= settings_.max_mappings_per_internal;
}

// RFC 4787 §5 (and RFC 5382 §4 REQ-3, REQ-4 for TCP).
std::optional<DropReason> Nat::Filter(net::Time now, const Mapping& mapping,
                                      const Packet& packet) const {
  NatBehavior::Filtering filtering = settings_.filtering;
  const bool tcp = packet.source.protocol() != net::TransportProtocol::kUdp;
  const bool bare_syn = tcp && (packet.tcp.flags & TcpHeader::kSyn) != 0 &&
                        (packet.tcp.flags & TcpHeader::kAck) == 0;
  const bool require_syn_out =
      bare_syn && settings_.inbound_syn_simultaneous_open_only;
  if (require_syn_out) {
    filtering = NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT;
  }
  if (filtering == NatBehavior::FILTERING_ENDPOINT_INDEPENDENT) {
    return std::nullopt;
  }
  const net::IpAddress& ip = packet.source.ip();
  const uint16_t port = packet.source.port();
  bool address_known = false;
  for (const Peer& peer : mapping.peers) {
    if ((peer.flags & Peer::kSentTo) == 0 || peer.ip != ip) continue;
    // A TCP connection that went idle no longer opens the filter.
    if (tcp && !(now < peer.expires_at)) continue;
    address_known = true;
    if (filtering == NatBehavior::FILTERING_ADDRESS_DEPENDENT) {
      return std::nullopt;
    }
    if (peer.port == port &&
        (!require_syn_out || (peer.flags & Peer::kSynOut) != 0)) {
      return std::nullopt;
    }
  }
  return address_known ? DropReason::kNatFilteredByPort
                       : DropReason::kNatFilteredByAddress;
}

namespace {

template <typename Peers>
auto* FindPeer(Peers& peers, const net::TransportAddress& remote) {
  for (auto& peer : peers) {
    if (peer.port == remote.port() && peer.ip == remote.ip()) return &peer;
  }
  return static_cast<decltype(&peers.front())>(nullptr);
}

}  // namespace

net::Duration Nat::UdpLifetime(net::Time now, const Mapping& mapping) const {
  const bool stream =
      mapping.replied &&
      now - mapping.created_at >= settings_.udp_replied_lifetime_after;
  return stream ? settings_.udp_replied_lifetime : settings_.udp_lifetime;
}

void Nat::NoteOutbound(net::Time now, Mapping& mapping, const Packet& packet) {
  Peer* peer = FindPeer(mapping.peers, packet.destination);
  if (peer == nullptr) {
    mapping.peers.push_back(
        Peer{packet.destination.ip(), packet.destination.port(), 0, now});
    peer = &mapping.peers.back();
  }
  peer->flags |= Peer::kSentTo;
  if (packet.source.protocol() == net::TransportProtocol::kUdp) {
    // RFC 4787 §4.3 REQ-6: outbound packets always refresh.
    SetExpiry(mapping, now + UdpLifetime(now, mapping));
    return;
  }
  UpdateTcp(now, mapping, *peer, packet.tcp.flags, /*outbound=*/true);
}

void Nat::NoteInbound(net::Time now, Mapping& mapping, const Packet& packet) {
  if (packet.source.protocol() == net::TransportProtocol::kUdp) {
    mapping.replied = true;
    // RFC 4787 §4.3 REQ-6: inbound refresh is the behaviour's choice.
    if (settings_.inbound_refreshes_udp) {
      SetExpiry(mapping, now + UdpLifetime(now, mapping));
    }
    return;
  }
  Peer* peer = FindPeer(mapping.peers, packet.source);
  if (peer == nullptr) {
    mapping.peers.push_back(
        Peer{packet.source.ip(), packet.source.port(), 0, now});
    peer = &mapping.peers.back();
  }
  UpdateTcp(now, mapping, *peer, packet.tcp.flags, /*outbound=*/false);
}

// RFC 5382 §5 REQ-5, with RFC 7857 §2.2 for RST: a connection is established
// once a SYN has passed each way, until FINs have passed both ways or a RST
// has passed; otherwise it is transitory. The mapping lives as long as its
// longest-lived connection.
void Nat::UpdateTcp(net::Time now, Mapping& mapping, Peer& peer, uint8_t flags,
                    bool outbound) {
  uint8_t& s = peer.flags;
  const bool closed = (s & Peer::kRst) != 0 ||
                      ((s & Peer::kFinOut) != 0 && (s & Peer::kFinIn) != 0);
  if ((flags & TcpHeader::kSyn) != 0) {
    if (closed) s &= Peer::kSentTo;  // A new connection on the same 4-tuple.
    s |= outbound ? Peer::kSynOut : Peer::kSynIn;
  }
  if ((flags & TcpHeader::kFin) != 0)
    s |= outbound ? Peer::kFinOut : Peer::kFinIn;
  if ((flags & TcpHeader::kRst) != 0) s |= Peer::kRst;
  const bool established =
      (s & Peer::kSynOut) != 0 && (s & Peer::kSynIn) != 0 &&
      (s & Peer::kRst) == 0 &&
      !((s & Peer::kFinOut) != 0 && (s & Peer::kFinIn) != 0);
  peer.expires_at = now + (established ? settings_.tcp_established_timeout
                                       : settings_.tcp_transitory_timeout);
  net::Time latest = peer.expires_at;
  for (const Peer& p : mapping.peers) latest = std::max(latest, p.expires_at);
  // A RST or a close shortens the deadline: recompute rather than extend.
  SetExpiry(mapping, latest);
}

void Nat::Remove(uint32_t index) {
  Mapping& mapping = slots_[index];
  const Peer& first = mapping.peers.front();
  by_internal_.erase(KeyFor(mapping.internal, first.ip, first.port));
  by_external_.erase(ExternalKey(mapping.external_index,
                                 mapping.internal.protocol(),
                                 mapping.external_port));
  if (const auto it = subscribers_.find(mapping.internal.ip());
      it != subscribers_.end() && --it->second.mappings == 0) {
    subscribers_.erase(it);
  }
  mapping.in_use = false;
  mapping.peers.clear();
  mapping.peers.shrink_to_fit();
  free_slots_.push_back(index);
  --slots_in_use_;
}

void Nat::SetExpiry(Mapping& mapping, net::Time expires_at) {
  mapping.expires_at = expires_at;
  earliest_expiry_ = std::min(earliest_expiry_, expires_at);
}

// Costs one scan of the slots, and only when some mapping may have expired:
// a full table under a flood of new flows does not rescan on every packet.
void Nat::ReclaimExpired(net::Time now) {
  if (now < earliest_expiry_) return;
  net::Time earliest = kNever;
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    Mapping& mapping = slots_[i];
    if (!mapping.in_use) continue;
    if (Live(mapping, now)) {
      earliest = std::min(earliest, mapping.expires_at);
    } else {
      Remove(i);
    }
  }
  earliest_expiry_ = earliest;
}

void Nat::Reboot() {
  FlushMappings();
  std::fill(next_sequential_.begin(), next_sequential_.end(), 0);
  next_pool_index_ = 0;
}

void Nat::FlushMappings() {
  slots_.clear();
  free_slots_.clear();
  slots_in_use_ = 0;
  by_internal_.clear();
  by_external_.clear();
  subscribers_.clear();
  earliest_expiry_ = kNever;
}

size_t Nat::MappingCount(net::Time now) const {
  size_t count = 0;
  for (const Mapping& mapping : slots_) {
    if (mapping.in_use && Live(mapping, now)) ++count;
  }
  return count;
}

std::optional<Nat::MappingView> Nat::FindMapping(
    net::Time now, const net::TransportAddress& internal,
    const net::TransportAddress& remote) const {
  const auto it =
      by_internal_.find(KeyFor(internal, remote.ip(), remote.port()));
  if (it == by_internal_.end()) return std::nullopt;
  const Mapping& mapping = slots_[it->second];
  if (!Live(mapping, now)) return std::nullopt;
  return MappingView{mapping.internal, ExternalOf(mapping), mapping.expires_at};
}

Nat::InternalKey Nat::KeyFor(const net::TransportAddress& internal,
                             const net::IpAddress& remote_ip,
                             uint16_t remote_port) const {
  switch (settings_.mapping) {
    case NatBehavior::MAPPING_ADDRESS_DEPENDENT:
      return {internal, remote_ip, 0};
    case NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      return {internal, remote_ip, remote_port};
    default:
      return {internal, net::IpAddress(), 0};
  }
}

std::optional<uint8_t> Nat::ExternalIndexOf(const net::IpAddress& ip) const {
  for (size_t i = 0; i < external_addresses_.size(); ++i) {
    if (external_addresses_[i] == ip) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

net::TransportAddress Nat::ExternalOf(const Mapping& mapping) const {
  return net::TransportAddress(external_addresses_[mapping.external_index],
                               mapping.external_port,
                               mapping.internal.protocol());
}

uint32_t Nat::ExternalKey(uint8_t external_index,
                          net::TransportProtocol protocol, uint16_t port) {
  return (static_cast<uint32_t>(external_index) << 24) |
         (static_cast<uint32_t>(protocol) << 16) | port;
}

}  // namespace pinhole::sim
