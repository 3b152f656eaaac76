// `TurnClientEvent`: what a `TurnClient` reports, one event per change a user
// of the allocation cares about. Fields not listed for a kind are left at
// their defaults.
#ifndef PINHOLE_TURN_CLIENT_EVENT_H_
#define PINHOLE_TURN_CLIENT_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::turn {

// ADDRESS-ERROR-CODE of a dual allocation (RFC 8656 §7.3): the server could
// allocate one family only. 440: it does not support `family` (the client
// must not ask again); 508: no capacity for it (wait a minute).
struct AddressFamilyError {
  net::AddressFamily family = net::AddressFamily::kIpv6;
  int code = 0;
  std::string reason;
};

struct TurnClientEvent {
  enum class Kind : uint8_t {
    // The allocation exists: `relayed` (one address, or two for a dual
    // allocation), `mapped`, `lifetime`, `reservation_token`,
    // `address_error`.
    kAllocated,
    // No allocation: `status` says why, `error_code` is the server's code (0
    // for a timeout or a local failure), `alternate_server` is set for 300.
    kAllocateFailed,
    // A Refresh succeeded: `lifetime` is the server's new time-to-expiry.
    kRefreshed,
    // The allocation is gone (437 to a Refresh, expiry without a successful
    // refresh, the TCP/TLS connection closed): `status` says why.
    kAllocationLost,
    // Release finished (`status` OK, or why the server's answer was not
    // seen; the allocation then expires on the server by itself).
    kReleased,
    // A permission for `peer_ip` was installed (not reported on refreshes).
    kPermissionCreated,
    // A permission for `peer_ip` was refused or could not be refreshed:
    // `status`, `error_code` (403 and the server's reason, for instance).
    kPermissionFailed,
    // `channel` is bound to `peer` (not reported on refreshes).
    kChannelBound,
    // Binding `channel` to `peer` failed, or its refresh did: `status`,
    // `error_code`. Data to `peer` goes as Send indications from then on.
    kChannelFailed,
    // `data` arrived from `peer` (a Data indication, or ChannelData on
    // `channel`).
    kData,
  };

  Kind kind = Kind::kData;
  absl::Status status;
  int error_code = 0;

  std::vector<net::TransportAddress> relayed;
  std::optional<net::TransportAddress> mapped;
  net::Duration lifetime;
  std::optional<uint64_t> reservation_token;
  std::optional<AddressFamilyError> address_error;
  std::optional<net::TransportAddress> alternate_server;

  net::IpAddress peer_ip;
  net::TransportAddress peer;
  uint16_t channel = 0;  // 0 when the data came in a Data indication.
  std::vector<uint8_t> data;
};

// "allocated", "allocate failed", "refreshed", "allocation lost", "released",
// "permission created", "permission failed", "channel bound",
// "channel failed", "data".
absl::string_view TurnClientEventKindName(TurnClientEvent::Kind kind);

// One line for logs: the kind, then what matters for it.
std::string ToString(const TurnClientEvent& event);

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_CLIENT_EVENT_H_
