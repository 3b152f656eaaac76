// `AgentEvent`: what an ICE agent reports. One event per change a user of
// the agent cares about; fields not listed for a kind keep their defaults.
#ifndef PINHOLE_ICE_AGENT_EVENT_H_
#define PINHOLE_ICE_AGENT_EVENT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ice/agent_config.h"
#include "ice/candidate.h"

namespace pinhole::ice {

// RFC 8445 §6.1.2.6 pair states.
enum class PairState : uint8_t {
  kFrozen,
  kWaiting,
  kInProgress,
  kSucceeded,
  kFailed,
};

// "frozen", "waiting", "in-progress", "succeeded", "failed".
absl::string_view PairStateName(PairState state);

// The agent's state, as RTCIceConnectionState names it.
enum class ConnectionState : uint8_t {
  kNew,           // No check yet.
  kChecking,      // Checks under way; no pair selected for every component.
  kConnected,     // Every component has a selected pair; checks go on.
  kCompleted,     // Every component has a selected pair; checks are over.
  kFailed,        // No pair can work, or consent was lost (RFC 7675).
  kDisconnected,  // A consent check went unanswered; not lost yet.
  kClosed,        // Close() was called.
};

// "new", "checking", "connected", "completed", "failed", "disconnected",
// "closed".
absl::string_view ConnectionStateName(ConnectionState state);

struct CandidatePairInfo {
  Candidate local;
  Candidate remote;
};

struct AgentEvent {
  enum class Kind : uint8_t {
    // A local candidate was gathered: signal it to the peer (`candidate`).
    kLocalCandidate,
    // Gathering is over (`status` says why a server gave no candidate, if
    // one did not): signal end-of-candidates.
    kGatheringComplete,
    // The connection state changed to `state`.
    kStateChanged,
    // `component` has a new selected pair `pair`.
    kSelectedPair,
    // The role changed to `role` (a role conflict, RFC 8445 §7.3.1.1).
    kRoleChanged,
    // `data` arrived on `component`.
    kData,
  };

  Kind kind = Kind::kData;
  Candidate candidate;
  absl::Status status;
  ConnectionState state = ConnectionState::kNew;
  uint32_t component = 0;
  CandidatePairInfo pair;
  Role role = Role::kControlling;
  std::vector<uint8_t> data;
};

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_AGENT_EVENT_H_
