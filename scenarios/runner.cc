#include "scenarios/runner.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ice/agent.h"
#include "ice/agent_driver.h"
#include "ice/sdp.h"
#include "net/deterministic_random.h"
#include "scenarios/report.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/world.h"
#include "sim/capture/pcap_capture.h"
#include "sim/drop_reason.h"
#include "sim/trace.h"

namespace pinhole::scenarios {
namespace {

// Application data: a first byte no STUN, DTLS or TURN message has (RFC 7983
// puts RTP there), the sender's number, the message's sequence number, then
// bytes that follow from it, so that the receiver can tell a message intact.
constexpr uint8_t kDataMarker = 0x90;
constexpr size_t kHeader = 6;

std::vector<uint8_t> MakeMessage(uint8_t sender, uint32_t sequence,
                                 size_t size) {
  std::vector<uint8_t> data(std::max(size, kHeader));
  data[0] = kDataMarker;
  data[1] = sender;
  for (int i = 0; i < 4; ++i) {
    data[2 + i] = static_cast<uint8_t>(sequence >> (24 - 8 * i));
  }
  for (size_t i = kHeader; i < data.size(); ++i) {
    data[i] = static_cast<uint8_t>(sequence * 31 + i);
  }
  return data;
}

// The sequence number of an intact message from `sender`, or nullopt.
std::optional<uint32_t> ReadMessage(const std::vector<uint8_t>& data,
                                    uint8_t sender) {
  if (data.size() < kHeader || data[0] != kDataMarker || data[1] != sender) {
    return std::nullopt;
  }
  uint32_t sequence = 0;
  for (int i = 0; i < 4; ++i) sequence = sequence << 8 | data[2 + i];
  for (size_t i = kHeader; i < data.size(); ++i) {
    if (data[i] != static_cast<uint8_t>(sequence * 31 + i)) return std::nullopt;
  }
  return sequence;
}

bool IsConnected(ice::ConnectionState state) {
  return state == ice::ConnectionState::kConnected ||
         state == ice::ConnectionState::kCompleted;
}

bool StateMatches(ice::ConnectionState actual, AgentState wanted) {
  switch (wanted) {
    case NEW:
      return actual == ice::ConnectionState::kNew;
    case CHECKING:
      return actual == ice::ConnectionState::kChecking;
    case CONNECTED:
      return IsConnected(actual);
    case COMPLETED:
      return actual == ice::ConnectionState::kCompleted;
    case FAILED:
      return actual == ice::ConnectionState::kFailed;
    case DISCONNECTED:
      return actual == ice::ConnectionState::kDisconnected;
    case CLOSED:
      return actual == ice::ConnectionState::kClosed;
    default:
      return false;
  }
}

std::string StateWord(AgentState state) {
  std::string name = AgentState_Name(state);
  for (char& c : name) c = static_cast<char>(absl::ascii_tolower(c));
  return name;
}

ice::CandidateType ToType(CandidateType type) {
  switch (type) {
    case SRFLX:
      return ice::CandidateType::kServerReflexive;
    case PRFLX:
      return ice::CandidateType::kPeerReflexive;
    case RELAY:
      return ice::CandidateType::kRelayed;
    default:
      return ice::CandidateType::kHost;
  }
}

net::Duration Field(const std::string& text, net::Duration fallback) {
  return *ParseDurationField(text, fallback);
}

std::string CandidateLabel(const ice::Candidate& candidate) {
  return absl::StrCat(ice::CandidateTypeName(candidate.type), " ",
                      candidate.address.HostPort());
}

class Run {
 public:
  Run(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario), options_(options) {}
  absl::StatusOr<RunResult> Go();

 private:
  struct Slot {
    const Agent* spec = nullptr;
    const Call* call = nullptr;
    AgentReport report;
    uint8_t number = 0;
    sim::Host* host = nullptr;
    std::vector<net::IpAddress> ips;
    std::unique_ptr<net::DeterministicRandom> random;
    std::unique_ptr<ice::Agent> agent;
    std::unique_ptr<ice::AgentDriver> driver;
    Slot* peer = nullptr;
    net::Duration signalling_delay;
    bool trickle = true;
    std::vector<std::string> held;  // Candidates held until gathering ends.
    struct Seen {
      ice::PairState state;
      bool nominated;
      bool removed;
    };
    std::vector<Seen> seen;
    std::string seen_ufrag;  // The session `seen` belongs to.
    // Received message sequence numbers, with when they came.
    std::map<uint32_t, net::Duration> received;
  };

