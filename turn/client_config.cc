#include "turn/client_config.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "net/time.h"
#include "stun/text_attributes.h"

namespace pinhole::turn {
namespace {

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("TURN client: ", what));
}

absl::Status ValidateAddresses(const TurnClientConfig& config) {
  if (config.server.ip().IsUnspecified() || config.server.port() == 0) {
    return Invalid(absl::StrCat("server ", config.server.ToString(),
                                " is not an address one can send to"));
  }
  if (config.local.family() != config.server.family()) {
    return Invalid(absl::StrCat("local ", config.local.ToString(),
                                " and server ", config.server.ToString(),
                                " are of different address families"));
  }
  if (config.local.protocol() != config.server.protocol()) {
    return Invalid(absl::StrCat("local ", config.local.ToString(),
                                " and server ", config.server.ToString(),
                                " use different transports"));
  }
  return absl::OkStatus();
}

// The attribute combinations RFC 8656 §7.2 answers with 400 (Bad Request).
absl::Status ValidateAllocateAttributes(const TurnClientConfig& config) {
  if (config.requested_family.has_value() && config.additional_ipv6) {
    return Invalid(
        "REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY exclude each "
        "other (RFC 8656 §7.2 item 6)");
  }
  if (config.reservation_token.has_value() &&
      (config.even_port || config.reserve_next_port ||
       config.requested_family.has_value() || config.additional_ipv6)) {
    return Invalid(
        "RESERVATION-TOKEN excludes EVEN-PORT and the address-family "
        "attributes (RFC 8656 §7.2 item 5)");
  }
  if (config.reserve_next_port && config.additional_ipv6) {
    return Invalid(
        "a dual allocation cannot reserve the next port (RFC 8656 §7.2 item "
        "8)");
  }
  if (config.requested_lifetime.has_value()) {
    const net::Duration lifetime = *config.requested_lifetime;
    if (lifetime < net::Duration::Seconds(1) ||
        lifetime.ToSeconds() > int64_t{UINT32_MAX}) {
      return Invalid(absl::StrCat("requested lifetime ", lifetime.ToString(),
                                  " is outside 1s..4294967295s"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TurnClientConfig::Validate() const {
  if (absl::Status status = ValidateAddresses(*this); !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateAllocateAttributes(*this); !status.ok()) {
    return status;
  }
  if (!software.empty()) {
    if (absl::Status status = stun::CheckText(
            stun::Software::kType, software,
            stun::Software::kLimits.max_encode_bytes, stun::Software::kLimits);
        !status.ok()) {
      return Invalid(status.message());
    }
  }
  if (!credential.username.empty()) {
    if (absl::Status status = stun::CheckText(
            stun::Username::kType, credential.username,
            stun::Username::kLimits.max_encode_bytes, stun::Username::kLimits);
        !status.ok()) {
      return Invalid(status.message());
    }
  }
  if (absl::Status status = retransmission.Validate(); !status.ok()) {
    return Invalid(status.message());
  }
  return absl::OkStatus();
}

}  // namespace pinhole::turn
