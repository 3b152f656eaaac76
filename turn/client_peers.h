// `ClientPeers`: the permissions (one per peer IP address, RFC 8656 §9) and
// channels (one per peer transport address, RFC 8656 §12) of one TURN
// allocation as its client tracks them, and when each is due for a refresh.
// Bookkeeping only: `TurnClient` sends the requests and reports the events.
//
// Refresh rules, chosen so that neither ever lapses on the server:
// - the server keeps a permission 300 s and a channel 600 s after the
//   request that installed or refreshed it (RFC 8656 §9, §12); both are
//   refreshed `kRefreshInterval` (240 s) after the previous request started,
//   which leaves a minute for the refresh itself;
// - a ChannelBind also refreshes the permission of the peer's IP address
//   (RFC 8656 §12.1), so a permission with a live channel (binding or bound)
//   is refreshed through its channels only; without one it is refreshed by a
//   CreatePermission, which may carry several due permissions at once
//   (RFC 8656 §10.1).
//
// Channel numbers are handed out from 0x4000 upwards, one per peer, and are
// never given to another peer during the allocation: RFC 8656 §12 forbids
// rebinding a number to a different peer until 5 minutes after its binding
// expired, and never reusing them is the simplest way to obey. Sizes are
// bounded: at most kMaxPermissions permissions and the 4096 channel numbers.
//
// Iteration is over ordered maps, so every list returned comes in address
// order, the same in every run (DESIGN.md, determinism).
#ifndef PINHOLE_TURN_CLIENT_PEERS_H_
#define PINHOLE_TURN_CLIENT_PEERS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::turn {

class ClientPeers {
 public:
  using RequestId = uint64_t;

  static constexpr size_t kMaxPermissions = 4096;
  static constexpr net::Duration kRefreshInterval = net::Duration::Seconds(240);

  enum class PermissionState : uint8_t {
    kPending,    // Asked for, no answer yet.
    kInstalled,  // Installed (or refreshed) on the server.
    kFailed,     // Refused, or a refresh failed: not installed.
  };
  struct Permission {
    PermissionState state = PermissionState::kPending;
    // The CreatePermission in flight that covers this address, if any.
    std::optional<RequestId> request;
    // When installed: the next refresh, when no channel keeps it alive.
    net::Time refresh_at;
    // When kFailed: why.
    absl::Status failure;
  };

  enum class ChannelState : uint8_t {
    kIdle,     // Numbered, not wanted now (its permission was removed).
    kBinding,  // The first ChannelBind is in flight.
    kBound,    // Bound; refreshed while wanted.
    kFailed,   // The ChannelBind or a refresh failed.
  };
  struct Channel {
    uint16_t number = 0;
    ChannelState state = ChannelState::kIdle;
    // The ChannelBind in flight for this channel, if any.
    std::optional<RequestId> request;
    // When bound: the next refresh.
    net::Time refresh_at;
  };

  // --- Permissions.

  Permission* FindPermission(const net::IpAddress& ip);
  const Permission* FindPermission(const net::IpAddress& ip) const;
  // The permission of `ip`, added as kPending when absent; ResourceExhausted
  // when kMaxPermissions exist already.
  absl::StatusOr<Permission*> AddPermission(const net::IpAddress& ip);
  // Forgets the permission of `ip` and makes its channels kIdle (they stop
  // being refreshed; their numbers stay theirs). Returns the requests in
  // flight for them only (a ChannelBind), which the caller may cancel.
  std::vector<RequestId> RemovePermission(const net::IpAddress& ip);
  // True when a channel to a port of `ip` is binding or bound: its
  // ChannelBinds keep the permission alive.
  bool HasLiveChannel(const net::IpAddress& ip) const;
  // Installed permissions without a live channel whose refresh is due at
  // `now` and not already in flight.
  std::vector<net::IpAddress> DuePermissions(net::Time now) const;

  // --- Channels.

  Channel* FindChannel(const net::TransportAddress& peer);
  const Channel* FindChannel(const net::TransportAddress& peer) const;
  // The peer bound (or binding) on `number`; nullopt for a number that is not
  // in use, kIdle or kFailed.
  std::optional<net::TransportAddress> PeerOnChannel(uint16_t number) const;
  // The channel of `peer`, numbered (kIdle) when new; ResourceExhausted when
  // all 4096 numbers are taken.
  absl::StatusOr<Channel*> AddChannel(const net::TransportAddress& peer);
  // Bound channels whose refresh is due at `now` and not already in flight.
  std::vector<net::TransportAddress> DueChannels(net::Time now) const;

  // The earliest refresh either list above will return, if any.
  std::optional<net::Time> NextRefresh() const;

  size_t permission_count() const { return permissions_.size(); }
  size_t channel_count() const { return channels_.size(); }

 private:
  std::map<net::IpAddress, Permission> permissions_;
  std::map<net::TransportAddress, Channel> channels_;
  std::map<uint16_t, net::TransportAddress> peer_of_number_;
  uint32_t next_number_ = 0x4000;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_CLIENT_PEERS_H_
