#include "sim/nat/nat_settings.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/time.h"
#include "sim/nat/nat_behavior.pb.h"

namespace pinhole::sim {
namespace {

// Seconds from the proto, or `fallback` when unset (0).
net::Duration SecondsOr(uint32_t seconds, net::Duration fallback) {
  return seconds == 0 ? fallback : net::Duration::Seconds(seconds);
}

absl::Status ResolvePorts(const NatBehavior& behavior, NatSettings& out) {
  if (behavior.port_assignment() == NatBehavior::PORT_ASSIGNMENT_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "NatBehavior.port_assignment must be set (PORT_PRESERVATION, "
        "PORT_SEQUENTIAL or PORT_RANDOM)");
  }
  out.port_assignment = behavior.port_assignment();
  switch (behavior.preservation_fallback()) {
    case NatBehavior::PORT_ASSIGNMENT_UNSPECIFIED:
      out.preservation_fallback = NatBehavior::PORT_SEQUENTIAL;
      break;
    case NatBehavior::PORT_SEQUENTIAL:
    case NatBehavior::PORT_RANDOM:
      out.preservation_fallback = behavior.preservation_fallback();
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "NatBehavior.preservation_fallback must be PORT_SEQUENTIAL or "
          "PORT_RANDOM, not ",
          NatBehavior::PortAssignment_Name(behavior.preservation_fallback())));
  }
  out.preserve_port_parity = behavior.preserve_port_parity();
  out.keep_port_class = behavior.keep_port_class();
  if (behavior.has_port_range()) {
    const uint32_t min = behavior.port_range().min();
    const uint32_t max = behavior.port_range().max();
    if (min < 1 || min > 65535 || max < 1 || max > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NatBehavior.port_range ", min, "..", max, " lies outside 1..65535"));
    }
    if (min > max) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NatBehavior.port_range is inverted: min ", min, " > max ", max));
    }
    if (behavior.preserve_port_parity() && min == max) {
      return absl::InvalidArgumentError(
          absl::StrCat("NatBehavior.port_range ", min, "..", max,
                       " holds one port, so it cannot preserve both parities"));
    }
    out.port_min = static_cast<uint16_t>(min);
    out.port_max = static_cast<uint16_t>(max);
  }
  return absl::OkStatus();
}

absl::Status ResolveTimers(const NatBehavior& behavior, NatSettings& out) {
  out.udp_lifetime = SecondsOr(behavior.udp_mapping_lifetime_seconds(),
                               net::Duration::Minutes(5));
  out.udp_replied_lifetime =
      SecondsOr(behavior.udp_replied_lifetime_seconds(), out.udp_lifetime);
  out.udp_replied_lifetime_after =
      net::Duration::Seconds(behavior.udp_replied_lifetime_after_seconds());
  switch (behavior.udp_refresh()) {
    case NatBehavior::REFRESH_UNSPECIFIED:
    case NatBehavior::REFRESH_OUTBOUND_ONLY:
      out.inbound_refreshes_udp = false;
      break;
    case NatBehavior::REFRESH_OUTBOUND_AND_INBOUND:
      out.inbound_refreshes_udp = true;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("NatBehavior.udp_refresh has unknown value ",
                       behavior.udp_refresh()));
  }
  out.tcp_established_timeout =
      SecondsOr(behavior.tcp_established_idle_timeout_seconds(),
                net::Duration::Hours(2) + net::Duration::Minutes(4));
  out.tcp_transitory_timeout =
      SecondsOr(behavior.tcp_transitory_idle_timeout_seconds(),
                net::Duration::Minutes(4));
  switch (behavior.inbound_syn()) {
    case NatBehavior::INBOUND_SYN_UNSPECIFIED:
    case NatBehavior::INBOUND_SYN_FILTERED:
      out.inbound_syn_simultaneous_open_only = false;
      break;
    case NatBehavior::INBOUND_SYN_SIMULTANEOUS_OPEN_ONLY:
      out.inbound_syn_simultaneous_open_only = true;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("NatBehavior.inbound_syn has unknown value ",
                       behavior.inbound_syn()));
  }
  return absl::OkStatus();
}

absl::Status ResolveRest(const NatBehavior& behavior, NatSettings& out) {
  switch (behavior.address_pooling()) {
    case NatBehavior::ADDRESS_POOLING_UNSPECIFIED:
    case NatBehavior::ADDRESS_POOLING_PAIRED:
      out.paired_pooling = true;
      break;
    case NatBehavior::ADDRESS_POOLING_ARBITRARY:
      out.paired_pooling = false;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("NatBehavior.address_pooling has unknown value ",
                       behavior.address_pooling()));
  }
  switch (behavior.hairpinning()) {
    case NatBehavior::HAIRPINNING_UNSPECIFIED:
      out.hairpinning = NatBehavior::HAIRPINNING_EXTERNAL_SOURCE;
      break;
    case NatBehavior::HAIRPINNING_OFF:
    case NatBehavior::HAIRPINNING_EXTERNAL_SOURCE:
    case NatBehavior::HAIRPINNING_INTERNAL_SOURCE:
      out.hairpinning = behavior.hairpinning();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("NatBehavior.hairpinning has unknown value ",
                       behavior.hairpinning()));
  }
  out.max_mappings = behavior.max_mappings();
  out.max_mappings_per_internal = behavior.max_mappings_per_internal_address();
  if (out.max_mappings != 0 &&
      out.max_mappings_per_internal > out.max_mappings) {
    return absl::InvalidArgumentError(
        absl::StrCat("NatBehavior.max_mappings_per_internal_address ",
                     out.max_mappings_per_internal, " exceeds max_mappings ",
                     out.max_mappings));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NatSettings> ResolveNatBehavior(const NatBehavior& behavior) {
  NatSettings out;
  switch (behavior.mapping()) {
    case NatBehavior::MAPPING_ENDPOINT_INDEPENDENT:
    case NatBehavior::MAPPING_ADDRESS_DEPENDENT:
    case NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      out.mapping = behavior.mapping();
      break;
    default:
      return absl::InvalidArgumentError(
          "NatBehavior.mapping must be set (MAPPING_ENDPOINT_INDEPENDENT, "
          "MAPPING_ADDRESS_DEPENDENT or MAPPING_ADDRESS_AND_PORT_DEPENDENT)");
  }
  switch (behavior.filtering()) {
    case NatBehavior::FILTERING_ENDPOINT_INDEPENDENT:
    case NatBehavior::FILTERING_ADDRESS_DEPENDENT:
    case NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT:
      out.filtering = behavior.filtering();
      break;
    default:
      return absl::InvalidArgumentError(
          "NatBehavior.filtering must be set (FILTERING_ENDPOINT_INDEPENDENT, "
          "FILTERING_ADDRESS_DEPENDENT or "
          "FILTERING_ADDRESS_AND_PORT_DEPENDENT)");
  }
  if (absl::Status s = ResolvePorts(behavior, out); !s.ok()) return s;
  if (absl::Status s = ResolveTimers(behavior, out); !s.ok()) return s;
  if (absl::Status s = ResolveRest(behavior, out); !s.ok()) return s;
  return out;
}

}  // namespace pinhole::sim
