#include "turn/server_config.h"

#include "absl/strings/str_cat.h"

namespace pinhole::turn {

absl::Status ValidateTurnServerConfig(const TurnServerConfig& config) {
  const auto invalid = [](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat(parts...));
  };
  if (config.realm.empty()) return invalid("the realm is empty");
  if (config.users.empty()) {
    return invalid("no users: TURN requires long-term credentials");
  }
  if (!config.relay_ipv4.has_value() && !config.relay_ipv6.has_value()) {
    return invalid("no relay address: give an IPv4 or IPv6 one");
  }
  if (config.relay_ipv4.has_value() &&
      (config.relay_ipv4->family() != net::AddressFamily::kIpv4 ||
       config.relay_ipv4->IsUnspecified())) {
    return invalid(
        "the IPv4 relay address must be a specific IPv4 address, "
        "not ",
        config.relay_ipv4->ToString());
  }
  if (config.relay_ipv6.has_value() &&
      (config.relay_ipv6->family() != net::AddressFamily::kIpv6 ||
       config.relay_ipv6->IsUnspecified())) {
    return invalid(
        "the IPv6 relay address must be a specific IPv6 address, "
        "not ",
        config.relay_ipv6->ToString());
  }
  if (config.relay_port_min == 0 ||
      config.relay_port_min > config.relay_port_max) {
    return invalid("the relay port range ", config.relay_port_min, "-",
                   config.relay_port_max, " is empty or starts at 0");
  }
  const auto positive = [](net::Duration d) {
    return d > net::Duration::Zero();
  };
  if (!positive(config.default_lifetime) ||
      config.max_lifetime < config.default_lifetime) {
    return invalid("lifetimes need 0 < default <= maximum");
  }
  if (config.max_lifetime > net::Duration::Seconds(0xFFFFFFFFLL)) {
    return invalid("the maximum lifetime must fit LIFETIME's 32 bits");
  }
  if (!positive(config.permission_lifetime) ||
      !positive(config.channel_lifetime) ||
      !positive(config.reservation_lifetime) ||
      !positive(config.nonce_lifetime)) {
    return invalid(
        "permission, channel, reservation and nonce lifetimes "
        "must be positive");
  }
  if (config.max_allocations == 0 || config.max_allocations_per_user == 0) {
    return invalid("allocation limits must be at least 1");
  }
  return absl::OkStatus();
}

}  // namespace pinhole::turn
