// The agent's plumbing: construction, the remote side, data, restart and
// close, and the routing of datagrams between the bases, the STUN client and
// the TURN clients. Gathering is in agent_gathering.cc, checks and
// nomination in agent_checks.cc, consent in agent_consent.cc.
#include "ice/agent.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ice/agent_internal.h"
#include "ice/sdp.h"
#include "stun/demux.h"
#include "stun/message_type.h"

namespace pinhole::ice {
namespace {

// RFC 8839 §5.4 ice-char: ALPHA / DIGIT / "+" / "/".
constexpr absl::string_view kIceChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// 8 characters: 48 bits, twice RFC 8445 §5.3's 24. 24 characters: 144 bits,
// above its 128.
constexpr size_t kUfragLength = 8;
constexpr size_t kPwdLength = 24;

}  // namespace

absl::StatusOr<std::unique_ptr<Agent>> Agent::Create(net::Random& random,
                                                     AgentConfig config) {
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::unique_ptr<Agent>(new Agent(random, std::move(config)));
}

Agent::Agent(net::Random& random, AgentConfig config)
    : random_(random),
      config_(std::move(config)),
      role_(config_.lite ? Role::kControlled : config_.role),
      checks_(config_.max_pairs),
      stun_(random) {
  uint64_t tie_breaker = 0;
  random_.Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(&tie_breaker),
                              sizeof(tie_breaker)));
  tie_breaker_ = tie_breaker;
  local_ = NewCredentials();
  local_key_ = *stun::IntegrityKey::ShortTerm(local_.pwd);
}

Agent::~Agent() = default;

Credentials Agent::NewCredentials() {
  auto draw = [this](size_t length) {
    std::string out(length, ' ');
    for (char& c : out) c = kIceChars[random_.Uniform(kIceChars.size())];
    return out;
  };
  Credentials credentials;
  credentials.ufrag = draw(kUfragLength);
  credentials.pwd = draw(kPwdLength);
  return credentials;
}

absl::Status Agent::AddHostAddress(uint32_t component,
                                   const net::TransportAddress& bound) {
  if (gathering_started_) {
    return absl::FailedPreconditionError(
        "host addresses must be added before StartGathering");
  }
  if (component < 1 || component > config_.components) {
    return absl::InvalidArgumentError(absl::StrCat(
        "component ", component, " is not between 1 and ", config_.components));
  }
  if (bound.protocol() != net::TransportProtocol::kUdp ||
      bound.ip().IsUnspecified() || bound.port() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a host address must be a bound UDP address with an IP and a port, "
        "not ",
        bound.ToString()));
  }
  for (const Base& base : bases_) {
    if (base.address == bound) {
      return absl::InvalidArgumentError(
          absl::StrCat(bound.ToString(), " was added already"));
    }
  }
  uint32_t index = 0;
  for (const Base& base : bases_) index += base.component == component;
  bases_.push_back(Base{component, bound, index});
  return absl::OkStatus();
}

absl::Status Agent::SetRemoteCredentials(net::Time now, Credentials remote,
                                         bool remote_lite) {
  if (closed_) return absl::FailedPreconditionError("the agent is closed");
  if (absl::Status status = ValidateCredentials(remote.ufrag, remote.pwd);
      !status.ok()) {
    return status;
  }
  if (remote_.has_value()) {
    if (remote_->ufrag == remote.ufrag && remote_->pwd == remote.pwd) {
      return absl::OkStatus();
    }
    return absl::FailedPreconditionError(
        "the remote credentials changed (an ICE restart): call Restart "
        "first");
  }
  absl::StatusOr<stun::IntegrityKey> key =
      stun::IntegrityKey::ShortTerm(remote.pwd);
  if (!key.ok()) return key.status();
  remote_ = std::move(remote);
  remote_key_ = *std::move(key);
  remote_lite_ = remote_lite;
  if (remote_lite_ && !config_.lite && role_ == Role::kControlled) {
    // RFC 8445 §6.1.1: with a lite peer the full agent controls.
    role_ = Role::kControlling;
    checks_.SetRole(role_);
    Emit(Event{.kind = Event::Kind::kRoleChanged, .role = role_});
  }
  StartChecksIfReady(now);
  Pump(now);
  return absl::OkStatus();
}

