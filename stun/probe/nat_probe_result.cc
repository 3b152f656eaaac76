#include "stun/probe/nat_probe_result.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "stun/probe/nat_probe_result.pb.h"

namespace pinhole::stun {
namespace {

std::string Seconds(int64_t ms) {
  return absl::StrFormat("%d.%03d s", ms / 1000, ms % 1000);
}

std::string LifetimeText(const NatProbeResult& result) {
  if (!result.has_lifetime()) return "not measured";
  const BindingLifetime& lifetime = result.lifetime();
  if (lifetime.exceeds_max()) {
    return absl::StrCat("longer than ", Seconds(lifetime.lower_ms()),
                        " (the longest silence tried)");
  }
  return absl::StrCat("between ", Seconds(lifetime.lower_ms()), " and ",
                      Seconds(lifetime.upper_ms()));
}

}  // namespace

absl::string_view MappingName(MappingBehavior mapping) {
  switch (mapping) {
    case MAPPING_ENDPOINT_INDEPENDENT:
      return "endpoint-independent";
    case MAPPING_ADDRESS_DEPENDENT:
      return "address-dependent";
    case MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      return "address-and-port-dependent";
    default:
      return "unknown";
  }
}

absl::string_view FilteringName(FilteringBehavior filtering) {
  switch (filtering) {
    case FILTERING_ENDPOINT_INDEPENDENT:
      return "endpoint-independent";
    case FILTERING_ADDRESS_DEPENDENT:
      return "address-dependent";
    case FILTERING_ADDRESS_AND_PORT_DEPENDENT:
      return "address-and-port-dependent";
    default:
      return "unknown";
  }
}

absl::string_view HairpinningName(Hairpinning hairpinning) {
  switch (hairpinning) {
    case HAIRPINNING_NOT_OBSERVED:
      return "not observed";
    case HAIRPINNING_EXTERNAL_SOURCE:
      return "supported (source: the mapped address, as RFC 4787 REQ-9 asks)";
    case HAIRPINNING_INTERNAL_SOURCE:
      return "supported (source: the internal address, against RFC 4787 "
             "REQ-9)";
    default:
      return "not tested";
  }
}

std::string Verdict(const NatProbeResult& result) {
  if (result.mapped_address().empty()) {
    return absl::StrCat("unknown: ", result.error());
  }
  const bool measured = result.mapping() != MAPPING_UNKNOWN &&
                        result.filtering() != FILTERING_UNKNOWN;
  if (!measured) {
    return absl::StrCat(
        result.nat_present() ? "NAT (the mapped address is not the local one)"
                             : "no NAT",
        ", behaviour unknown",
        result.error().empty() ? "" : absl::StrCat(": ", result.error()));
  }
  const bool eim = result.mapping() == MAPPING_ENDPOINT_INDEPENDENT;
  const bool eif = result.filtering() == FILTERING_ENDPOINT_INDEPENDENT;
  if (!result.nat_present()) {
    if (eif) return "no NAT (endpoint-independent mapping and filtering)";
    return absl::StrCat("no NAT, but ", FilteringName(result.filtering()),
                        " filtering (a firewall)");
  }
  if (eim && eif) {
    return "NAT: endpoint-independent mapping and filtering (full cone)";
  }
  return absl::StrCat("NAT: ", MappingName(result.mapping()), " mapping, ",
                      FilteringName(result.filtering()), " filtering");
}

std::string ToText(const NatProbeResult& result) {
  std::string text = absl::StrCat(Verdict(result), "\n");
  const auto line = [&text](absl::string_view name, absl::string_view value) {
    if (!value.empty()) absl::StrAppend(&text, "  ", name, ": ", value, "\n");
  };
  line("server", result.server());
  line("server's other address", result.other_address());
  line("local address", result.local_address());
  line("mapped address", result.mapped_address());
  line("mapped address (other IP)", result.mapped_address_other_ip());
  line("mapped address (other IP and port)",
       result.mapped_address_other_ip_and_port());
  line("mapping", MappingName(result.mapping()));
  line("filtering", FilteringName(result.filtering()));
  line("hairpinning", HairpinningName(result.hairpinning()));
  line("binding lifetime", LifetimeText(result));
  line("stopped", result.error());
  return text;
}

std::string ToJson(const NatProbeResult& result) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.always_print_enums_as_ints = false;
  std::string json;
  // Serialising a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(result, &json, options);
  return json;
}

}  // namespace pinhole::stun
