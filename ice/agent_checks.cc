// Connectivity checks (RFC 8445 §6.1.2-§8): pairing, pacing, the checks and
// their answers, peer-reflexive candidates, role conflicts, nomination and
// the selected pairs.
#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ice/agent.h"
#include "ice/agent_internal.h"
#include "stun/address_attributes.h"
#include "stun/error_code.h"
#include "stun/ice_attributes.h"
#include "stun/integrity.h"
#include "stun/message_builder.h"
#include "stun/text_attributes.h"

namespace pinhole::ice {
namespace {

bool Pairable(const Candidate& local, const Candidate& remote,
              CandidatePolicy policy) {
  if (local.type == CandidateType::kServerReflexive ||
      local.type == CandidateType::kPeerReflexive) {
    return false;  // §6.1.2.4: replaced by their bases, which pair already.
  }
  if (policy == CandidatePolicy::kRelayOnly &&
      local.type != CandidateType::kRelayed) {
    return false;
  }
  return local.component == remote.component &&
         local.address.family() == remote.address.family() &&
         local.address.protocol() == remote.address.protocol() &&
         local.address.ip().IsLinkLocal() == remote.address.ip().IsLinkLocal();
}

// The response is symmetric (§7.2.5.2.1): from where the check went, to
// where it came from.
bool Symmetric(const stun::StunClient::Response& response,
               const net::TransportAddress& local,
               const net::TransportAddress& remote) {
  return response.source == remote && response.destination == local;
}

int ErrorCodeOf(const stun::StunClient::Event& event) {
  if (!event.response.has_value()) return 0;
  absl::StatusOr<stun::ErrorCode> code =
      event.response->view().Get<stun::ErrorCode>();
  return code.ok() ? code->code : 0;
}

}  // namespace

CandidatePair Agent::NewPair(size_t local, size_t remote) const {
  CandidatePair pair;
  pair.local = local;
  pair.remote = remote;
  pair.component = locals_[local].component;
  pair.local_priority = locals_[local].priority;
  pair.remote_priority = remotes_[remote].priority;
  pair.foundation =
      absl::StrCat(locals_[local].foundation, ":", remotes_[remote].foundation);
  return pair;
}

absl::AnyInvocable<void(stun::MessageBuilder&)> Agent::CheckAttributes(
    uint32_t priority, bool use_candidate) const {
  const Role role = role_;
  const uint64_t tie_breaker = tie_breaker_;
  return [priority, use_candidate, role,
          tie_breaker](stun::MessageBuilder& builder) {
    builder.Add(stun::Priority{priority});
    if (use_candidate) builder.Add(stun::UseCandidate{});
    if (role == Role::kControlling) {
      builder.Add(stun::IceControlling{tie_breaker});
    } else {
      builder.Add(stun::IceControlled{tie_breaker});
    }
  };
}

void Agent::FormPairs(net::Time now, size_t local, size_t remote) {
  if (config_.lite) return;  // A lite agent checks nothing (§2.5).
  const Candidate& l = locals_[local];
  const Candidate& r = remotes_[remote];
  if (!Pairable(l, r, config_.candidate_policy)) return;
  if (checks_.Find(local, remote).has_value()) return;
  // No new pairs for a component whose pair is selected (§8.1.2: its checks
  // are over); a restart starts afresh.
  if (selected_.count(l.component) > 0) return;
  checks_.Add(NewPair(local, remote), role_);
  (void)now;
}

void Agent::StartChecksIfReady(net::Time now) {
  if (config_.lite || closed_ || !remote_.has_value()) return;
  checks_.UnfreezeInitial();
  ScheduleCheck(now);
}

void Agent::ScheduleCheck(net::Time now) {
  if (config_.lite || closed_ || !remote_.has_value() ||
      next_check_.has_value()) {
    return;
  }
  net::Time at = now;
  if (last_check_.has_value() && *last_check_ + config_.ta > at) {
    at = *last_check_ + config_.ta;
  }
  next_check_ = at;
}

void Agent::OnPacer(net::Time now) {
  next_check_.reset();
  std::optional<size_t> pair = checks_.PopTriggered();
  if (!pair.has_value()) pair = checks_.NextOrdinary();
  if (!pair.has_value()) return;  // Idle until something is queued.
  SendCheck(now, *pair);
  last_check_ = now;
  next_check_ = now + config_.ta;
}

net::Duration Agent::CheckRto() const {
  // §14.3: RTO = MAX(500 ms, Ta × (Num-Waiting + Num-In-Progress)).
  const int64_t pending =
      static_cast<int64_t>(checks_.Count(PairState::kWaiting) +
                           checks_.Count(PairState::kInProgress));
  const net::Duration paced = config_.ta * pending;
  const net::Duration floor = net::Duration::Milliseconds(500);
  return paced > floor ? paced : floor;
}

void Agent::SendCheck(net::Time now, size_t index) {
  CandidatePair& pair = checks_.at(index);
  const Candidate& local = locals_[pair.local];
  const Candidate& remote = remotes_[pair.remote];
  if (pair.request.has_value()) {
    // §7.3.1.4: the check in progress is cancelled (it stops retransmitting
    // but its answer still counts) and a new one goes out.
    stun_.StopRetransmitting(*pair.request);
    if (const auto it = requests_.find(*pair.request); it != requests_.end()) {
      it->second->cancelled = true;
    }
    pair.request.reset();
  }
  // §7.1.1: PRIORITY is the priority of a peer-reflexive candidate from the
  // same base (its local preference and component kept).
  const uint32_t priority = (config_.type_preferences.peer_reflexive << 24) |
                            (local.priority & 0x00FFFFFF);
  const bool use_candidate = role_ == Role::kControlling && pair.use_candidate;

  stun::StunClient::Request request;
  request.local = local.base;
  request.server = remote.address;
  request.add_attributes = CheckAttributes(priority, use_candidate);
  request.short_term = stun::ShortTermCredential{
      absl::StrCat(remote_->ufrag, ":", local_.ufrag), *remote_key_};
  request.software = config_.software;
  request.retransmission.initial_rto = CheckRto();
  request.retransmission.max_sends = config_.check_max_sends;
  request.retransmission.final_wait_factor = config_.check_final_wait_factor;
  absl::StatusOr<stun::StunClient::RequestId> id =
      stun_.Start(now, std::move(request));
  if (!id.ok()) {
    pair.state = PairState::kFailed;
    return;
  }
  auto pending = std::make_unique<Request>();
  pending->kind = Request::Kind::kCheck;
  pending->generation = generation_;
  pending->pair = index;
  pending->use_candidate = use_candidate;
  pending->role = role_;
  pending->local = local.base;
  pending->remote = remote.address;
  requests_[*id] = std::move(pending);
  pair.request = *id;
  // A nominating check of a pair that succeeded already leaves it so.
  if (pair.in_check_list && pair.state != PairState::kSucceeded) {
    pair.state = PairState::kInProgress;
  }
  ++stats_.checks_sent;
}

void Agent::OnCheckResponse(net::Time now, const Request& request,
                            const stun::StunClient::Event& event) {
  if (request.generation != generation_ || request.pair >= checks_.size()) {
    return;
  }
  CandidatePair& pair = checks_.at(request.pair);
  const bool current = pair.request == event.id;
  if (current) pair.request.reset();
  if (!event.status.ok()) {
    const int code = ErrorCodeOf(event);
    if (code == stun::error::kRoleConflict) {
      // §7.2.5.1: switch role (unless done already) and check again.
      if (request.role == role_) {
        SwitchRole(now, role_ == Role::kControlling ? Role::kControlled
                                                    : Role::kControlling);
        // "The agent MUST change the tiebreaker value."
        random_.Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(&tie_breaker_),
                                    sizeof(tie_breaker_)));
      }
      if (pair.in_check_list) pair.state = PairState::kWaiting;
      checks_.PushTriggered(request.pair);
      ScheduleCheck(now);
      return;
    }
    // A superseded check's timeout means nothing: its successor decides.
    if (request.cancelled || !current) return;
    if (pair.state != PairState::kSucceeded) pair.state = PairState::kFailed;
    if (request.use_candidate) {
      nominating_.erase(pair.component);
      pair.use_candidate = false;
    }
    // Frozen pairs of the same foundation may be checked now (§6.1.4.2).
    ScheduleCheck(now);
    MaybeNominate(now);
    return;
  }
  const stun::StunClient::Response& response = *event.response;
  if (!Symmetric(response, request.local, request.remote)) {
    if (pair.state != PairState::kSucceeded) pair.state = PairState::kFailed;
    return;
  }
  absl::StatusOr<stun::XorMappedAddress> mapped =
      response.view().Get<stun::XorMappedAddress>();
  if (!mapped.ok()) {
    if (pair.state != PairState::kSucceeded) pair.state = PairState::kFailed;
    return;
  }
  // §7.2.5.3.1: the mapped address names the local candidate of the valid
  // pair; an address not known yet is a peer-reflexive candidate.
  const Candidate& checked_local = locals_[pair.local];
  std::optional<size_t> local;
  for (size_t i = 0; i < locals_.size(); ++i) {
    if (locals_[i].address == mapped->address &&
        locals_[i].base == checked_local.base) {
      local = i;
      break;
    }
  }
  if (!local.has_value()) {
    Candidate prflx;
    prflx.component = checked_local.component;
    prflx.type = CandidateType::kPeerReflexive;
    prflx.address = mapped->address;
    prflx.base = checked_local.base;
    prflx.related = checked_local.base;
    prflx.priority = (config_.type_preferences.peer_reflexive << 24) |
                     (checked_local.priority & 0x00FFFFFF);
    prflx.foundation =
        Foundation(CandidateType::kPeerReflexive, checked_local.base.ip(),
                   net::IpAddress(), checked_local.base.protocol());
    local = AddLocalCandidate(now, std::move(prflx));
    if (!local.has_value()) return;
  }
  // §7.2.5.3.2: the valid pair.
  size_t valid = request.pair;
  if (*local != pair.local) {
    if (std::optional<size_t> existing = checks_.Find(*local, pair.remote)) {
      valid = *existing;
    } else {
      valid = checks_.AddValid(NewPair(*local, pair.remote), role_);
    }
  }
  // `pair` may have moved when the list grew.
  CandidatePair& checked = checks_.at(request.pair);
  checked.state = PairState::kSucceeded;
  checked.valid_pair = valid;
  CandidatePair& valid_pair = checks_.at(valid);
  valid_pair.valid = true;
  valid_pair.state = PairState::kSucceeded;
  // §7.2.5.3.3: pairs of the same foundation may now succeed too.
  checks_.UnfreezeFoundation(checked.foundation);
  if (!first_valid_.has_value()) first_valid_ = now;
  // §7.2.5.3.4 and §7.3.1.5: a nominating check, or a check of a pair the
  // controlling agent nominated, makes the valid pair nominated.
  if (request.use_candidate ||
      (role_ == Role::kControlled && checked.nominate_on_success)) {
    Select(now, valid);
  }
  ScheduleCheck(now);
  MaybeNominate(now);
}