absl::Status Agent::AddRemoteCandidate(net::Time now,
                                       const Candidate& candidate) {
  if (closed_) return absl::FailedPreconditionError("the agent is closed");
  if (candidate.address.ip().IsUnspecified() || candidate.address.port() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "remote candidate without an address: ", candidate.ToString()));
  }
  if (candidate.component < 1 || candidate.component > config_.components ||
      candidate.address.protocol() != net::TransportProtocol::kUdp ||
      (remote_.has_value() && !candidate.ufrag.empty() &&
       candidate.ufrag != remote_->ufrag)) {
    return absl::OkStatus();  // Not for this session or not usable.
  }
  for (size_t i = 0; i < remotes_.size(); ++i) {
    Candidate& known = remotes_[i];
    if (known.address != candidate.address ||
        known.component != candidate.component) {
      continue;
    }
    if (known.type == CandidateType::kPeerReflexive &&
        candidate.type != CandidateType::kPeerReflexive) {
      // RFC 8838 §11.4: the signalled candidate replaces the one learned.
      known.type = candidate.type;
      known.priority = candidate.priority;
      known.foundation = candidate.foundation;
      known.related = candidate.related;
      for (size_t p = 0; p < checks_.size(); ++p) {
        CandidatePair& pair = checks_.at(p);
        if (pair.remote != i) continue;
        pair.remote_priority = known.priority;
        pair.foundation =
            absl::StrCat(locals_[pair.local].foundation, ":", known.foundation);
      }
      checks_.SetRole(role_);
    }
    return absl::OkStatus();
  }
  if (remotes_.size() >= kMaxRemoteCandidates) {
    return absl::ResourceExhaustedError(
        absl::StrCat("more than ", kMaxRemoteCandidates, " remote candidates"));
  }
  Candidate copy = candidate;
  copy.base = net::TransportAddress();
  remotes_.push_back(std::move(copy));
  const size_t remote = remotes_.size() - 1;
  for (size_t local = 0; local < locals_.size(); ++local) {
    FormPairs(now, local, remote);
  }
  StartChecksIfReady(now);
  Pump(now);
  return absl::OkStatus();
}

void Agent::SetRemoteEndOfCandidates(net::Time now) {
  remote_end_of_candidates_ = true;
  Pump(now);
}

std::vector<Candidate> Agent::remote_candidates() const { return remotes_; }

std::optional<CandidatePairInfo> Agent::selected_pair(
    uint32_t component) const {
  const auto it = selected_.find(component);
  if (it == selected_.end()) return std::nullopt;
  return it->second.info;
}

absl::Status Agent::Send(net::Time now, uint32_t component,
                         absl::Span<const uint8_t> data) {
  if (component < 1 || component > config_.components) {
    return absl::InvalidArgumentError(absl::StrCat(
        "component ", component, " is not between 1 and ", config_.components));
  }
  if (closed_) return absl::FailedPreconditionError("the agent is closed");
  const Selected* selected = CurrentPair(component);
  if (selected == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("component ", component, " has no selected pair yet"));
  }
  if (selected->consent_lost) {
    return absl::FailedPreconditionError(
        absl::StrCat("consent to send to ", selected->remote.ToString(),
                     " was lost (RFC 7675): restart ICE"));
  }
  absl::Status status = SendFrom(now, selected->base, selected->remote, data);
  if (status.ok()) ++stats_.data_sent;
  Pump(now);
  return status;
}

absl::Status Agent::Restart(net::Time now) {
  if (!gathering_started_) {
    return absl::FailedPreconditionError("Restart before StartGathering");
  }
  if (closed_) return absl::FailedPreconditionError("the agent is closed");
  // The selected pairs keep the data flowing until new ones are selected.
  for (auto& [component, selected] : selected_) {
    previous_.insert_or_assign(component, std::move(selected));
  }
  selected_.clear();
  for (auto& [id, request] : requests_) stun_.Cancel(id);
  requests_.clear();
  for (auto& [component, selected] : previous_) {
    selected.consent_request.reset();
  }
  previous_local_ = local_;
  previous_local_key_ = local_key_;
  local_ = NewCredentials();
  local_key_ = *stun::IntegrityKey::ShortTerm(local_.pwd);
  remote_.reset();
  remote_key_.reset();
  remote_lite_ = false;
  remote_end_of_candidates_ = false;
  remotes_.clear();
  locals_.clear();
  checks_.Clear();
  next_check_.reset();
  first_valid_.reset();
  nominating_.clear();
  failed_ = false;
  ++generation_;
  for (std::unique_ptr<Relay>& relay : relays_) relay->gathering = false;
  gathering_pending_ = 0;
  gathering_status_ = absl::OkStatus();
  gathering_complete_ = false;
  if (role_ != (config_.lite ? Role::kControlled : config_.role)) {
    // A restart starts a new session: the configured role again.
    role_ = config_.lite ? Role::kControlled : config_.role;
    Emit(Event{.kind = Event::Kind::kRoleChanged, .role = role_});
  }
  StartHostCandidates(now);
  Pump(now);
  return absl::OkStatus();
}

