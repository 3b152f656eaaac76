// `DropReason`: why the virtual network dropped a packet. Every drop carries
// exactly one; the trace records it by name, so a user reading a trace learns
// which element refused the packet and which rule it applied.
#ifndef PINHOLE_SIM_DROP_REASON_H_
#define PINHOLE_SIM_DROP_REASON_H_

#include <cstdint>
#include <ostream>

#include "absl/strings/string_view.h"

namespace pinhole::sim {

enum class DropReason : uint8_t {
  // Links.
  kLinkLoss,     // The link's loss model (independent or Gilbert-Elliott).
  kMtuExceeded,  // Larger than the link's MTU (the simulator never fragments).
  kQueueFull,    // The link's drop-tail queue was full.
  kLinkDown,     // The link was down when the packet entered or was on it.
  // Routing and hosts.
  kNoRoute,           // No route, or no interface, for the destination.
  kHopLimitExceeded,  // TTL / hop limit reached zero.
  kPortUnreachable,   // Reached its host, but no socket is bound there.
  // NATs (RFC 4787 / RFC 5382 vocabulary).
  kNatNoMapping,           // Inbound to an external port with no mapping.
  kNatMappingExpired,      // Inbound to a mapping whose lifetime ran out.
  kNatFilteredByAddress,   // Address-dependent filtering refused the source.
  kNatFilteredByPort,      // Address-and-port-dependent filtering refused it.
  kNatTableFull,           // No mapping could be created: limit or ports used.
  kNatHairpinUnsupported,  // Inside to own external address, no hairpinning.
  // Firewalls.
  kFirewallRule,  // A firewall rule refused it.
};

// A short, stable, human-readable name: "link loss", "NAT: no mapping", ...
// Traces and scenario expectations use these names.
constexpr absl::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kLinkLoss:
      return "link loss";
    case DropReason::kMtuExceeded:
      return "MTU exceeded";
    case DropReason::kQueueFull:
      return "queue full";
    case DropReason::kLinkDown:
      return "link down";
    case DropReason::kNoRoute:
      return "no route";
    case DropReason::kHopLimitExceeded:
      return "hop limit exceeded";
    case DropReason::kPortUnreachable:
      return "port unreachable";
    case DropReason::kNatNoMapping:
      return "NAT: no mapping";
    case DropReason::kNatMappingExpired:
      return "NAT: mapping expired";
    case DropReason::kNatFilteredByAddress:
      return "NAT: filtered by address";
    case DropReason::kNatFilteredByPort:
      return "NAT: filtered by port";
    case DropReason::kNatTableFull:
      return "NAT: table full";
    case DropReason::kNatHairpinUnsupported:
      return "NAT: hairpinning unsupported";
    case DropReason::kFirewallRule:
      return "firewall rule";
  }
  return "unknown";
}

inline std::ostream& operator<<(std::ostream& os, DropReason reason) {
  return os << DropReasonName(reason);
}

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_DROP_REASON_H_