void Agent::HandleCheckRequest(net::Time now, const net::DatagramView& datagram,
                               const stun::MessageView& message) {
  // RFC 8489 §9.1.3 with RFC 8445 §7.3: USERNAME "LFRAG:RFRAG" and
  // MESSAGE-INTEGRITY under our password.
  if (message.Has(stun::attr::kFingerprint) &&
      !stun::VerifyFingerprint(message).ok()) {
    return;  // Not a STUN message after all (RFC 8489 §7.3).
  }
  if (config_.candidate_policy == CandidatePolicy::kRelayOnly &&
      RelayAt(datagram.destination) == nullptr) {
    return;  // A relay-only agent's host bases carry no checks.
  }
  absl::StatusOr<stun::Username> username = message.Get<stun::Username>();
  if (!username.ok() || !message.Has(stun::attr::kMessageIntegrity)) {
    return Respond(now, datagram, message, stun::error::kBadRequest, nullptr);
  }
  const absl::string_view name = username->value;
  const stun::IntegrityKey* key = nullptr;
  bool old_session = false;
  if (absl::StartsWith(name, absl::StrCat(local_.ufrag, ":"))) {
    key = &*local_key_;
  } else if (previous_local_.has_value() &&
             absl::StartsWith(name,
                              absl::StrCat(previous_local_->ufrag, ":"))) {
    key = &*previous_local_key_;
    old_session = true;
  }
  if (key == nullptr || !stun::VerifyMessageIntegrity(message, *key).ok()) {
    return Respond(now, datagram, message, stun::error::kUnauthenticated,
                   nullptr);
  }
  absl::StatusOr<stun::Priority> priority = message.Get<stun::Priority>();
  if (!priority.ok()) {
    return Respond(now, datagram, message, stun::error::kBadRequest, key);
  }
  if (old_session) {
    // A consent check on a pair from before our restart: answered, so the
    // data keeps flowing until the peer has restarted too.
    ++stats_.checks_received;
    return Respond(now, datagram, message, 0, key);
  }
  // §7.3.1.1: role conflicts.
  absl::StatusOr<stun::IceControlling> controlling =
      message.Get<stun::IceControlling>();
  absl::StatusOr<stun::IceControlled> controlled =
      message.Get<stun::IceControlled>();
  if (role_ == Role::kControlling && controlling.ok()) {
    ++stats_.role_conflicts;
    if (tie_breaker_ >= controlling->value) {
      return Respond(now, datagram, message, stun::error::kRoleConflict, key);
    }
    SwitchRole(now, Role::kControlled);
  } else if (role_ == Role::kControlled && controlled.ok()) {
    ++stats_.role_conflicts;
    if (tie_breaker_ >= controlled->value) {
      SwitchRole(now, Role::kControlling);
    } else {
      return Respond(now, datagram, message, stun::error::kRoleConflict, key);
    }
  }
  ++stats_.checks_received;
  Respond(now, datagram, message, 0, key);

  const std::optional<uint32_t> component = ComponentOf(datagram.destination);
  if (!component.has_value()) return;
  // The local candidate is the one the request arrived at: a host or a
  // relayed candidate (§7.3.1.4).
  std::optional<size_t> local;
  for (size_t i = 0; i < locals_.size(); ++i) {
    if (locals_[i].address == datagram.destination &&
        locals_[i].base == datagram.destination) {
      local = i;
      break;
    }
  }
  if (!local.has_value()) return;  // Relay-only: a host base is not used.
  const size_t remote =
      RemoteForRequest(now, *component, datagram.source, priority->value);
  if (remote == SIZE_MAX) return;
  const bool use_candidate = message.Has(stun::attr::kUseCandidate);

  if (config_.lite) {
    // A lite agent's pairs are valid as soon as an authenticated check
    // arrives; the nominated one is selected (RFC 8445 §7.3.2 with §8.2).
    std::optional<size_t> pair = checks_.Find(*local, remote);
    if (!pair.has_value()) {
      pair = checks_.AddValid(NewPair(*local, remote), role_);
    }
    if (use_candidate) Select(now, *pair);
    return;
  }

  std::optional<size_t> pair = checks_.Find(*local, remote);
  if (!pair.has_value()) {
    if (selected_.count(*component) > 0) return;  // Its checks are over.
    pair = checks_.Add(NewPair(*local, remote), role_);
    if (!pair.has_value()) return;
  }
  CandidatePair& checked = checks_.at(*pair);
  if (role_ == Role::kControlled && use_candidate) {
    // §7.3.1.5.
    if (checked.state == PairState::kSucceeded &&
        checked.valid_pair.has_value()) {
      Select(now, *checked.valid_pair);
      return;
    }
    checked.nominate_on_success = true;
  }
  TriggerCheck(now, *pair);
}

