#include "stun/server/binding_server_config.h"

#include "absl/strings/str_cat.h"
#include "stun/text_attributes.h"

namespace pinhole::stun {
namespace {

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("Binding server configuration: ", what));
}

absl::Status ValidatePrimary(const BindingServerConfig& config) {
  // RFC 8489 §6.2.2: STUN over TCP as well. TLS needs certificates, which
  // no driver takes yet.
  if (config.primary.protocol() == net::TransportProtocol::kTls) {
    return Invalid(absl::StrCat("primary ", config.primary.ToString(),
                                " is TLS; the server speaks UDP and TCP"));
  }
  // RFC 5780's tests (CHANGE-REQUEST, RESPONSE-PORT) answer from other
  // addresses: over TCP there is no connection to answer on.
  if (config.primary.protocol() == net::TransportProtocol::kTcp &&
      config.alternate_ip.has_value()) {
    return Invalid(absl::StrCat("primary ", config.primary.ToString(),
                                " is TCP; RFC 5780 behaviour discovery runs "
                                "over UDP only"));
  }
  if (config.primary.port() == 0) {
    return Invalid(absl::StrCat("primary ", config.primary.ToString(),
                                " has port 0; name the port to serve"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAlternate(const BindingServerConfig& config) {
  if (config.alternate_ip.has_value() != config.alternate_port.has_value()) {
    return Invalid(
        "RFC 5780 needs both alternate_ip and alternate_port, or neither");
  }
  if (!config.alternate_ip.has_value()) return absl::OkStatus();
  const net::IpAddress& primary_ip = config.primary.ip();
  const net::IpAddress& alternate_ip = *config.alternate_ip;
  if (primary_ip.IsUnspecified() || alternate_ip.IsUnspecified()) {
    return Invalid(
        "RFC 5780 needs specified primary and alternate IPs: RESPONSE-ORIGIN "
        "and OTHER-ADDRESS name them");
  }
  if (alternate_ip.family() != primary_ip.family()) {
    return Invalid(absl::StrCat("alternate IP ", alternate_ip.ToString(),
                                " is not of the primary's family (",
                                net::AddressFamilyName(primary_ip.family()),
                                ")"));
  }
  if (alternate_ip == primary_ip) {
    return Invalid(absl::StrCat("alternate IP ", alternate_ip.ToString(),
                                " is the primary IP; RFC 5780 §6 needs two"));
  }
  if (*config.alternate_port == 0) {
    return Invalid("alternate port is 0; name the port to serve");
  }
  if (*config.alternate_port == config.primary.port()) {
    return Invalid(absl::StrCat("alternate port ", *config.alternate_port,
                                " is the primary port; RFC 5780 §6 needs two"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateBindingServerConfig(const BindingServerConfig& config) {
  if (absl::Status status = ValidatePrimary(config); !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateAlternate(config); !status.ok()) {
    return status;
  }
  if (!config.software.empty()) {
    absl::Status status =
        CheckText(Software::kType, config.software,
                  Software::kLimits.max_encode_bytes, Software::kLimits);
    if (!status.ok()) return Invalid(status.message());
  }
  return absl::OkStatus();
}

BindingServerAddresses::BindingServerAddresses(
    const BindingServerConfig& config) {
  addresses_[0] = config.primary;
  if (!config.alternate_ip.has_value() || !config.alternate_port.has_value()) {
    return;
  }
  const net::IpAddress ips[2] = {config.primary.ip(), *config.alternate_ip};
  const uint16_t ports[2] = {config.primary.port(), *config.alternate_port};
  for (int index = 0; index < 4; ++index) {
    addresses_[index] =
        net::TransportAddress(ips[(index & kChangeIp) != 0 ? 1 : 0],
                              ports[(index & kChangePort) != 0 ? 1 : 0]);
  }
  count_ = 4;
}

std::optional<int> BindingServerAddresses::ArrivalIndex(
    const net::TransportAddress& destination) const {
  if (!behavior_discovery()) return 0;
  for (int index = 0; index < 4; ++index) {
    const net::TransportAddress& served = addresses_[index];
    if (served.ip() == destination.ip() &&
        served.port() == destination.port()) {
      return index;
    }
  }
  return std::nullopt;
}

bool BindingServerAddresses::Contains(
    const net::TransportAddress& address) const {
  for (const net::TransportAddress& served : all()) {
    if (served.ip() == address.ip() && served.port() == address.port()) {
      return true;
    }
  }
  return false;
}

}  // namespace pinhole::stun
