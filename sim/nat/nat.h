// `Nat`: a network address translator with the RFC 4787 (UDP) and RFC 5382
// (TCP) behaviours a `NatBehavior` selects. It is a `Middlebox`: the simulator
// puts it between an inside link and an outside link and hands it every
// packet.
//
// Contract:
// - Outbound (arrived on kInside): the packet's source is rewritten to the
//   mapping of its internal endpoint, created when there is none (or only an
//   expired one); the mapping records the destination for filtering and its
//   lifetime restarts. Verdict: Forward, or Drop(kNatTableFull).
// - Inbound (arrived on kOutside): the destination must be a live mapping and
//   the source must pass filtering; the destination is rewritten to the
//   internal endpoint. Drops: kNatNoMapping, kNatMappingExpired,
//   kNatFilteredByAddress, kNatFilteredByPort.
// - Hairpinning (RFC 4787 §6): an inside packet addressed to one of the NAT's
//   external addresses is translated outbound, then inbound (filtering
//   included), and returned with Verdict::Reflect; or dropped with
//   kNatHairpinUnsupported when hairpinning is off.
// - A packet whose family differs from the external addresses' is dropped with
//   kNoRoute (this NAT translates IPv4 to IPv4 or IPv6 to IPv6, never across).
// - Time: the NAT keeps no timers. `now` comes with each packet and must not go
//   backwards; a mapping is live while `now < expires_at` and expired from
//   `expires_at` on.
// - Randomness: only from the `net::Random` given to `Create`, which must
//   outlive the NAT. One thread.
// - UDP and TCP mappings are separate: the protocol is part of every key.
#ifndef PINHOLE_SIM_NAT_NAT_H_
#define PINHOLE_SIM_NAT_NAT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/middlebox.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_settings.h"
#include "sim/packet.h"

namespace pinhole::sim {

class Nat final : public Middlebox {
 public:
  // A mapping as tests and traces see it.
  struct MappingView {
    net::TransportAddress internal;
    net::TransportAddress external;
    net::Time expires_at;
  };

  // Fails when `behavior` is invalid (see `ResolveNatBehavior`) or
  // `external_addresses` is empty, holds an unspecified address, a duplicate,
  // more than 255 addresses, or both IPv4 and IPv6 addresses.
  static absl::StatusOr<std::unique_ptr<Nat>> Create(
      const NatBehavior& behavior,
      std::vector<net::IpAddress> external_addresses, net::Random& random);

  Nat(const Nat&) = delete;
  Nat& operator=(const Nat&) = delete;

  Verdict Process(net::Time now, Side arrived_on, Packet& packet) override;

  // Loses every mapping, as a power cycle does. Sequential port cursors and
  // address pairing start over; the random stream continues.
  void Reboot();
  // Loses every mapping but remembers where port assignment and address
  // pooling had got to, as flushing the connection-tracking table of a
  // running NAT does (`conntrack -F`): new mappings get new ports.
  void FlushMappings();

  // Live (unexpired) mappings at `now`.
  size_t MappingCount(net::Time now) const;

  // The live mapping an outbound packet from `internal` to `remote` would use
  // at `now`, if there is one (`remote` matters only for address-dependent
  // and address-and-port-dependent mapping).
  std::optional<MappingView> FindMapping(
      net::Time now, const net::TransportAddress& internal,
      const net::TransportAddress& remote) const;

  const NatSettings& settings() const { return settings_; }
  absl::Span<const net::IpAddress> external_addresses() const {
    return external_addresses_;
  }

 private:
  // A remote endpoint the mapping has exchanged packets with. For TCP it is
  // also one connection (the internal endpoint is the mapping's).
  struct Peer {
    static constexpr uint8_t kSentTo = 0x01;  // An outbound packet went to it.
    static constexpr uint8_t kSynOut = 0x02;
    static constexpr uint8_t kSynIn = 0x04;
    static constexpr uint8_t kFinOut = 0x08;
    static constexpr uint8_t kFinIn = 0x10;
    static constexpr uint8_t kRst = 0x20;

    net::IpAddress ip;
    uint16_t port = 0;
    uint8_t flags = 0;
    net::Time expires_at;  // TCP only: the connection's idle deadline.
  };

  struct Mapping {
    net::TransportAddress internal;
    uint16_t external_port = 0;
    uint8_t external_index = 0;  // Into `external_addresses_`.
    bool in_use = false;
    bool replied = false;  // An inbound packet has passed (UDP lifetime).
    net::Time created_at;
    net::Time expires_at;
    // peers.front() is the destination that created the mapping: with
    // address(-and-port)-dependent mapping it completes the mapping's key.
    absl::InlinedVector<Peer, 1> peers;
  };

