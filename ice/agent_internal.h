// The agent's private records, shared by its .cc files (not part of the API).
#ifndef PINHOLE_ICE_AGENT_INTERNAL_H_
#define PINHOLE_ICE_AGENT_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ice/agent.h"
#include "ice/agent_event.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/integrity.h"
#include "turn/client.h"

namespace pinhole::ice {

// One TURN allocation: a relayed candidate for one component.
struct Agent::Relay {
  uint32_t component = 1;
  net::TransportAddress base;  // The host base it was asked from.
  const TurnServerConfig* server = nullptr;
  uint32_t generation = 0;
  std::unique_ptr<turn::TurnClient> client;
  std::optional<net::TransportAddress> relayed;
  bool gathering = true;  // Counted in `gathering_pending_`.
  bool retired = false;   // Released after a restart, or lost.
};

// What a STUN request in flight is for.
struct Agent::Request {
  enum class Kind : uint8_t { kGather, kCheck, kConsent };
  Kind kind = Kind::kCheck;
  uint32_t generation = 0;
  // kGather: the base asked from.
  net::TransportAddress base;
  // kCheck: the pair checked, whether the check nominates, the role it
  // claimed; `cancelled` once a newer check of the pair superseded it.
  size_t pair = 0;
  bool use_candidate = false;
  Role role = Role::kControlling;
  bool cancelled = false;
  // kCheck and kConsent: the addresses, to check the response is symmetric
  // (RFC 8445 §7.2.5.2.1).
  net::TransportAddress local;
  net::TransportAddress remote;
  // kConsent: the component.
  uint32_t component = 0;
};

// A component's selected pair, and its consent (RFC 7675).
struct Agent::Selected {
  size_t pair = 0;  // In `checks_`; stale once moved to `previous_`.
  CandidatePairInfo info;
  net::TransportAddress base;    // Sent from.
  net::TransportAddress remote;  // Sent to.
  uint64_t priority = 0;
  // The credentials of the session that selected it, for consent checks.
  std::string username;
  std::optional<stun::IntegrityKey> key;
  uint32_t prflx_priority = 0;
  net::Time last_response;
  net::Time next_consent;
  std::optional<uint64_t> consent_request;
  bool disconnected = false;
  bool consent_lost = false;
};

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_AGENT_INTERNAL_H_
