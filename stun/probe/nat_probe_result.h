// Formatting of `NatProbeResult` (nat_probe_result.proto): readable text for
// people, JSON for programs.
#ifndef PINHOLE_STUN_PROBE_NAT_PROBE_RESULT_H_
#define PINHOLE_STUN_PROBE_NAT_PROBE_RESULT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "stun/probe/nat_probe_result.pb.h"

namespace pinhole::stun {

// "endpoint-independent", "address-dependent", ... ("unknown" when unset).
absl::string_view MappingName(MappingBehavior mapping);
absl::string_view FilteringName(FilteringBehavior filtering);
absl::string_view HairpinningName(Hairpinning hairpinning);

// A one-line verdict: "no NAT (endpoint-independent mapping and filtering)",
// "NAT: address-and-port-dependent mapping, address-dependent filtering", or
// what is known when the probe stopped early.
std::string Verdict(const NatProbeResult& result);

// Several lines: the verdict, then each measurement with the addresses seen.
std::string ToText(const NatProbeResult& result);

// One JSON object, every field present.
std::string ToJson(const NatProbeResult& result);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_PROBE_NAT_PROBE_RESULT_H_