void Agent::TriggerCheck(net::Time now, size_t index) {
  // §7.3.1.4.
  CandidatePair& pair = checks_.at(index);
  // §8.1.2: a component with a nominated pair is done checking.
  if (!pair.in_check_list || pair.removed ||
      pair.state == PairState::kSucceeded ||
      selected_.count(pair.component) > 0) {
    return;
  }
  pair.state = PairState::kWaiting;
  checks_.PushTriggered(index);
  ScheduleCheck(now);
}

size_t Agent::RemoteForRequest(net::Time now, uint32_t component,
                               const net::TransportAddress& source,
                               uint32_t priority) {
  for (size_t i = 0; i < remotes_.size(); ++i) {
    if (remotes_[i].address == source && remotes_[i].component == component) {
      return i;
    }
  }
  if (remotes_.size() >= kMaxRemoteCandidates) return SIZE_MAX;
  // §7.3.1.3: a peer-reflexive remote candidate, with the PRIORITY of the
  // request and a foundation of its own. It is paired with nothing but the
  // local candidate the request arrived at.
  Candidate prflx;
  prflx.component = component;
  prflx.type = CandidateType::kPeerReflexive;
  prflx.address = source;
  prflx.priority = priority;
  prflx.foundation = absl::StrCat("prflx", remotes_.size() + 1);
  if (remote_.has_value()) prflx.ufrag = remote_->ufrag;
  remotes_.push_back(std::move(prflx));
  (void)now;
  return remotes_.size() - 1;
}

