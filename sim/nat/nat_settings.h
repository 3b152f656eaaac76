// `NatSettings`: a validated `NatBehavior` with every default filled in and
// every duration a `net::Duration`, the form `sim::Nat` reads on each packet.
#ifndef PINHOLE_SIM_NAT_NAT_SETTINGS_H_
#define PINHOLE_SIM_NAT_NAT_SETTINGS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "net/time.h"
#include "sim/nat/nat_behavior.pb.h"

namespace pinhole::sim {

struct NatSettings {
  NatBehavior::Mapping mapping = NatBehavior::MAPPING_ENDPOINT_INDEPENDENT;
  NatBehavior::Filtering filtering =
      NatBehavior::FILTERING_ENDPOINT_INDEPENDENT;
  NatBehavior::PortAssignment port_assignment = NatBehavior::PORT_PRESERVATION;
  // PORT_SEQUENTIAL or PORT_RANDOM.
  NatBehavior::PortAssignment preservation_fallback =
      NatBehavior::PORT_SEQUENTIAL;
  bool preserve_port_parity = false;
  uint16_t port_min = 1;
  uint16_t port_max = 65535;
  bool keep_port_class = false;
  bool paired_pooling = true;
  net::Duration udp_lifetime = net::Duration::Minutes(5);
  net::Duration udp_replied_lifetime = net::Duration::Minutes(5);
  // Age of the mapping from which `udp_replied_lifetime` applies.
  net::Duration udp_replied_lifetime_after;
  bool inbound_refreshes_udp = false;
  net::Duration tcp_established_timeout =
      net::Duration::Hours(2) + net::Duration::Minutes(4);
  net::Duration tcp_transitory_timeout = net::Duration::Minutes(4);
  bool inbound_syn_simultaneous_open_only = false;
  NatBehavior::Hairpinning hairpinning =
      NatBehavior::HAIRPINNING_EXTERNAL_SOURCE;
  uint32_t max_mappings = 0;               // 0: no limit.
  uint32_t max_mappings_per_internal = 0;  // 0: no limit.
};

// Checks `behavior` and resolves its defaults (see nat_behavior.proto). The
// error names the offending field and its value.
absl::StatusOr<NatSettings> ResolveNatBehavior(const NatBehavior& behavior);

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_NAT_NAT_SETTINGS_H_
