// `Agent`: a full (or lite) ICE agent, RFC 8445, with trickle ICE (RFC 8838)
// and consent freshness (RFC 7675), as a sans-IO engine (STYLE.md rule 1,
// DESIGN.md "Protocol cores are sans-IO"). One data stream with one or more
// components. `AgentDriver` (agent_driver.h) binds it to a `net::Network`.
//
// Lifecycle, as a WebRTC endpoint uses it:
//   1. `Create`, then `AddHostAddress` for every UDP socket the driver bound
//      (one per component and local IP address), then `StartGathering`.
//      Host candidates are reported at once (kLocalCandidate), then
//      server-reflexive ones from each STUN server (a Binding request from
//      each host base), then relayed ones from each TURN server (an
//      allocation per component, through `turn::TurnClient`, over UDP, TCP or
//      TLS); kGatheringComplete when every server has answered or given up.
//   2. Signal `local_credentials()` and the candidates to the peer; give the
//      peer's to `SetRemoteCredentials` and `AddRemoteCandidate` (at any
//      time, in any order: trickle), and `SetRemoteEndOfCandidates` when the
//      peer is done.
//   3. Checks start as soon as there are remote credentials and a pair:
//      every Ta the highest-priority Waiting pair (or the head of the
//      triggered-check queue) gets a Binding request with PRIORITY,
//      ICE-CONTROLLING/ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY and
//      FINGERPRINT. The controlling agent nominates (regular nomination,
//      `NominationPolicy`); a nominated pair becomes the component's
//      selected pair (kSelectedPair), and kConnected/kCompleted follow.
//   4. `Send` puts application data on the selected pair (directly, or
//      through the TURN relay when the local candidate is relayed); data
//      from the peer comes out as kData.
//   5. Consent checks keep every selected pair alive and prove the peer still
//      wants the data (RFC 7675); without an answer for 30 s consent is lost,
//      `Send` refuses and the state is kFailed. `Restart` (new credentials,
//      new gathering, new checks) recovers: data keeps flowing on the old
//      pairs until new ones are selected.
//
// Run loop: after any verb, drain `PollTransmit` (send each datagram from
// its `source` to its `destination`: a UDP base, or the TCP/TLS connection to
// a TURN server) and `PollEvent`, then wait until `NextTimeout`.
//
// Randomness (credentials, tie-breaker, transaction IDs, consent intervals)
// comes only from the `net::Random` given to `Create`, which must outlive
// the agent; time only from the `now` arguments, which must not decrease.
// Containers are ordered so that the same inputs give the same outputs. One
// thread.
#ifndef PINHOLE_ICE_AGENT_H_
#define PINHOLE_ICE_AGENT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ice/agent_config.h"  // IWYU pragma: export
#include "ice/agent_event.h"   // IWYU pragma: export
#include "ice/candidate.h"
#include "ice/check_list.h"
#include "net/datagram.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "turn/client.h"

namespace pinhole::ice {

struct Credentials {
  std::string ufrag;
  std::string pwd;
};

// Counters for benchmarks and tests.
struct AgentStats {
  uint64_t checks_sent =
      0;  // Connectivity-check requests, retransmissions included.
  uint64_t checks_received = 0;  // Authenticated check requests answered.
  uint64_t consent_checks_sent =
      0;  // Consent requests, retransmissions included.
  uint64_t data_sent = 0;
  uint64_t data_received = 0;
  uint64_t data_dropped = 0;  // From an unknown source, or no selected pair.
  uint64_t role_conflicts = 0;
};

class Agent {
 public:
  using Event = AgentEvent;

  static constexpr size_t kMaxQueuedEvents = 4096;
  static constexpr size_t kMaxRemoteCandidates = 1000;

  // InvalidArgument when `config.Validate()` fails.
  static absl::StatusOr<std::unique_ptr<Agent>> Create(net::Random& random,
                                                       AgentConfig config);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent();

  // A UDP socket the driver bound for `component` (1 to `components`): a
  // host candidate and the base of the candidates learned through it.
  // Before StartGathering only. InvalidArgument for a bad component, a
  // non-UDP or unspecified address, or one added already.
  absl::Status AddHostAddress(uint32_t component,
                              const net::TransportAddress& bound);

  // Reports the host candidates and starts the server-reflexive and relayed
  // gathering. FailedPrecondition when called twice (see Restart) or with a
  // component that has no host address.
  absl::Status StartGathering(net::Time now);