void Agent::Respond(net::Time now, const net::DatagramView& datagram,
                    const stun::MessageView& request, int error_code,
                    const stun::IntegrityKey* key) {
  stun::MessageBuilder builder(
      {stun::Method::kBinding, error_code == 0
                                   ? stun::MessageClass::kSuccessResponse
                                   : stun::MessageClass::kErrorResponse},
      request.transaction_id());
  if (error_code == 0) {
    builder.Add(stun::XorMappedAddress{datagram.source});
  } else {
    builder.Add(stun::ErrorCode::Standard(error_code));
  }
  if (!config_.software.empty()) {
    builder.Add(stun::Software{config_.software});
  }
  // RFC 8489 §9.1.4: no integrity on 400 and 401 answers.
  if (key != nullptr) builder.AddMessageIntegrity(*key);
  builder.AddFingerprint();
  absl::StatusOr<std::vector<uint8_t>> bytes = builder.Finish();
  if (!bytes.ok()) return;
  (void)SendFrom(now, datagram.destination, datagram.source, *bytes);
}

void Agent::SwitchRole(net::Time now, Role role) {
  if (role == role_) return;
  role_ = role;
  checks_.SetRole(role);
  nominating_.clear();
  for (size_t i = 0; i < checks_.size(); ++i) {
    checks_.at(i).use_candidate = false;
  }
  Emit(Event{.kind = Event::Kind::kRoleChanged, .role = role});
  (void)now;
}

