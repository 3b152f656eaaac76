// `AgentConfig`: what an ICE agent is told before it starts: its role, the
// STUN and TURN servers it gathers from, and the timers and policies where
// real ICE stacks differ (pacing, retransmissions, nomination, consent), so a
// user can compare them by measurement.
#ifndef PINHOLE_ICE_AGENT_CONFIG_H_
#define PINHOLE_ICE_AGENT_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ice/candidate.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/transaction.h"

namespace pinhole::ice {

enum class Role : uint8_t { kControlling, kControlled };

// "controlling" or "controlled".
absl::string_view RoleName(Role role);

// A TURN server to allocate a relayed candidate on (RFC 8445 §5.1.1.2). The
// protocol of `address` is the transport to the server: UDP, TCP or TLS; the
// relayed candidate is UDP whatever it is.
struct TurnServerConfig {
  net::TransportAddress address;
  stun::LongTermCredential credential;
};

// When the controlling agent nominates (RFC 8445 §8.1.1, regular nomination).
struct NominationPolicy {
  enum class Mode : uint8_t {
    // Nominate the first pair that becomes valid: what browsers' agents do
    // in effect, and the fastest to connected.
    kFirstValid,
    // Nominate the highest-priority valid pair once no pair of higher
    // priority can still succeed, or `wait` after the first pair became
    // valid, whichever comes first.
    kBestWithin,
  };
  Mode mode = Mode::kFirstValid;
  net::Duration wait = net::Duration::Seconds(1);
};

// Which candidates the agent gathers and checks (as RTCIceTransportPolicy).
enum class CandidatePolicy : uint8_t {
  kAll,
  kRelayOnly,  // Only relayed local candidates are gathered and paired.
};

struct AgentConfig {
  Role role = Role::kControlling;
  // An ICE lite agent (RFC 8445 §2.5): host candidates only, no checks of
  // its own; it answers checks and takes the controlling agent's nomination.
  // Always controlled.
  bool lite = false;
  // Components of the data stream: 1 (RTP and RTCP multiplexed, as every
  // WebRTC endpoint does) to 256.
  uint32_t components = 1;

  std::vector<net::TransportAddress> stun_servers;  // UDP.
  std::vector<TurnServerConfig> turn_servers;
  CandidatePolicy candidate_policy = CandidatePolicy::kAll;

  TypePreferences type_preferences;
  // Ta, the pacing of connectivity checks (RFC 8445 §14.2).
  net::Duration ta = net::Duration::Milliseconds(50);
  // Retransmissions of a connectivity check. Its RTO is always RFC 8445
  // §14.3's MAX(500 ms, Ta × (Waiting + In-Progress pairs)); this sets Rc
  // and Rm (RFC 8489 §6.2.1). The defaults give up 39.5 s after the first
  // send when the RTO is 500 ms.
  int check_max_sends = 7;
  int check_final_wait_factor = 16;
  // Server-reflexive gathering requests (RFC 8489 defaults).
  stun::RetransmissionOptions gathering_retransmission;
  NominationPolicy nomination;
  // At most this many candidate pairs in the check list (RFC 8445 §6.1.2.5
  // recommends 100); the lowest-priority ones are dropped.
  size_t max_pairs = 100;

  // RFC 7675 consent freshness on the selected pairs: a check every
  // `consent_interval` × a uniform factor in [0.8, 1.2], consent lost when
  // no check has been answered for `consent_timeout`. A check unanswered
  // after its retransmissions (`consent_retransmission`) makes the state
  // kDisconnected until an answer comes.
  net::Duration consent_interval = net::Duration::Seconds(5);
  net::Duration consent_timeout = net::Duration::Seconds(30);
  stun::RetransmissionOptions consent_retransmission{
      net::Duration::Milliseconds(500), 4, 2,
      net::Duration::Milliseconds(39500)};

  // SOFTWARE on every request and response, when not empty.
  std::string software;

  // InvalidArgument naming the first bad field.
  absl::Status Validate() const;
};

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_AGENT_CONFIG_H_