  net::Duration Offset() const { return sim().Now() - start_; }
  sim::Simulator& sim() const { return world_->sim(); }
  Slot* SlotNamed(const std::string& name);
  absl::Status MakeAgent(Slot& slot);
  void OnEvent(Slot& slot, ice::AgentEvent event);
  void Signal(Slot& to, std::function<void(Slot&)> deliver);
  void SignalCredentials(Slot& from);
  void StartCall(const Call& call);
  void Restart(const Call& call);
  void Apply(size_t index, const TimelineEvent& event);
  void SendNext(Slot& slot, const SendData& send, uint32_t left);
  void Observe();
  bool Settled() const;
  void Note(size_t index, const TimelineEvent& event,
            const absl::Status& status);
  void Evaluate(RunResult& result);
  absl::Status OpenCaptures();
  absl::Status WriteOutputs(RunResult& result);

  const Scenario& scenario_;
  const RunOptions options_;
  std::unique_ptr<World> world_;
  net::Time start_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::unique_ptr<sim::PcapCapture>> captures_;
  std::vector<std::string> capture_files_;
  std::vector<ExpectationResult> event_failures_;
  std::vector<std::pair<net::Duration, std::string>> applied_;
};

Run::Slot* Run::SlotNamed(const std::string& name) {
  for (auto& slot : slots_) {
    if (slot->spec->name() == name) return slot.get();
  }
  return nullptr;
}

absl::Status Run::MakeAgent(Slot& slot) {
  const Agent& spec = *slot.spec;
  ice::AgentConfig config;
  config.role = slot.call->controlling() == spec.name()
                    ? ice::Role::kControlling
                    : ice::Role::kControlled;
  config.lite = spec.lite();
  std::vector<std::string> interfaces(spec.interfaces().begin(),
                                      spec.interfaces().end());
  slot.ips = world_->HostAddresses(spec.host(), interfaces);
  bool v4 = false;
  bool v6 = false;
  for (const net::IpAddress& ip : slot.ips) (ip.is_v6() ? v6 : v4) = true;
  auto usable = [&](const net::TransportAddress& address) {
    return address.ip().is_v6() ? v6 : v4;
  };
  for (const std::string& server : spec.stun()) {
    for (const net::TransportAddress& address :
         world_->ServerAddresses(server, UDP, 0)) {
      if (usable(address)) config.stun_servers.push_back(address);
    }
  }
  for (const TurnRef& ref : spec.turn()) {
    const TurnServer& server = *world_->turn_spec(ref.server());
    stun::LongTermCredential credential;
    credential.username =
        ref.user().empty() ? server.users(0).name() : ref.user();
    credential.password = ref.password();
    if (credential.password.empty()) {
      for (const TurnUser& user : server.users()) {
        if (user.name() == credential.username) {
          credential.password = user.password();
        }
      }
    }
    for (const net::TransportAddress& address :
         world_->ServerAddresses(ref.server(), ref.transport(), ref.port())) {
      if (usable(address)) {
        config.turn_servers.push_back(
            ice::TurnServerConfig{address, credential});
      }
    }
  }
  if (spec.relay_only()) {
    config.candidate_policy = ice::CandidatePolicy::kRelayOnly;
  }
  config.ta = Field(spec.ta(), config.ta);
  if (spec.nomination() == BEST_WITHIN) {
    config.nomination.mode = ice::NominationPolicy::Mode::kBestWithin;
  }
  config.nomination.wait =
      Field(spec.nomination_wait(), config.nomination.wait);
  config.consent_interval =
      Field(spec.consent_interval(), config.consent_interval);
  config.consent_timeout =
      Field(spec.consent_timeout(), config.consent_timeout);
  config.software = "Pinhole";
  slot.random = std::make_unique<net::DeterministicRandom>(
      sim().RandomStream(absl::StrCat("agent/", spec.name())));
  absl::StatusOr<std::unique_ptr<ice::Agent>> agent =
      ice::Agent::Create(*slot.random, config);
  if (!agent.ok()) {
    return absl::Status(
        agent.status().code(),
        absl::StrCat("agent ", spec.name(), ": ", agent.status().message()));
  }
  slot.agent = *std::move(agent);
  slot.report.role = config.role;
  return absl::OkStatus();
}

void Run::Signal(Slot& to, std::function<void(Slot&)> deliver) {
  Slot* target = &to;
  sim().ScheduleIn(to.peer->signalling_delay,
                   [target, deliver = std::move(deliver)] {
                     deliver(*target);
                     if (target->driver != nullptr) target->driver->Flush();
                   });
}

void Run::SignalCredentials(Slot& from) {
  const ice::Credentials credentials = from.agent->local_credentials();
  const bool lite = from.agent->config().lite;
  Signal(*from.peer, [this, credentials, lite](Slot& to) {
    (void)to.agent->SetRemoteCredentials(sim().Now(), credentials, lite);
  });
}

void Run::OnEvent(Slot& slot, ice::AgentEvent event) {
  AgentReport& report = slot.report;
  const net::Duration now = Offset();
  switch (event.kind) {
    case ice::AgentEvent::Kind::kLocalCandidate: {
      report.candidates.emplace_back(now, event.candidate);
      if (slot.spec->hide_host_candidates() &&
          event.candidate.type == ice::CandidateType::kHost) {
        break;
      }
      // The candidate travels as its SDP line, as it would between browsers.
      std::string line = ice::FormatCandidateAttribute(event.candidate);
      if (!slot.trickle) {
        slot.held.push_back(std::move(line));
        break;
      }
      Signal(*slot.peer, [this, line](Slot& to) {
        absl::StatusOr<ice::Candidate> candidate =
            ice::ParseCandidateAttribute(line);
        if (candidate.ok()) {
          (void)to.agent->AddRemoteCandidate(sim().Now(), *candidate);
        }
      });
      break;
    }
    case ice::AgentEvent::Kind::kGatheringComplete: {
      std::vector<std::string> lines = std::move(slot.held);
      slot.held.clear();
      Signal(*slot.peer, [this, lines](Slot& to) {
        for (const std::string& line : lines) {
          absl::StatusOr<ice::Candidate> candidate =
              ice::ParseCandidateAttribute(line);
          if (candidate.ok()) {
            (void)to.agent->AddRemoteCandidate(sim().Now(), *candidate);
          }
        }
        to.agent->SetRemoteEndOfCandidates(sim().Now());
      });
      break;
    }
    case ice::AgentEvent::Kind::kStateChanged:
      report.states.push_back({now, event.state});
      if (IsConnected(event.state) && !report.connected_at.has_value()) {
        report.connected_at = now;
      }
      break;
    case ice::AgentEvent::Kind::kSelectedPair:
      report.selections.push_back({now, event.pair});
      break;
    case ice::AgentEvent::Kind::kData: {
      std::optional<uint32_t> sequence =
          ReadMessage(event.data, slot.peer->number);
      if (!sequence.has_value()) {
        ++report.messages_corrupted;
      } else if (slot.received.emplace(*sequence, now).second) {
        ++report.messages_received;
      }
      break;
    }
    default:
      break;
  }
}

void Run::StartCall(const Call& call) {
  Slot& a = *SlotNamed(call.controlling());
  Slot& b = *SlotNamed(call.controlled());
  SignalCredentials(a);
  SignalCredentials(b);
  for (Slot* slot : {&a, &b}) {
    absl::StatusOr<std::unique_ptr<ice::AgentDriver>> driver =
        ice::AgentDriver::Start(*slot->host, *slot->agent, slot->ips,
                                [this, slot](ice::AgentEvent event) {
                                  OnEvent(*slot, std::move(event));
                                });
    if (!driver.ok()) {
      event_failures_.push_back(
          {absl::StrCat("call ", call.name(), " starts at ",
                        FormatOffset(Offset())),
           false,
           absl::StrCat("agent ", slot->spec->name(),
                        " could not start: ", driver.status().message())});
      continue;
    }
    slot->driver = *std::move(driver);
  }
}

void Run::Restart(const Call& call) {
  Slot& a = *SlotNamed(call.controlling());
  Slot& b = *SlotNamed(call.controlled());
  for (Slot* slot : {&a, &b}) {
    if (slot->driver == nullptr) continue;
    if (absl::Status status = slot->agent->Restart(sim().Now()); !status.ok()) {
      event_failures_.push_back(
          {absl::StrCat("ICE restart of call ", call.name(), " at ",
                        FormatOffset(Offset())),
           false, std::string(status.message())});
    }
    slot->held.clear();
  }
  SignalCredentials(a);
  SignalCredentials(b);
  for (Slot* slot : {&a, &b}) {
    if (slot->driver != nullptr) slot->driver->Flush();
  }
}

void Run::SendNext(Slot& slot, const SendData& send, uint32_t left) {
  if (left == 0) return;
  const uint32_t bytes = send.bytes() == 0 ? 100 : send.bytes();
  const uint32_t sequence = static_cast<uint32_t>(slot.report.messages_asked++);
  if (slot.driver != nullptr) {
    if (slot.agent
            ->Send(sim().Now(), 1, MakeMessage(slot.number, sequence, bytes))
            .ok()) {
      ++slot.report.messages_sent;
    }
    slot.driver->Flush();
  }
  const net::Duration interval =
      Field(send.interval(), net::Duration::Milliseconds(20));
  Slot* target = &slot;
  sim().ScheduleIn(interval, [this, target, &send, left] {
    SendNext(*target, send, left - 1);
  });
}

void Run::Note(size_t index, const TimelineEvent& event,
               const absl::Status& status) {
  if (status.ok()) return;
  event_failures_.push_back(
      {absl::StrCat("timeline[", index, "] at ", event.at()), false,
       std::string(status.message())});
}

// "link_down home-uplink": the event's action and its target, for reports.
std::string Describe(const TimelineEvent& event) {
  const google::protobuf::FieldDescriptor* field =
      TimelineEvent::descriptor()->FindFieldByNumber(event.action_case());
  if (field == nullptr) return "nothing";
  const google::protobuf::Reflection* reflection = event.GetReflection();
  switch (event.action_case()) {
    case TimelineEvent::kSetLink:
      return absl::StrCat("set_link ", event.set_link().link());
    case TimelineEvent::kSend:
      return absl::StrCat("send from ", event.send().from(), " x",
                          std::max<uint32_t>(1, event.send().count()));
    default:
      return absl::StrCat(field->name(), " ",
                          reflection->GetString(event, field));
  }
}

void Run::Apply(size_t index, const TimelineEvent& event) {
  applied_.emplace_back(Offset(), Describe(event));
  switch (event.action_case()) {
    case TimelineEvent::kLinkDown:
      world_->link(event.link_down())->SetUp(false);
      break;
    case TimelineEvent::kLinkUp:
      world_->link(event.link_up())->SetUp(true);
      break;
    case TimelineEvent::kInterfaceDown:
      world_->link(event.interface_down())->SetUp(false);
      break;
    case TimelineEvent::kInterfaceUp:
      world_->link(event.interface_up())->SetUp(true);
      break;
    case TimelineEvent::kSetLink: {
      const std::string& name = event.set_link().link();
      Note(index, event,
           world_->link(name)->SetConfig(ToLinkConfig(
               event.set_link().spec(), world_->DefaultLatency(name))));
      break;
    }
    case TimelineEvent::kNatReboot:
      world_->nat(event.nat_reboot())->Reboot();
      break;
    case TimelineEvent::kNatFlush:
      world_->nat(event.nat_flush())->FlushMappings();
      break;
    case TimelineEvent::kTurnServerStop:
      Note(index, event, world_->StopTurnServer(event.turn_server_stop()));
      break;
    case TimelineEvent::kTurnServerStart:
      Note(index, event, world_->StartTurnServer(event.turn_server_start()));
      break;
    case TimelineEvent::kIceRestart:
      for (const Call& call : scenario_.calls()) {
        if (call.name() == event.ice_restart()) Restart(call);
      }
      break;
    case TimelineEvent::kSend: {
      Slot* slot = SlotNamed(event.send().from());
      SendNext(*slot, event.send(),
               event.send().count() == 0 ? 1 : event.send().count());
      break;
    }
    case TimelineEvent::kCloseAgent: {
      Slot* slot = SlotNamed(event.close_agent());
      slot->agent->Close(sim().Now());
      if (slot->driver != nullptr) slot->driver->Flush();
      break;
    }
    case TimelineEvent::ACTION_NOT_SET:
      break;
  }
}

void Run::Observe() {
  for (auto& owned : slots_) {
    Slot& slot = *owned;
    if (slot.agent == nullptr) continue;
    const std::vector<ice::CandidatePair>& pairs =
        slot.agent->check_list().pairs();
    // A restart starts a new check list (and new credentials).
    const std::string& ufrag = slot.agent->local_credentials().ufrag;
    if (ufrag != slot.seen_ufrag || pairs.size() < slot.seen.size()) {
      slot.seen.clear();
      slot.seen_ufrag = ufrag;
    }
    std::vector<ice::Candidate> remotes;
    bool have_remotes = false;
    for (size_t i = 0; i < pairs.size(); ++i) {
      const ice::CandidatePair& pair = pairs[i];
      const bool fresh = i >= slot.seen.size();
      if (!fresh && slot.seen[i].state == pair.state &&
          slot.seen[i].nominated == pair.nominated &&
          slot.seen[i].removed == pair.removed) {
        continue;
      }
      if (fresh) slot.seen.push_back({});
      slot.seen[i] = {pair.state, pair.nominated, pair.removed};
      if (!have_remotes) {
        remotes = slot.agent->remote_candidates();
        have_remotes = true;
      }
      const auto& locals = slot.agent->local_candidates();
      std::string label = absl::StrCat(
          pair.local < locals.size() ? CandidateLabel(locals[pair.local]) : "?",
          " -> ",
          pair.remote < remotes.size() ? CandidateLabel(remotes[pair.remote])
                                       : "?");
      if (pair.component != 1) absl::StrAppend(&label, " #", pair.component);
      PairChange change;
      change.at = Offset();
      change.pair = std::move(label);
      change.state = pair.state;
      change.nominated = pair.nominated;
      change.removed = pair.removed;
      slot.report.pairs.push_back(std::move(change));
    }
  }
}

bool Run::Settled() const {
  // Every call is over its start: both sides connected, or either failed.
  for (const auto& slot : slots_) {
    auto failed = [](const Slot& s) {
      return !s.report.states.empty() &&
             s.report.states.back().state == ice::ConnectionState::kFailed;
    };
    const bool both = slot->report.connected_at.has_value() &&
                      slot->peer->report.connected_at.has_value();
    if (!both && !failed(*slot) && !failed(*slot->peer)) return false;
  }
  return true;
}

absl::Status Run::OpenCaptures() {
  if (options_.output_dir.empty()) return absl::OkStatus();
  auto open =
      [&](const std::string& name) -> absl::StatusOr<sim::PcapCapture*> {
    const std::string path =
        absl::StrCat(options_.output_dir, "/", name, ".pcap");
    absl::StatusOr<std::unique_ptr<sim::PcapCapture>> capture =
        sim::PcapCapture::OpenFile(path);
    if (!capture.ok()) return capture.status();
    captures_.push_back(*std::move(capture));
    capture_files_.push_back(path);
    return captures_.back().get();
  };
  if (scenario_.captures_size() == 0) {
    for (const HostPlan& host : world_->plan().hosts) {
      for (size_t i = 0; i < host.interfaces.size(); ++i) {
        absl::StatusOr<sim::PcapCapture*> capture =
            open(host.interfaces[i].link);
        if (!capture.ok()) return capture.status();
        if (absl::Status status = (*capture)->AttachToHostInterface(
                *world_->host(host.name), static_cast<int>(i));
            !status.ok()) {
          return status;
        }
      }
    }
    return absl::OkStatus();
  }
  for (const Capture& spec : scenario_.captures()) {
    absl::StatusOr<sim::PcapCapture*> capture =
        open(spec.name().empty() ? spec.link() : spec.name());
    if (!capture.ok()) return capture.status();
    (*capture)->AttachToLinkEnd(
        *world_->link(spec.link()),
        spec.outer_end() ? sim::LinkEnd::kB : sim::LinkEnd::kA);
  }
  return absl::OkStatus();
}

absl::StatusOr<RunResult> Run::Go() {
  absl::StatusOr<std::unique_ptr<World>> world =
      World::Build(scenario_, options_.seed);
  if (!world.ok()) return world.status();
  world_ = *std::move(world);
  start_ = sim().Now();
  if (absl::Status status = OpenCaptures(); !status.ok()) return status;

  uint8_t number = 1;
  for (const Agent& spec : scenario_.agents()) {
    auto slot = std::make_unique<Slot>();
    slot->spec = &spec;
    slot->number = number++;
    slot->host = world_->host(spec.host());
    slot->report.name = spec.name();
    slot->report.host = spec.host();
    for (const Call& call : scenario_.calls()) {
      if (call.controlling() == spec.name() ||
          call.controlled() == spec.name()) {
        slot->call = &call;
      }
    }
    slot->report.call = slot->call->name();
    slot->signalling_delay =
        Field(slot->call->signalling_delay(), net::Duration::Zero());
    slot->trickle = slot->call->trickle() != TRICKLE_NONE;
    slots_.push_back(std::move(slot));
  }
  for (auto& slot : slots_) {
    if (absl::Status status = MakeAgent(*slot); !status.ok()) return status;
    const Call& call = *slot->call;
    slot->peer = SlotNamed(call.controlling() == slot->spec->name()
                               ? call.controlled()
                               : call.controlling());
  }
  for (const Call& call : scenario_.calls()) {
    sim().Schedule(start_ + Field(call.start(), net::Duration::Zero()),
                   [this, &call] { StartCall(call); });
  }
  for (size_t i = 0; i < static_cast<size_t>(scenario_.timeline_size()); ++i) {
    const TimelineEvent& event = scenario_.timeline(static_cast<int>(i));
    sim().Schedule(start_ + Field(event.at(), net::Duration::Zero()),
                   [this, i, &event] { Apply(i, event); });
  }

  const net::Time end = start_ + Field(scenario_.duration(), {});
  sim().RunUntil(
      [this] {
        Observe();
        return options_.stop_when_settled && Settled();
      },
      end);

  RunResult result;
  result.description = scenario_.description();
  result.seed = options_.seed;
  result.ran_for = Offset();
  result.events = sim().events_run();
  for (auto& slot : slots_) {
    slot->report.stats = slot->agent->stats();
    result.agents.push_back(slot->report);
  }
  const sim::Trace& trace = sim().trace();
  for (size_t i = 0; i < trace.record_count(); ++i) {
    const sim::Trace::Record& record = trace.record(i);
    if (record.kind == sim::Trace::Kind::kDropped) {
      ++result.drops[std::string(sim::DropReasonName(record.reason))];
    }
  }
  result.events_applied = applied_;
  Evaluate(result);
  result.trace_sha256 = trace.Sha256Hex();
  if (absl::Status status = WriteOutputs(result); !status.ok()) return status;
  // Drivers and agents before the world they run on.
  for (auto& slot : slots_) {
    slot->driver.reset();
    slot->agent.reset();
  }
  return result;
}

void Run::Evaluate(RunResult& result) {
  const sim::Trace& trace = sim().trace();
  const net::Duration end = result.ran_for;
  auto window = [&](const std::string& after, const std::string& by) {
    return std::make_pair(Field(after, net::Duration::Zero()), Field(by, end));
  };
  auto range = [](std::pair<net::Duration, net::Duration> w) {
    return absl::StrCat("[", FormatOffset(w.first), ", ",
                        FormatOffset(w.second), "]");
  };
  for (const Expectation& expectation : scenario_.expect()) {
    ExpectationResult r;
    switch (expectation.check_case()) {
      case Expectation::kState:
      case Expectation::kNeverState: {
        const bool never = expectation.check_case() == Expectation::kNeverState;
        const StateExpectation& e =
            never ? expectation.never_state() : expectation.state();
        const AgentReport& agent = *result.agent(e.agent());
        const auto w = window(e.after(), e.by());
        std::optional<net::Duration> hit;
        ice::ConnectionState at_start = ice::ConnectionState::kNew;
        for (const StateChange& change : agent.states) {
          if (change.at <= w.first) at_start = change.state;
        }
        if (StateMatches(at_start, e.state())) hit = w.first;
        for (const StateChange& change : agent.states) {
          if (!hit.has_value() && change.at > w.first &&
              change.at <= w.second && StateMatches(change.state, e.state())) {
            hit = change.at;
          }
        }
        std::vector<std::string> seen;
        for (const StateChange& change : agent.states) {
          seen.push_back(absl::StrCat(ice::ConnectionStateName(change.state),
                                      " at ", FormatOffset(change.at)));
        }
        r.expectation = absl::StrCat(e.agent(), never ? " never " : " ",
                                     StateWord(e.state()), " in ", range(w));
        r.met = never ? !hit.has_value() : hit.has_value();
        r.outcome =
            hit.has_value()
                ? absl::StrCat(StateWord(e.state()), " at ", FormatOffset(*hit))
                : absl::StrCat("not ", StateWord(e.state()), " in the window");
        absl::StrAppend(&r.outcome, "; states: ",
                        seen.empty() ? "none" : absl::StrJoin(seen, ", "));
        break;
      }
      case Expectation::kSelectedPair: {
        const PairExpectation& e = expectation.selected_pair();
        const AgentReport& agent = *result.agent(e.agent());
        const auto w = window(e.after(), e.by());
        std::string wanted = absl::StrCat(
            e.local() == CANDIDATE_TYPE_UNSPECIFIED
                ? "any"
                : ice::CandidateTypeName(ToType(e.local())),
            e.relay_transport() == TRANSPORT_UNSPECIFIED
                ? ""
                : absl::StrCat("(",
                               net::TransportProtocolName(
                                   ToProtocol(e.relay_transport())),
                               ")"),
            "/",
            e.remote() == CANDIDATE_TYPE_UNSPECIFIED
                ? "any"
                : ice::CandidateTypeName(ToType(e.remote())));
        r.expectation = absl::StrCat(e.agent(), " selects a ", wanted,
                                     " pair in ", range(w));
        std::vector<std::string> seen;
        for (const Selection& selection : agent.selections) {
          seen.push_back(absl::StrCat(PairTypes(selection.pair), " at ",
                                      FormatOffset(selection.at)));
          if (selection.at < w.first || selection.at > w.second || r.met) {
            continue;
          }
          const ice::Candidate& local = selection.pair.local;
          bool ok = e.local() == CANDIDATE_TYPE_UNSPECIFIED ||
                    local.type == ToType(e.local());
          ok = ok && (e.remote() == CANDIDATE_TYPE_UNSPECIFIED ||
                      selection.pair.remote.type == ToType(e.remote()));
          ok = ok && (e.relay_transport() == TRANSPORT_UNSPECIFIED ||
                      local.relay_protocol == ToProtocol(e.relay_transport()));
          if (ok) {
            r.met = true;
            r.outcome =
                absl::StrCat("selected ", PairTypes(selection.pair), " at ",
                             FormatOffset(selection.at), " (",
                             selection.pair.local.address.HostPort(), " -> ",
                             selection.pair.remote.address.HostPort(), ")");
          }
        }
        if (!r.met) {
          r.outcome =
              absl::StrCat("no such selection; selections: ",
                           seen.empty() ? "none" : absl::StrJoin(seen, ", "));
        }
        break;
      }
      case Expectation::kData: {
        const DataExpectation& e = expectation.data();
        const AgentReport& from = *result.agent(e.from());
        const Slot& to = *SlotNamed(e.to());
        const net::Duration by = Field(e.by(), end);
        uint64_t delivered = 0;
        for (const auto& [sequence, at] : to.received) {
          if (at <= by) ++delivered;
        }
        const double wanted = e.has_min_percent() ? e.min_percent() : 100.0;
        const double percent =
            from.messages_asked == 0
                ? 0
                : 100.0 * static_cast<double>(delivered) /
                      static_cast<double>(from.messages_asked);
        r.expectation =
            absl::StrCat(e.to(), " receives at least ", wanted, "% of ",
                         e.from(), "'s messages by ", FormatOffset(by));
        r.met = from.messages_asked > 0 && percent + 1e-9 >= wanted &&
                to.report.messages_corrupted == 0;
        char text[160];
        std::snprintf(
            text, sizeof(text),
            "%llu of %llu messages (%.1f%%) arrived intact; %llu "
            "refused by the sender, %llu corrupted",
            static_cast<unsigned long long>(delivered),
            static_cast<unsigned long long>(from.messages_asked), percent,
            static_cast<unsigned long long>(from.messages_asked -
                                            from.messages_sent),
            static_cast<unsigned long long>(to.report.messages_corrupted));
        r.outcome = text;
        break;
      }
      case Expectation::kConsentLost: {
        const ConsentExpectation& e = expectation.consent_lost();
        const AgentReport& agent = *result.agent(e.agent());
        const auto w = window(e.after(), e.by());
        r.expectation = absl::StrCat(e.agent(), " loses consent in ", range(w));
        bool connected = false;
        for (const StateChange& change : agent.states) {
          if (IsConnected(change.state)) connected = true;
          if (change.state == ice::ConnectionState::kFailed && connected &&
              change.at >= w.first && change.at <= w.second && !r.met) {
            r.met = true;
            r.outcome = absl::StrCat("failed at ", FormatOffset(change.at),
                                     " after being connected");
          }
        }
        if (!r.met) {
          std::vector<std::string> seen;
          for (const StateChange& change : agent.states) {
            seen.push_back(absl::StrCat(ice::ConnectionStateName(change.state),
                                        " at ", FormatOffset(change.at)));
          }
          r.outcome = absl::StrCat("consent not lost in the window; states: ",
                                   absl::StrJoin(seen, ", "));
        }
        break;
      }
      case Expectation::kDropSeen:
      case Expectation::kDropNotSeen: {
        const bool seen = expectation.check_case() == Expectation::kDropSeen;
        const DropExpectation& e =
            seen ? expectation.drop_seen() : expectation.drop_not_seen();
        const auto w = window(e.after(), e.by());
        uint64_t count = 0;
        std::string first;
        for (size_t i = 0; i < trace.record_count(); ++i) {
          const sim::Trace::Record& record = trace.record(i);
          if (record.kind != sim::Trace::Kind::kDropped) continue;
          if (sim::DropReasonName(record.reason) != e.reason()) continue;
          if (!e.node().empty() && trace.node_name(record.node) != e.node()) {
            continue;
          }
          const net::Duration at = record.time - start_;
          if (at < w.first || at > w.second) continue;
          if (count++ == 0) {
            first = absl::StrCat(FormatOffset(at), " at ",
                                 trace.node_name(record.node), " (",
                                 record.source.HostPort(), " -> ",
                                 record.destination.HostPort(), ")");
          }
        }
        r.expectation = absl::StrCat(
            seen ? "a packet dropped for \"" : "no packet dropped for \"",
            e.reason(), "\"", e.node().empty() ? "" : " at ", e.node(), " in ",
            range(w));
        r.met = seen ? count > 0 : count == 0;
        r.outcome = count == 0
                        ? "none"
                        : absl::StrCat(count, " such drops, the first ", first);
        break;
      }
      case Expectation::CHECK_NOT_SET:
        break;
    }
    result.expectations.push_back(std::move(r));
  }
  for (ExpectationResult& failure : event_failures_) {
    result.expectations.push_back(std::move(failure));
  }
}

absl::Status Run::WriteOutputs(RunResult& result) {
  for (auto& capture : captures_) {
    if (absl::Status status = capture->Close(); !status.ok()) return status;
  }
  if (options_.output_dir.empty()) return absl::OkStatus();
  result.outputs = capture_files_;
  auto write = [&](const std::string& name,
                   const std::string& text) -> absl::Status {
    const std::string path = absl::StrCat(options_.output_dir, "/", name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      return absl::UnavailableError(absl::StrCat("cannot write ", path));
    }
    result.outputs.push_back(path);
    return absl::OkStatus();
  };
  if (absl::Status s = write("trace.txt", sim().trace().ToText()); !s.ok()) {
    return s;
  }
  if (absl::Status s = write("timeline.html", TimelineHtml(result)); !s.ok()) {
    return s;
  }
  return write("summary.json", SummaryJson(result));
}

}  // namespace

bool RunResult::passed() const {
  for (const ExpectationResult& r : expectations) {
    if (!r.met) return false;
  }
  return true;
}

const AgentReport* RunResult::agent(const std::string& name) const {
  for (const AgentReport& a : agents) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::string FormatOffset(net::Duration offset) {
  char text[48];
  std::snprintf(text, sizeof(text), "%.3fs",
                static_cast<double>(offset.ToMicroseconds()) / 1e6);
  return text;
}

std::string PairTypes(const ice::CandidatePairInfo& pair) {
  std::string local(ice::CandidateTypeName(pair.local.type));
  if (pair.local.relay_protocol.has_value()) {
    absl::StrAppend(&local, "(",
                    net::TransportProtocolName(*pair.local.relay_protocol),
                    ")");
  }
  return absl::StrCat(local, "/", ice::CandidateTypeName(pair.remote.type));
}

uint64_t DefaultSeed(const Scenario& scenario) {
  return scenario.seed() == 0 ? 1 : scenario.seed();
}

absl::StatusOr<RunResult> RunScenario(const Scenario& scenario,
                                      const RunOptions& options) {
  Run run(scenario, options);
  return run.Go();
}

}  // namespace pinhole::scenarios