void Agent::Close(net::Time now) {
  if (closed_) return;
  closed_ = true;
  for (auto& [id, request] : requests_) stun_.Cancel(id);
  requests_.clear();
  next_check_.reset();
  for (std::unique_ptr<Relay>& relay : relays_) {
    relay->client->Release(now);
    relay->retired = true;
  }
  Pump(now);
}

// --- Datagrams in ---

bool Agent::HandleDatagram(net::Time now, const net::DatagramView& datagram) {
  // Live relays first: a retired one from the same base to the same server
  // must not take what belongs to its successor.
  for (bool retired : {false, true}) {
    for (std::unique_ptr<Relay>& relay : relays_) {
      if (relay->retired == retired &&
          relay->client->HandleDatagram(now, datagram)) {
        Pump(now);
        return true;
      }
    }
  }
  if (!ComponentOf(datagram.destination).has_value()) return false;
  HandleFromNetwork(now, datagram);
  Pump(now);
  return true;
}

void Agent::HandleFromNetwork(net::Time now,
                              const net::DatagramView& datagram) {
  if (stun::Classify(datagram.payload) != stun::PacketKind::kStun) {
    return HandleData(datagram);
  }
  absl::StatusOr<stun::MessageView> message =
      stun::MessageView::Parse(datagram.payload);
  if (message.ok() && !message->is_rfc3489()) {
    HandleStun(now, datagram, *message);
  }
}

void Agent::HandleStun(net::Time now, const net::DatagramView& datagram,
                       const stun::MessageView& message) {
  switch (message.message_class()) {
    case stun::MessageClass::kSuccessResponse:
    case stun::MessageClass::kErrorResponse:
      stun_.HandleDatagram(now, datagram);
      return;
    case stun::MessageClass::kRequest:
      if (message.method() == stun::Method::kBinding && !closed_) {
        HandleCheckRequest(now, datagram, message);
      }
      return;
    case stun::MessageClass::kIndication:
      return;  // Binding indications are keepalives (RFC 8445 §11).
  }
}

void Agent::HandleData(const net::DatagramView& datagram) {
  const std::optional<uint32_t> component = ComponentOf(datagram.destination);
  bool known = false;
  for (const auto* pairs : {&selected_, &previous_}) {
    const auto it = pairs->find(component.value_or(0));
    if (it != pairs->end() && it->second.remote == datagram.source) {
      known = true;
    }
  }
  for (const Candidate& remote : remotes_) {
    if (remote.address == datagram.source &&
        remote.component == component.value_or(0)) {
      known = true;
    }
  }
  if (!known || !component.has_value() || closed_ ||
      events_.size() >= kMaxQueuedEvents) {
    ++stats_.data_dropped;
    return;
  }
  ++stats_.data_received;
  Emit(Event{.kind = Event::Kind::kData,
             .component = *component,
             .data = std::vector<uint8_t>(datagram.payload.begin(),
                                          datagram.payload.end())});
}

void Agent::HandleConnectionClosed(net::Time now,
                                   const net::TransportAddress& remote) {
  for (std::unique_ptr<Relay>& relay : relays_) {
    relay->client->HandleConnectionClosed(now, remote);
  }
  Pump(now);
}

// --- Time ---

void Agent::HandleTimeout(net::Time now) {
  stun_.HandleTimeout(now);
  for (std::unique_ptr<Relay>& relay : relays_) {
    relay->client->HandleTimeout(now);
  }
  if (next_check_.has_value() && *next_check_ <= now) OnPacer(now);
  OnConsentTimer(now);
  MaybeNominate(now);
  Pump(now);
}

std::optional<net::Time> Agent::NextTimeout() const {
  std::optional<net::Time> next;
  auto consider = [&next](std::optional<net::Time> t) {
    if (t.has_value() && (!next.has_value() || *t < *next)) next = t;
  };
  consider(stun_.NextTimeout());
  for (const std::unique_ptr<Relay>& relay : relays_) {
    consider(relay->client->NextTimeout());
  }
  if (closed_) return next;
  consider(next_check_);
  consider(NominationDeadline());
  consider(ConsentDeadline());
  return next;
}

// --- Out ---

std::optional<net::Datagram> Agent::PollTransmit() {
  if (transmits_.empty()) return std::nullopt;
  net::Datagram datagram = std::move(transmits_.front());
  transmits_.pop_front();
  return datagram;
}

std::optional<AgentEvent> Agent::PollEvent() {
  if (events_.empty()) return std::nullopt;
  Event event = std::move(events_.front());
  events_.pop_front();
  return event;
}

void Agent::Emit(Event event) { events_.push_back(std::move(event)); }