  // The lookup key of outbound packets: the internal endpoint, plus the
  // remote address (and port) the mapping behaviour distinguishes.
  struct InternalKey {
    net::TransportAddress internal;
    net::IpAddress remote_ip;
    uint16_t remote_port = 0;

    friend bool operator==(const InternalKey& a, const InternalKey& b) {
      return a.internal == b.internal && a.remote_ip == b.remote_ip &&
             a.remote_port == b.remote_port;
    }
    template <typename H>
    friend H AbslHashValue(H h, const InternalKey& k) {
      return H::combine(std::move(h), k.internal, k.remote_ip, k.remote_port);
    }
  };

  // Per internal IP address: its paired external address and mapping count.
  struct Subscriber {
    uint32_t mappings = 0;
    uint8_t external_index = 0;
  };

  // A mapping index, or why none could be had.
  struct Lookup {
    uint32_t index = 0;
    std::optional<DropReason> drop;
  };

  Nat(const NatSettings& settings,
      std::vector<net::IpAddress> external_addresses, net::Random& random);

  Verdict Outbound(net::Time now, Packet& packet);
  Verdict Inbound(net::Time now, Packet& packet);
  Verdict Hairpin(net::Time now, Packet& packet);

  Lookup FindOrCreate(net::Time now, const net::TransportAddress& internal,
                      const net::TransportAddress& remote);
  Lookup NewMapping(net::Time now, const InternalKey& key,
                    const net::TransportAddress& remote);
  std::optional<uint16_t> AssignPortOn(net::Time now, uint8_t external_index,
                                       const net::TransportAddress& internal);
  bool AtLimit(const net::IpAddress& internal_ip) const;
  std::optional<DropReason> Filter(net::Time now, const Mapping& mapping,
                                   const Packet& packet) const;
  // The lifetime a UDP refresh at `now` gives: the replied one once an
  // inbound packet has passed and the mapping is old enough, else the first.
  net::Duration UdpLifetime(net::Time now, const Mapping& mapping) const;
  void NoteOutbound(net::Time now, Mapping& mapping, const Packet& packet);
  void NoteInbound(net::Time now, Mapping& mapping, const Packet& packet);
  void UpdateTcp(net::Time now, Mapping& mapping, Peer& peer, uint8_t flags,
                 bool outbound);
  void SetExpiry(Mapping& mapping, net::Time expires_at);
  void Remove(uint32_t index);
  void ReclaimExpired(net::Time now);

  InternalKey KeyFor(const net::TransportAddress& internal,
                     const net::IpAddress& remote_ip,
                     uint16_t remote_port) const;
  std::optional<uint8_t> ExternalIndexOf(const net::IpAddress& ip) const;
  net::TransportAddress ExternalOf(const Mapping& mapping) const;
  static uint32_t ExternalKey(uint8_t external_index,
                              net::TransportProtocol protocol, uint16_t port);
  static bool Live(const Mapping& mapping, net::Time now) {
    return now < mapping.expires_at;
  }

  const NatSettings settings_;
  const std::vector<net::IpAddress> external_addresses_;
  net::Random& random_;

  // Slots; a slot is free when `in_use` is false. Expired mappings keep their
  // slot (a late inbound packet is told kNatMappingExpired) until reclaimed:
  // by a new outbound packet of the same key, when their port is wanted, or
  // when a limit is reached.
  std::vector<Mapping> slots_;
  std::vector<uint32_t> free_slots_;  // LIFO.
  size_t slots_in_use_ = 0;
  // Lookups only; never iterated (iteration goes over `slots_`).
  absl::flat_hash_map<InternalKey, uint32_t> by_internal_;
  absl::flat_hash_map<uint32_t, uint32_t> by_external_;  // ExternalKey().
  absl::flat_hash_map<net::IpAddress, Subscriber> subscribers_;
  // Sequential cursors, per external address and protocol (UDP, TCP).
  std::vector<uint16_t> next_sequential_;
  uint32_t next_pool_index_ = 0;  // Round-robin over external addresses.
  // No in-use mapping expires before this (a lower bound, exact after a
  // sweep): ReclaimExpired scans only once `now` reaches it.
  static constexpr net::Time kNever =
      net::Time::FromNanosecondsSinceEpoch(INT64_MAX);
  net::Time earliest_expiry_ = kNever;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_NAT_H_
