// `TurnServerConfig`: what a TURN server (RFC 8656) relays, for whom and how
// long. The defaults are the RFC's timers and limits a public server can run
// with; every field is checked by `ValidateTurnServerConfig`.
#ifndef PINHOLE_TURN_SERVER_CONFIG_H_
#define PINHOLE_TURN_SERVER_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "turn/peer_address_policy.h"

namespace pinhole::turn {

struct TurnServerConfig {
  // REALM of the long-term credential mechanism (RFC 8489 §9.2).
  std::string realm = "pinhole";
  // Users: username -> password. At least one; usernames distinct and
  // non-empty.
  std::vector<std::pair<std::string, std::string>> users;

  // The relayed addresses' IPs, one per family the server relays (RFC 8656
  // §7.2: REQUESTED-ADDRESS-FAMILY chooses; IPv4 by default). At least one;
  // each must be a specific (not unspecified) address of its family.
  std::optional<net::IpAddress> relay_ipv4;
  std::optional<net::IpAddress> relay_ipv6;
  // Relayed ports are drawn uniformly from [min, max] (RFC 8656 §7.2
  // recommends 49152-65535, and random choice against port guessing).
  uint16_t relay_port_min = 49152;
  uint16_t relay_port_max = 65535;

  // RFC 8656 §2 and §7.2: 10 minutes unless the client asks for more, at
  // most an hour.
  net::Duration default_lifetime = net::Duration::Minutes(10);
  net::Duration max_lifetime = net::Duration::Hours(1);
  // RFC 8656 §9: a permission lasts 300 s; §12: a channel binding 600 s.
  net::Duration permission_lifetime = net::Duration::Seconds(300);
  net::Duration channel_lifetime = net::Duration::Seconds(600);
  // RFC 8656 §7.2: a port reserved by EVEN-PORT's R flag is held about 30 s.
  net::Duration reservation_lifetime = net::Duration::Seconds(30);
  // How long a NONCE stays valid before requests get 438 (Stale Nonce).
  net::Duration nonce_lifetime = net::Duration::Minutes(10);

  // 486 (Allocation Quota Reached) beyond this many allocations per user;
  // 508 (Insufficient Capacity) beyond this many in total.
  size_t max_allocations_per_user = 32;
  size_t max_allocations = 10000;

  // Which peers the server relays to (403 for the rest); see
  // turn/peer_address_policy.h. The server adds its relay IPs to the
  // policy's own addresses.
  PeerAddressPolicy::Config peer_policy;

  // SOFTWARE in every response; empty = omit.
  std::string software = "Pinhole";
};

// OK, or InvalidArgument naming the first problem.
absl::Status ValidateTurnServerConfig(const TurnServerConfig& config);

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_SERVER_CONFIG_H_