  const Credentials& local_credentials() const { return local_; }
  // The peer's ufrag and password (RFC 8839 §5.4 syntax), and whether it is
  // ICE lite (then this agent must be, and becomes, controlling). New values
  // after a Restart start the new session. InvalidArgument for bad syntax.
  absl::Status SetRemoteCredentials(net::Time now, Credentials remote,
                                    bool remote_lite = false);
  // A candidate the peer signalled. Candidates of other generations (by
  // `ufrag`, when set), of unknown components or of another transport than
  // UDP are ignored (OK); a copy of a known one is ignored; one that was
  // learned as peer-reflexive takes its signalled type and priority.
  // InvalidArgument for a bad candidate; ResourceExhausted beyond
  // kMaxRemoteCandidates.
  absl::Status AddRemoteCandidate(net::Time now, const Candidate& candidate);
  void SetRemoteEndOfCandidates(net::Time now);

  // Sends `data` on the selected pair of `component`. FailedPrecondition
  // when there is none yet, or consent was lost; InvalidArgument for a bad
  // component; errors of the relay (turn::TurnClient::Send) pass through.
  absl::Status Send(net::Time now, uint32_t component,
                    absl::Span<const uint8_t> data);

  // ICE restart (RFC 8445 §9): new local credentials and generation, the
  // remote side forgotten (give the peer's new credentials and candidates
  // again), gathering and checks from scratch. The selected pairs keep
  // carrying data until new ones are selected; the old relays are released
  // then. FailedPrecondition before StartGathering or after Close.
  absl::Status Restart(net::Time now);

  // Stops everything: no more checks, the relays released; kClosed.
  void Close(net::Time now);

  // Takes a datagram that arrived at `datagram.destination` (a base, or a
  // TCP/TLS connection to a TURN server). True when it was the agent's.
  bool HandleDatagram(net::Time now, const net::DatagramView& datagram);
  // The stream connection to `remote` (a TURN server) closed.
  void HandleConnectionClosed(net::Time now,
                              const net::TransportAddress& remote);
  void HandleTimeout(net::Time now);
  std::optional<net::Datagram> PollTransmit();
  std::optional<Event> PollEvent();
  std::optional<net::Time> NextTimeout() const;

  Role role() const { return role_; }
  uint64_t tie_breaker() const { return tie_breaker_; }
  ConnectionState state() const { return state_; }
  bool gathering_complete() const { return gathering_complete_; }
  const AgentConfig& config() const { return config_; }
  const std::vector<Candidate>& local_candidates() const { return locals_; }
  std::vector<Candidate> remote_candidates() const;
  // The selected pair of `component`, if any.
  std::optional<CandidatePairInfo> selected_pair(uint32_t component) const;
  // The check list: every pair with its state, for tests and tools.
  const CheckList& check_list() const { return checks_; }
  const AgentStats& stats() const { return stats_; }

 private:
  struct Relay;
  struct Request;
  struct Selected;

  Agent(net::Random& random, AgentConfig config);

  // agent.cc: plumbing.
  void Emit(Event event);
  void SetState(ConnectionState state);
  void UpdateState(net::Time now);
  // Drains the STUN client and the TURN clients until nothing moves, then
  // updates the gathering and connection states. Every verb ends with it.
  void Pump(net::Time now);
  void OnStunEvent(net::Time now, const stun::StunClient::Event& event);
  // Sends from a base, or from a relayed candidate through its TURN client.
  absl::Status SendFrom(net::Time now, const net::TransportAddress& from,
                        const net::TransportAddress& to,
                        absl::Span<const uint8_t> payload);
  // A datagram from the network at a base or relayed address: STUN, or
  // application data.
  void HandleFromNetwork(net::Time now, const net::DatagramView& datagram);
  void HandleStun(net::Time now, const net::DatagramView& datagram,
                  const stun::MessageView& message);
  void HandleData(const net::DatagramView& datagram);
  Relay* RelayAt(const net::TransportAddress& relayed);
  // The component's selected pair, or the one from before a restart that
  // still carries its data; null when neither.
  const Selected* CurrentPair(uint32_t component) const;
  std::optional<uint32_t> ComponentOf(const net::TransportAddress& base) const;
  Credentials NewCredentials();

  // agent_gathering.cc.
  void StartHostCandidates(net::Time now);
  void StartServerReflexive(net::Time now);
  void StartRelays(net::Time now);
  void OnGatheringResponse(net::Time now, const Request& request,
                           const stun::StunClient::Event& event);
  void OnRelayEvent(net::Time now, Relay& relay, turn::TurnClientEvent event);
  // True when a relay from `base` to `server` exists already and now serves
  // this generation.
  bool ReuseRelay(net::Time now, const net::TransportAddress& base,
                  const TurnServerConfig& server);
  void AddRelayedCandidate(net::Time now, const Relay& relay);
  // Adds a gathered candidate unless redundant (§5.1.3), reports it and
  // pairs it. Returns its index.
  std::optional<size_t> AddLocalCandidate(net::Time now, Candidate candidate);
  std::string Foundation(CandidateType type, const net::IpAddress& base,
                         const net::IpAddress& server,
                         net::TransportProtocol protocol);
  uint32_t LocalPreference(const net::TransportAddress& base,
                           std::optional<net::TransportProtocol> relay) const;
  void MaybeFinishGathering();

