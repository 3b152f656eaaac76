#include "ice/agent_config.h"

#include "absl/strings/str_cat.h"

namespace pinhole::ice {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kControlling:
      return "controlling";
    case Role::kControlled:
      return "controlled";
  }
  return "invalid role";
}

absl::Status AgentConfig::Validate() const {
  if (components < 1 || components > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("components must be between 1 and 256, not ", components));
  }
  if (ta <= net::Duration::Zero()) {
    return absl::InvalidArgumentError("Ta must be positive");
  }
  if (check_max_sends < 1 || check_final_wait_factor < 1) {
    return absl::InvalidArgumentError(
        "check retransmissions need Rc >= 1 and Rm >= 1");
  }
  if (absl::Status status = gathering_retransmission.Validate(); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("gathering retransmission: ", status.message()));
  }
  if (absl::Status status = consent_retransmission.Validate(); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("consent retransmission: ", status.message()));
  }
  if (max_pairs < 1) {
    return absl::InvalidArgumentError("max_pairs must be at least 1");
  }
  if (consent_interval <= net::Duration::Zero() ||
      consent_timeout <= consent_interval) {
    return absl::InvalidArgumentError(
        "the consent timeout must be longer than the (positive) consent "
        "interval");
  }
  if (nomination.wait < net::Duration::Zero()) {
    return absl::InvalidArgumentError("the nomination wait is negative");
  }
  if (type_preferences.host > 126 || type_preferences.peer_reflexive > 126 ||
      type_preferences.server_reflexive > 126 ||
      type_preferences.relayed > 126) {
    return absl::InvalidArgumentError(
        "type preferences must be between 0 and 126");
  }
  for (const net::TransportAddress& server : stun_servers) {
    if (server.protocol() != net::TransportProtocol::kUdp ||
        server.port() == 0 || server.ip().IsUnspecified()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "STUN server ", server.ToString(), " is not a UDP address"));
    }
  }
  for (const TurnServerConfig& server : turn_servers) {
    if (server.address.port() == 0 || server.address.ip().IsUnspecified()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TURN server ", server.address.ToString(), " has no address"));
    }
  }
  if (candidate_policy == CandidatePolicy::kRelayOnly && turn_servers.empty()) {
    return absl::InvalidArgumentError("a relay-only agent needs a TURN server");
  }
  return absl::OkStatus();
}

}  // namespace pinhole::ice