std::optional<net::Time> Agent::NominationDeadline() const {
  if (role_ != Role::kControlling || config_.lite ||
      !first_valid_.has_value() ||
      config_.nomination.mode != NominationPolicy::Mode::kBestWithin ||
      selected_.size() == config_.components) {
    return std::nullopt;
  }
  const net::Time deadline = *first_valid_ + config_.nomination.wait;
  // Once passed, the nomination is made; no wake-up needed after that.
  if (nominating_.size() + selected_.size() >= config_.components) {
    return std::nullopt;
  }
  return deadline;
}

void Agent::MaybeNominate(net::Time now) {
  if (role_ != Role::kControlling || config_.lite || closed_ ||
      !remote_.has_value()) {
    return;
  }
  for (uint32_t component = 1; component <= config_.components; ++component) {
    if (selected_.count(component) > 0 || nominating_.count(component) > 0) {
      continue;
    }
    // The best valid pair of the component.
    std::optional<size_t> best;
    for (size_t i = 0; i < checks_.size(); ++i) {
      const CandidatePair& pair = checks_.at(i);
      if (!pair.valid || pair.removed || pair.component != component) continue;
      if (!best.has_value() || pair.priority > checks_.at(*best).priority) {
        best = i;
      }
    }
    if (!best.has_value()) continue;
    bool now_or_never = true;
    if (config_.nomination.mode == NominationPolicy::Mode::kBestWithin) {
      now_or_never =
          !checks_.HigherPending(component, checks_.at(*best).priority) ||
          (first_valid_.has_value() &&
           now >= *first_valid_ + config_.nomination.wait);
    }
    if (now_or_never) Nominate(now, *best);
  }
}