  // agent_checks.cc.
  // The pair of two candidates (by index), its priorities and foundation.
  CandidatePair NewPair(size_t local, size_t remote) const;
  // PRIORITY, USE-CANDIDATE when asked, and the role attribute with the
  // tie-breaker: what every check and consent check carries (§7.1.1).
  absl::AnyInvocable<void(stun::MessageBuilder&)> CheckAttributes(
      uint32_t priority, bool use_candidate) const;
  void FormPairs(net::Time now, size_t local, size_t remote);
  void StartChecksIfReady(net::Time now);
  void ScheduleCheck(net::Time now);
  void OnPacer(net::Time now);
  void SendCheck(net::Time now, size_t pair);
  net::Duration CheckRto() const;
  void OnCheckResponse(net::Time now, const Request& request,
                       const stun::StunClient::Event& event);
  void HandleCheckRequest(net::Time now, const net::DatagramView& datagram,
                          const stun::MessageView& message);
  // Answers a check: success (`error_code` 0) with XOR-MAPPED-ADDRESS, or
  // the error; with MESSAGE-INTEGRITY under `key` when not null.
  void Respond(net::Time now, const net::DatagramView& datagram,
               const stun::MessageView& request, int error_code,
               const stun::IntegrityKey* key);
  void TriggerCheck(net::Time now, size_t pair);
  size_t RemoteForRequest(net::Time now, uint32_t component,
                          const net::TransportAddress& source,
                          uint32_t priority);
  void SwitchRole(net::Time now, Role role);
  void MaybeNominate(net::Time now);
  void Nominate(net::Time now, size_t valid_pair);
  void Select(net::Time now, size_t valid_pair);
  void MaybeFail(net::Time now);
  std::optional<net::Time> NominationDeadline() const;

  // agent_consent.cc.
  void StartConsent(net::Time now, Selected& selected);
  void OnConsentTimer(net::Time now);
  void OnConsentResponse(net::Time now, const Request& request,
                         const stun::StunClient::Event& event);
  std::optional<net::Time> ConsentDeadline() const;

  net::Random& random_;
  AgentConfig config_;
  Role role_;
  uint64_t tie_breaker_ = 0;
  Credentials local_;
  std::optional<stun::IntegrityKey> local_key_;
  // The credentials before the last Restart: checks with them are still
  // answered, so the peer's consent on the old pairs holds until it
  // restarts too.
  std::optional<Credentials> previous_local_;
  std::optional<stun::IntegrityKey> previous_local_key_;
  std::optional<Credentials> remote_;
  std::optional<stun::IntegrityKey> remote_key_;
  bool remote_lite_ = false;
  uint32_t generation_ = 0;
  ConnectionState state_ = ConnectionState::kNew;
  bool gathering_started_ = false;
  bool gathering_complete_ = false;
  bool remote_end_of_candidates_ = false;
  bool closed_ = false;
  bool failed_ = false;

  // Bases: the host addresses, by component.
  struct Base {
    uint32_t component;
    net::TransportAddress address;
    uint32_t index;  // Order among the component's bases.
  };
  std::vector<Base> bases_;
  std::vector<Candidate> locals_;
  std::vector<Candidate> remotes_;
  std::map<std::string, int> foundations_;  // Key -> number.
  CheckList checks_;

  stun::StunClient stun_;
  std::map<stun::StunClient::RequestId, std::unique_ptr<Request>> requests_;
  size_t gathering_pending_ = 0;
  absl::Status gathering_status_;
  std::vector<std::unique_ptr<Relay>> relays_;

  // Pacing (RFC 8445 §6.1.4): the instant of the next ordinary check.
  std::optional<net::Time> next_check_;
  std::optional<net::Time> last_check_;
  std::optional<net::Time> first_valid_;   // For NominationPolicy::kBestWithin.
  std::map<uint32_t, size_t> nominating_;  // Component -> pair being nominated.

  std::map<uint32_t, Selected> selected_;  // By component.
  std::map<uint32_t, Selected> previous_;  // Before a restart.

  std::deque<net::Datagram> transmits_;
  std::deque<Event> events_;
  AgentStats stats_;
};

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_AGENT_H_