absl::Status Agent::SendFrom(net::Time now, const net::TransportAddress& from,
                             const net::TransportAddress& to,
                             absl::Span<const uint8_t> payload) {
  if (Relay* relay = RelayAt(from)) {
    // From a relayed candidate: through its TURN server (RFC 8445 §7.2.3
    // sends checks from the relayed candidate the same way).
    return relay->client->Send(now, to, payload);
  }
  transmits_.push_back(net::Datagram{
      from, to, std::vector<uint8_t>(payload.begin(), payload.end())});
  return absl::OkStatus();
}

void Agent::Pump(net::Time now) {
  // Each round drains what the previous one produced; a handful of rounds
  // settle any input (a bound keeps a bug from spinning forever).
  for (int round = 0; round < 64; ++round) {
    bool progress = false;
    while (std::optional<net::Datagram> datagram = stun_.PollTransmit()) {
      progress = true;
      // A failure is a lost datagram to a protocol over UDP.
      (void)SendFrom(now, datagram->source, datagram->destination,
                     datagram->payload);
    }
    while (std::optional<stun::StunClient::Event> event = stun_.PollEvent()) {
      progress = true;
      OnStunEvent(now, *event);
    }
    for (size_t i = 0; i < relays_.size(); ++i) {
      Relay& relay = *relays_[i];
      while (std::optional<net::Datagram> datagram =
                 relay.client->PollTransmit()) {
        progress = true;
        transmits_.push_back(*std::move(datagram));
      }
      while (std::optional<turn::TurnClientEvent> event =
                 relay.client->PollEvent()) {
        progress = true;
        OnRelayEvent(now, relay, *std::move(event));
      }
    }
    if (!progress) break;
  }
  MaybeFinishGathering();
  MaybeFail(now);
  UpdateState(now);
}

void Agent::OnStunEvent(net::Time now, const stun::StunClient::Event& event) {
  const auto it = requests_.find(event.id);
  if (it == requests_.end()) return;
  const std::unique_ptr<Request> request = std::move(it->second);
  requests_.erase(it);
  switch (request->kind) {
    case Request::Kind::kGather:
      OnGatheringResponse(now, *request, event);
      return;
    case Request::Kind::kCheck:
      OnCheckResponse(now, *request, event);
      return;
    case Request::Kind::kConsent:
      OnConsentResponse(now, *request, event);
      return;
  }
}

// --- State ---

void Agent::SetState(ConnectionState state) {
  if (state == state_) return;
  state_ = state;
  Emit(Event{.kind = Event::Kind::kStateChanged, .state = state});
}

void Agent::UpdateState(net::Time /*now*/) {
  if (closed_) return SetState(ConnectionState::kClosed);
  if (failed_) return SetState(ConnectionState::kFailed);
  bool all = true;
  bool disconnected = false;
  bool lost = false;
  // Completed (as RTCIceConnectionState has it): every component has a
  // nominated pair, whose checks have stopped (RFC 8445 §8.1.2), and no
  // candidate can come any more on either side.
  bool checks_over = gathering_complete_ && remote_end_of_candidates_;
  for (uint32_t component = 1; component <= config_.components; ++component) {
    const Selected* selected = CurrentPair(component);
    if (selected_.count(component) == 0) checks_over = false;
    if (selected == nullptr) {
      all = false;
      continue;
    }
    disconnected = disconnected || selected->disconnected;
    lost = lost || selected->consent_lost;
  }
  if (lost) return SetState(ConnectionState::kFailed);
  if (all) {
    if (disconnected) return SetState(ConnectionState::kDisconnected);
    return SetState(checks_over ? ConnectionState::kCompleted
                                : ConnectionState::kConnected);
  }
  if (remote_.has_value() || checks_.size() > 0 || stats_.checks_received > 0) {
    return SetState(ConnectionState::kChecking);
  }
}

const Agent::Selected* Agent::CurrentPair(uint32_t component) const {
  if (const auto it = selected_.find(component); it != selected_.end()) {
    return &it->second;
  }
  const auto old = previous_.find(component);
  return old == previous_.end() ? nullptr : &old->second;
}

std::optional<uint32_t> Agent::ComponentOf(
    const net::TransportAddress& address) const {
  for (const Base& base : bases_) {
    if (base.address == address) return base.component;
  }
  for (const std::unique_ptr<Relay>& relay : relays_) {
    if (relay->relayed == address) return relay->component;
  }
  return std::nullopt;
}

Agent::Relay* Agent::RelayAt(const net::TransportAddress& relayed) {
  for (std::unique_ptr<Relay>& relay : relays_) {
    if (relay->relayed == relayed) return relay.get();
  }
  return nullptr;
}

}  // namespace pinhole::ice