void Agent::Nominate(net::Time now, size_t valid_pair) {
  // §8.1.1: a check with USE-CANDIDATE on the valid pair; its success
  // nominates it.
  CandidatePair& pair = checks_.at(valid_pair);
  pair.use_candidate = true;
  nominating_[pair.component] = valid_pair;
  checks_.PushTriggered(valid_pair);
  ScheduleCheck(now);
}

void Agent::Select(net::Time now, size_t valid_pair) {
  CandidatePair& pair = checks_.at(valid_pair);
  pair.nominated = true;
  const uint32_t component = pair.component;
  nominating_.erase(component);
  const auto existing = selected_.find(component);
  if (existing != selected_.end() &&
      existing->second.priority >= pair.priority) {
    return;  // §8.3: the highest-priority nominated pair is used.
  }
  Selected selected;
  selected.pair = valid_pair;
  selected.info.local = locals_[pair.local];
  selected.info.remote = remotes_[pair.remote];
  selected.base = locals_[pair.local].base;
  selected.remote = remotes_[pair.remote].address;
  selected.priority = pair.priority;
  selected.username = absl::StrCat(remote_.has_value() ? remote_->ufrag : "",
                                   ":", local_.ufrag);
  selected.key = remote_key_;
  selected.prflx_priority = (config_.type_preferences.peer_reflexive << 24) |
                            (locals_[pair.local].priority & 0x00FFFFFF);
  selected.last_response = now;
  StartConsent(now, selected);
  const CandidatePairInfo info = selected.info;
  selected_.insert_or_assign(component, std::move(selected));
  previous_.erase(component);
  Emit(Event{.kind = Event::Kind::kSelectedPair,
             .component = component,
             .pair = info});
  // §8.1.2: every other pair of the component leaves the check list and
  // the triggered-check queue; an In-Progress check is cancelled (no more
  // retransmissions; its answer, should it come, still counts).
  for (size_t i = 0; i < checks_.size(); ++i) {
    CandidatePair& other = checks_.at(i);
    if (other.component != component || i == valid_pair ||
        !other.in_check_list || other.removed) {
      continue;
    }
    if (other.request.has_value()) {
      stun_.StopRetransmitting(*other.request);
      if (const auto it = requests_.find(*other.request);
          it != requests_.end()) {
        it->second->cancelled = true;
      }
    }
    if (other.state != PairState::kSucceeded) other.removed = true;
  }
  // Relays of an earlier generation that no pair uses any more go.
  if (previous_.empty()) {
    for (std::unique_ptr<Relay>& relay : relays_) {
      if (relay->generation == generation_ || relay->retired) continue;
      bool used = false;
      for (const auto& [c, s] : selected_)
        used = used || s.base == relay->relayed;
      if (!used) {
        relay->client->Release(now);
        relay->retired = true;
      }
    }
  }
}

void Agent::MaybeFail(net::Time now) {
  (void)now;
  if (failed_ || closed_ || config_.lite || !remote_.has_value() ||
      !gathering_complete_ || !remote_end_of_candidates_) {
    return;
  }
  // §8.1.2 with RFC 8838 §8: once both sides have no more candidates, a
  // component with no valid pair and nothing left to check has failed.
  for (uint32_t component = 1; component <= config_.components; ++component) {
    if (selected_.count(component) > 0) continue;
    if (checks_.Pending(component) > 0 || nominating_.count(component) > 0) {
      continue;
    }
    bool valid = false;
    for (const CandidatePair& pair : checks_.pairs()) {
      valid =
          valid || (pair.valid && pair.component == component && !pair.removed);
    }
    if (valid) continue;
    failed_ = true;
    return;
  }
}

}  // namespace pinhole::ice
