// `Agent`: two agents driven sans-IO through an in-test wire (every datagram
// arrives a fixed delay after it was sent) on a manual clock, with exact
// instants: credentials, host candidate priorities, check pacing and
// contents, retransmission, role conflicts, the answers to bad requests,
// peer-reflexive candidates, nomination, data, consent, restart and two
// components.
#include "ice/agent.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "ice/agent_config.h"
#include "ice/agent_event.h"
#include "ice/candidate.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/demux.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"

namespace pinhole::ice {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;
using Kind = AgentEvent::Kind;

const Time kStart = Time::FromNanosecondsSinceEpoch(1'000'000'000);
// How long after the offer the controlling agent learns the answer's
// credentials (see Wire::Start).
constexpr Duration kAnswerDelay = Duration::Milliseconds(25);

TransportAddress Address(absl::string_view text) {
  return *TransportAddress::Parse(text);
}

// The STUN message in `datagram`, if it holds one. A view: `datagram` must
// outlive it.
std::optional<stun::MessageView> Stun(const net::Datagram& datagram) {
  if (stun::Classify(datagram.payload) != stun::PacketKind::kStun) {
    return std::nullopt;
  }
  absl::StatusOr<stun::MessageView> message =
      stun::MessageView::Parse(datagram.payload);
  if (!message.ok()) return std::nullopt;
  return *message;
}

bool IsBinding(const net::Datagram& datagram, stun::MessageClass type) {
  const std::optional<stun::MessageView> message = Stun(datagram);
  return message.has_value() && message->method() == stun::Method::kBinding &&
         message->message_class() == type;
}

bool IsRequest(const net::Datagram& datagram) {
  return IsBinding(datagram, stun::MessageClass::kRequest);
}

int ErrorCodeOf(const net::Datagram& datagram) {
  const std::optional<stun::MessageView> message = Stun(datagram);
  if (!message.has_value()) return 0;
  absl::StatusOr<stun::ErrorCode> code = message->Get<stun::ErrorCode>();
  return code.ok() ? code->code : 0;
}

// A datagram an agent handed out or was handed, and when.
struct Stamped {
  Time at;
  net::Datagram datagram;
};

// One event an agent reported, and when.
struct Seen {
  Time at;
  AgentEvent event;
};

// An agent with its own seeded randomness and everything it did.
class Side {
 public:
  Side(std::string name, uint64_t seed, const AgentConfig& config)
      : name_(std::move(name)), random_(seed) {
    absl::StatusOr<std::unique_ptr<Agent>> agent =
        Agent::Create(random_, config);
    EXPECT_TRUE(agent.ok()) << agent.status();
    if (agent.ok()) agent_ = *std::move(agent);
  }
  Side(const Side&) = delete;
  Side& operator=(const Side&) = delete;

  const std::string& name() const { return name_; }
  Agent& agent() { return *agent_; }
  const Agent& agent() const { return *agent_; }

  // Everything sent, and everything delivered to this agent.
  std::vector<Stamped> sent;
  std::vector<Stamped> received;
  std::vector<Seen> events;

  // Binding requests this agent sent, in order (retransmissions included).
  std::vector<const Stamped*> Requests() const {
    std::vector<const Stamped*> out;
    for (const Stamped& s : sent) {
      if (IsRequest(s.datagram)) out.push_back(&s);
    }
    return out;
  }

  // The first send of each Binding request transaction, in order.
  std::vector<const Stamped*> Transactions() const {
    std::vector<const Stamped*> out;
    std::set<stun::TransactionId> seen;
    for (const Stamped* s : Requests()) {
      if (seen.insert(Stun(s->datagram)->transaction_id()).second) {
        out.push_back(s);
      }
    }
    return out;
  }

  std::vector<const Seen*> EventsOf(Kind kind) const {
    std::vector<const Seen*> out;
    for (const Seen& seen : events) {
      if (seen.event.kind == kind) out.push_back(&seen);
    }
    return out;
  }

  std::vector<ConnectionState> States() const {
    std::vector<ConnectionState> out;
    for (const Seen* seen : EventsOf(Kind::kStateChanged)) {
      out.push_back(seen->event.state);
    }
    return out;
  }

  // When the agent first reported `state`.
  std::optional<Time> FirstState(ConnectionState state) const {
    for (const Seen* seen : EventsOf(Kind::kStateChanged)) {
      if (seen->event.state == state) return seen->at;
    }
    return std::nullopt;
  }

  std::vector<const Seen*> SelectedPairs(uint32_t component = 1) const {
    std::vector<const Seen*> out;
    for (const Seen* seen : EventsOf(Kind::kSelectedPair)) {
      if (seen->event.component == component) out.push_back(seen);
    }
    return out;
  }

  std::vector<std::vector<uint8_t>> Data(uint32_t component = 1) const {
    std::vector<std::vector<uint8_t>> out;
    for (const Seen* seen : EventsOf(Kind::kData)) {
      if (seen->event.component == component) out.push_back(seen->event.data);
    }
    return out;
  }

  std::vector<Candidate> LocalCandidateEvents() const {
    std::vector<Candidate> out;
    for (const Seen* seen : EventsOf(Kind::kLocalCandidate)) {
      out.push_back(seen->event.candidate);
    }
    return out;
  }

 private:
  std::string name_;
  net::DeterministicRandom random_;
  std::unique_ptr<Agent> agent_;
};

// Two agents and the wire between them: every datagram one agent sends
// reaches the other `delay` later (unless `drop` says otherwise), whatever
// its destination; the receiving agent ignores what is not for its bases.
// Candidates trickle to the peer at once (unless turned off). The clock moves
// only in `Step`, to the next delivery or the earlier agent timeout.
class Wire {
 public:
  Wire(const AgentConfig& a_config, const AgentConfig& b_config,
       uint64_t a_seed = 1, uint64_t b_seed = 2)
      : a_("A", a_seed, a_config), b_("B", b_seed, b_config) {}

  Side& a() { return a_; }
  Side& b() { return b_; }
  Side& peer(const Side& side) { return &side == &a_ ? b_ : a_; }

  Time now = kStart;
  Duration delay = Duration::Milliseconds(10);
  // Whether each agent's candidates reach the other as gathered.
  bool trickle_from_a = true;
  bool trickle_from_b = true;
  // True to lose a datagram `from` sent.
  std::function<bool(const Side& from, const net::Datagram&)> drop;

  void AddHost(Side& side, uint32_t component, absl::string_view address) {
    const absl::Status status =
        side.agent().AddHostAddress(component, Address(address));
    EXPECT_TRUE(status.ok()) << status;
  }

  // Offer and answer: B has A's credentials from the start, both gather
  // (candidates trickle as gathered), and A gets B's credentials
  // `answer_delay` later. With no delay the two agents check in step.
  void Start(Duration answer_delay = kAnswerDelay) {
    {
      const absl::Status status =
          b_.agent().SetRemoteCredentials(now, a_.agent().local_credentials());
      EXPECT_TRUE(status.ok()) << status;
    }
    for (Side* side : {&a_, &b_}) {
      const absl::Status status = side->agent().StartGathering(now);
      EXPECT_TRUE(status.ok()) << status;
      Flush();
    }
    RunUntil(now + answer_delay);
    const absl::Status status =
        a_.agent().SetRemoteCredentials(now, b_.agent().local_credentials());
    EXPECT_TRUE(status.ok()) << status;
    Flush();
  }

  // Signals every current (non peer-reflexive) local candidate of `from`
  // to its peer.
  void SignalCandidates(Side& from) {
    for (const Candidate& candidate : from.agent().local_candidates()) {
      if (candidate.type == CandidateType::kPeerReflexive) continue;
      const absl::Status status =
          peer(from).agent().AddRemoteCandidate(now, candidate);
      EXPECT_TRUE(status.ok()) << status;
    }
    Flush();
  }

  // Drains both agents until neither has anything to hand out.
  void Flush() {
    bool progress = true;
    while (progress) {
      progress = false;
      for (Side* side : {&a_, &b_}) {
        while (std::optional<net::Datagram> datagram =
                   side->agent().PollTransmit()) {
          progress = true;
          side->sent.push_back(Stamped{now, *datagram});
          if (drop && drop(*side, *datagram)) continue;
          in_flight_.emplace(std::make_pair(now + delay, sequence_++),
                             InFlight{&peer(*side), *std::move(datagram)});
        }
        while (std::optional<AgentEvent> event = side->agent().PollEvent()) {
          progress = true;
          side->events.push_back(Seen{now, *event});
          const bool trickle = side == &a_ ? trickle_from_a : trickle_from_b;
          if (trickle && event->kind == Kind::kLocalCandidate) {
            const absl::Status status =
                peer(*side).agent().AddRemoteCandidate(now, event->candidate);
            EXPECT_TRUE(status.ok()) << status;
          }
        }
      }
    }
  }

  // The next instant something happens: a delivery or an agent timeout.
  std::optional<Time> Next() const {
    std::optional<Time> next;
    auto consider = [&next](std::optional<Time> t) {
      if (t.has_value() && (!next.has_value() || *t < *next)) next = t;
    };
    if (!in_flight_.empty()) consider(in_flight_.begin()->first.first);
    consider(a_.agent().NextTimeout());
    consider(b_.agent().NextTimeout());
    return next;
  }

  // Moves to the next instant, up to `limit`: delivers what is due, wakes
  // the agents that asked for it. False when nothing happens before then.
  bool Step(Time limit) {
    const std::optional<Time> next = Next();
    if (!next.has_value() || *next > limit) return false;
    if (*next > now) {
      now = *next;
      steps_at_now_ = 0;
    } else if (++steps_at_now_ > 10'000) {
      ADD_FAILURE() << "no progress at " << now;
      return false;
    }
    while (!in_flight_.empty() && in_flight_.begin()->first.first <= now) {
      InFlight flight = std::move(in_flight_.begin()->second);
      in_flight_.erase(in_flight_.begin());
      flight.to->received.push_back(Stamped{now, flight.datagram});
      flight.to->agent().HandleDatagram(
          now,
          net::DatagramView{flight.datagram.source, flight.datagram.destination,
                            flight.datagram.payload});
    }
    for (Side* side : {&a_, &b_}) {
      const std::optional<Time> timeout = side->agent().NextTimeout();
      if (timeout.has_value() && *timeout <= now) {
        side->agent().HandleTimeout(now);
      }
    }
    Flush();
    return true;
  }

  // Runs everything due up to `end`, then sets the clock to `end`.
  void RunUntil(Time end) {
    while (Step(end)) {
    }
    if (now < end) now = end;
  }

  void RunFor(Duration duration) { RunUntil(now + duration); }

  // Runs until `done` holds (true) or `limit` passes (false).
  bool RunUntil(const std::function<bool()>& done, Time limit) {
    while (!done()) {
      if (!Step(limit)) return done();
    }
    return true;
  }

  bool Connected() {
    auto up = [](const Agent& agent) {
      return agent.state() == ConnectionState::kConnected ||
             agent.state() == ConnectionState::kCompleted;
    };
    return up(a_.agent()) && up(b_.agent());
  }

  // Hands `bytes` to `to` as if they came from `source` to `destination`
  // now, and drains.
  bool Inject(Side& to, const TransportAddress& source,
              const TransportAddress& destination,
              const std::vector<uint8_t>& bytes) {
    const bool taken = to.agent().HandleDatagram(
        now, net::DatagramView{source, destination, bytes});
    Flush();
    return taken;
  }

 private:
  struct InFlight {
    Side* to = nullptr;
    net::Datagram datagram;
  };

  Side a_;
  Side b_;
  std::map<std::pair<Time, uint64_t>, InFlight> in_flight_;
  uint64_t sequence_ = 0;
  int steps_at_now_ = 0;
};

AgentConfig Controlling() {
  AgentConfig config;
  config.role = Role::kControlling;
  return config;
}

AgentConfig Controlled() {
  AgentConfig config;
  config.role = Role::kControlled;
  return config;
}

std::string Describe(const net::Datagram& datagram) {
  std::string text = absl::StrCat(datagram.source.ToString(), " -> ",
                                  datagram.destination.ToString(), " ");
  const std::optional<stun::MessageView> message = Stun(datagram);
  if (!message.has_value()) {
    return absl::StrCat(text, "data ", datagram.payload.size(), " bytes");
  }
  absl::StrAppend(&text, stun::MessageClassName(message->message_class()),
                  " id ", message->transaction_id()[0], ".",
                  message->transaction_id()[1]);
  if (message->Has(stun::attr::kUseCandidate)) {
    absl::StrAppend(&text, " USE-CANDIDATE");
  }
  if (message->Has(stun::attr::kIceControlling)) {
    absl::StrAppend(&text, " CONTROLLING");
  }
  if (message->Has(stun::attr::kIceControlled)) {
    absl::StrAppend(&text, " CONTROLLED");
  }
  if (const int code = ErrorCodeOf(datagram); code != 0) {
    absl::StrAppend(&text, " ", code);
  }
  return text;
}

// Both sides' datagrams in order of sending, one a line: for failure
// messages.
std::string Trace(Wire& wire) {
  std::vector<std::pair<const Stamped*, const Side*>> all;
  for (Side* side : {&wire.a(), &wire.b()}) {
    for (const Stamped& s : side->sent) all.emplace_back(&s, side);
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
    return x.first->at < y.first->at;
  });
  std::string text;
  for (const auto& [s, side] : all) {
    absl::StrAppend(&text, (s->at - kStart).ToString(), " ", side->name(), " ",
                    Describe(s->datagram), "\n");
  }
  return text;
}

// --- Reading what went over the wire ---

template <typename A>
std::optional<A> Attribute(const net::Datagram& datagram) {
  const std::optional<stun::MessageView> message = Stun(datagram);
  if (!message.has_value()) return std::nullopt;
  absl::StatusOr<A> attribute = message->Get<A>();
  if (!attribute.ok()) return std::nullopt;
  return *attribute;
}

std::string UsernameOf(const net::Datagram& datagram) {
  const std::optional<stun::Username> username =
      Attribute<stun::Username>(datagram);
  return username.has_value() ? std::string(username->value) : "";
}

bool Has(const net::Datagram& datagram, uint16_t type) {
  const std::optional<stun::MessageView> message = Stun(datagram);
  return message.has_value() && message->Has(type);
}

stun::TransactionId IdOf(const net::Datagram& datagram) {
  return Stun(datagram)->transaction_id();
}

// The instants `side` sent the transaction `id`.
std::vector<Time> SendsOf(const Side& side, const stun::TransactionId& id) {
  std::vector<Time> out;
  for (const Stamped* s : side.Requests()) {
    if (IdOf(s->datagram) == id) out.push_back(s->at);
  }
  return out;
}

// When `side` first received a success response to one of its requests.
std::optional<const Stamped*> FirstSuccessReceived(const Side& side) {
  for (const Stamped& s : side.received) {
    if (IsBinding(s.datagram, stun::MessageClass::kSuccessResponse)) {
      return &s;
    }
  }
  return std::nullopt;
}

// --- Building what goes over the wire ---

// RFC 8445 §5.1.2.1 for a host candidate.
uint32_t HostPriority(uint32_t local_preference, uint32_t component) {
  return (126u << 24) | (local_preference << 8) | (256 - component);
}

uint32_t LocalPreferenceOf(uint32_t priority) {
  return (priority >> 8) & 0xFFFF;
}

// RFC 8445 §7.1.1: a check's PRIORITY is its local candidate's priority with
// the peer-reflexive type preference.
uint32_t CheckPriority(uint32_t local_priority) {
  return (110u << 24) | (local_priority & 0x00FFFFFF);
}

Candidate RemoteHost(absl::string_view address, uint32_t local_preference,
                     std::string foundation, uint32_t component = 1) {
  Candidate candidate;
  candidate.type = CandidateType::kHost;
  candidate.address = Address(address);
  candidate.component = component;
  candidate.priority = HostPriority(local_preference, component);
  candidate.foundation = std::move(foundation);
  return candidate;
}

// The credentials of a peer that never answers.
const Credentials& Silent() {
  static const Credentials* const credentials =
      new Credentials{"peerufrag", "peerpasswordpeerpassword"};
  return *credentials;
}

// A on its own: its hosts on component 1, the silent peer's credentials and
// `remotes`, all at kStart; the wire loses everything A sends.
std::unique_ptr<Wire> Alone(const AgentConfig& config,
                            const std::vector<const char*>& hosts,
                            const std::vector<Candidate>& remotes) {
  auto wire = std::make_unique<Wire>(config, Controlled());
  wire->drop = [](const Side&, const net::Datagram&) { return true; };
  Agent& agent = wire->a().agent();
  for (const char* host : hosts) wire->AddHost(wire->a(), 1, host);
  EXPECT_TRUE(agent.StartGathering(wire->now).ok());
  EXPECT_TRUE(agent.SetRemoteCredentials(wire->now, Silent()).ok());
  for (const Candidate& remote : remotes) {
    EXPECT_TRUE(agent.AddRemoteCandidate(wire->now, remote).ok());
  }
  wire->Flush();
  return wire;
}

// A Binding request as a peer would send it: each part only when given.
std::vector<uint8_t> CheckRequest(const stun::TransactionId& id,
                                  std::optional<std::string> username,
                                  const stun::IntegrityKey* key,
                                  std::optional<uint32_t> priority) {
  stun::MessageBuilder builder(
      {stun::Method::kBinding, stun::MessageClass::kRequest}, id);
  if (priority.has_value()) builder.Add(stun::Priority{*priority});
  builder.Add(stun::IceControlled{42});
  if (username.has_value()) builder.Add(stun::Username{*username});
  if (key != nullptr) builder.AddMessageIntegrity(*key);
  builder.AddFingerprint();
  absl::StatusOr<std::vector<uint8_t>> bytes = builder.Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.value_or(std::vector<uint8_t>());
}

stun::IntegrityKey Key(absl::string_view password) {
  return *stun::IntegrityKey::ShortTerm(password);
}

// The peer's 64-bit tie-breaker for a seed, to pick seeds that order two
// agents' tie-breakers.
uint64_t TieBreakerOf(uint64_t seed) {
  net::DeterministicRandom random(seed);
  return Agent::Create(random, AgentConfig()).value()->tie_breaker();
}

// A seed for B whose tie-breaker is below (or above) that of seed 1 (A's).
uint64_t SeedForB(bool b_lower) {
  const uint64_t a = TieBreakerOf(1);
  for (uint64_t seed = 2;; ++seed) {
    if ((TieBreakerOf(seed) < a) == b_lower) return seed;
  }
}

// The pair as the other agent sees it.
bool Mirrors(const CandidatePairInfo& a, const CandidatePairInfo& b) {
  return a.local.address == b.remote.address &&
         a.remote.address == b.local.address;
}

// Both agents selected one pair for `component`, and the same one.
void ExpectSameSelectedPair(Wire& wire, uint32_t component = 1) {
  const std::vector<const Seen*> a = wire.a().SelectedPairs(component);
  const std::vector<const Seen*> b = wire.b().SelectedPairs(component);
  ASSERT_FALSE(a.empty()) << Trace(wire);
  ASSERT_FALSE(b.empty()) << Trace(wire);
  EXPECT_TRUE(Mirrors(a.back()->event.pair, b.back()->event.pair))
      << a.back()->event.pair.local << " / " << a.back()->event.pair.remote
      << " vs " << b.back()->event.pair.local << " / "
      << b.back()->event.pair.remote;
  EXPECT_EQ(a.back()->event.pair.local.component, component);
  EXPECT_EQ(a.back()->event.pair.remote.component, component);
}

// One host address a side on component 1, started.
void StartOneHostEach(Wire& wire, Duration answer_delay = kAnswerDelay) {
  wire.AddHost(wire.a(), 1, "192.0.2.1:5000");
  wire.AddHost(wire.b(), 1, "192.0.2.2:6000");
  wire.Start(answer_delay);
}

bool ConnectWithin(Wire& wire, Duration limit) {
  return wire.RunUntil([&wire] { return wire.Connected(); }, wire.now + limit);
}

// --- Credentials (RFC 8445 §5.3, RFC 8839 §5.4) ---

bool IsIceChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

void ExpectValidCredentials(const Credentials& credentials) {
  // ice-ufrag: 4 to 256 ice-chars with at least 24 bits of randomness;
  // ice-pwd: 22 to 256 with at least 128 bits (6 bits a character).
  EXPECT_GE(credentials.ufrag.size(), 4u);
  EXPECT_LE(credentials.ufrag.size(), 256u);
  EXPECT_GE(credentials.ufrag.size() * 6, 24u);
  EXPECT_GE(credentials.pwd.size(), 22u);
  EXPECT_LE(credentials.pwd.size(), 256u);
  EXPECT_GE(credentials.pwd.size() * 6, 128u);
  for (const std::string* text : {&credentials.ufrag, &credentials.pwd}) {
    EXPECT_TRUE(std::all_of(text->begin(), text->end(), IsIceChar)) << *text;
  }
}

TEST(AgentTest, CredentialsAreIceCharsOfRfcLengths) {
  Wire wire(Controlling(), Controlled());
  const Credentials& a = wire.a().agent().local_credentials();
  const Credentials& b = wire.b().agent().local_credentials();
  ExpectValidCredentials(a);
  ExpectValidCredentials(b);
  EXPECT_NE(a.ufrag, b.ufrag);
  EXPECT_NE(a.pwd, b.pwd);
  EXPECT_NE(a.ufrag, a.pwd.substr(0, a.ufrag.size()));
  EXPECT_NE(wire.a().agent().tie_breaker(), wire.b().agent().tie_breaker());
}

TEST(AgentTest, CredentialsAndTieBreakerDependOnTheSeedOnly) {
  Wire first(Controlling(), Controlled(), 7, 8);
  Wire again(Controlled(), Controlling(), 7, 8);
  Wire other(Controlling(), Controlled(), 9, 10);
  const Agent& a = first.a().agent();
  EXPECT_EQ(a.local_credentials().ufrag,
            again.a().agent().local_credentials().ufrag);
  EXPECT_EQ(a.local_credentials().pwd,
            again.a().agent().local_credentials().pwd);
  EXPECT_EQ(a.tie_breaker(), again.a().agent().tie_breaker());
  EXPECT_NE(a.local_credentials().ufrag,
            other.a().agent().local_credentials().ufrag);
  EXPECT_NE(a.local_credentials().pwd,
            other.a().agent().local_credentials().pwd);
  EXPECT_NE(a.tie_breaker(), other.a().agent().tie_breaker());
}

// --- Host candidates (RFC 8445 §5.1.1.1, §5.1.2) ---

TEST(AgentTest, HostCandidatePriorityFollowsRfc8445Formula) {
  AgentConfig config = Controlling();
  config.components = 2;
  Wire wire(config, Controlled());
  wire.AddHost(wire.a(), 1, "192.0.2.1:5000");
  wire.AddHost(wire.a(), 2, "192.0.2.1:5001");
  ASSERT_TRUE(wire.a().agent().StartGathering(wire.now).ok());
  wire.Flush();

  const std::vector<Candidate> reported = wire.a().LocalCandidateEvents();
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported, wire.a().agent().local_candidates());
  const Candidate& rtp = reported[0];
  EXPECT_EQ(rtp.type, CandidateType::kHost);
  EXPECT_EQ(rtp.component, 1u);
  EXPECT_EQ(rtp.address, Address("192.0.2.1:5000"));
  EXPECT_EQ(rtp.base, rtp.address);  // A host candidate is its own base.
  // (2^24)·126 + (2^8)·65535 + (256 − 1).
  EXPECT_EQ(rtp.priority, (126u << 24) | (65535u << 8) | (256u - 1));
  EXPECT_EQ(rtp.priority, 2130706431u);
  const Candidate& rtcp = reported[1];
  EXPECT_EQ(rtcp.component, 2u);
  EXPECT_EQ(rtcp.priority, (126u << 24) | (65535u << 8) | (256u - 2));
  EXPECT_FALSE(rtp.foundation.empty());
  // Same type, base IP and transport: the same foundation (§5.1.1.3).
  EXPECT_EQ(rtp.foundation, rtcp.foundation);

  // No servers: gathering is over at once.
  const std::vector<const Seen*> complete =
      wire.a().EventsOf(Kind::kGatheringComplete);
  ASSERT_EQ(complete.size(), 1u);
  EXPECT_EQ(complete[0]->at, kStart);
  EXPECT_TRUE(complete[0]->event.status.ok());
  EXPECT_TRUE(wire.a().agent().gathering_complete());
}

TEST(AgentTest, SecondHostAddressOfAComponentGetsALowerLocalPreference) {
  Wire wire(Controlling(), Controlled());
  wire.AddHost(wire.a(), 1, "192.0.2.1:5000");
  wire.AddHost(wire.a(), 1, "198.51.100.7:5000");
  wire.AddHost(wire.a(), 1, "192.0.2.1:5002");
  ASSERT_TRUE(wire.a().agent().StartGathering(wire.now).ok());
  wire.Flush();

  const std::vector<Candidate> reported = wire.a().LocalCandidateEvents();
  ASSERT_EQ(reported.size(), 3u);
  uint32_t previous = 65535 + 1;
  for (const Candidate& candidate : reported) {
    EXPECT_EQ(candidate.priority >> 24, 126u) << candidate;
    EXPECT_EQ(candidate.priority & 0xFF, 255u) << candidate;
    EXPECT_LT(LocalPreferenceOf(candidate.priority), previous) << candidate;
    previous = LocalPreferenceOf(candidate.priority);
  }
  EXPECT_EQ(LocalPreferenceOf(reported[0].priority), 65535u);
  // Different base IPs, different foundations; the same IP, the same.
  EXPECT_NE(reported[0].foundation, reported[1].foundation);
  EXPECT_EQ(reported[0].foundation, reported[2].foundation);
}

// --- Pacing (RFC 8445 §6.1.4.2, §14.2) ---

// 3 local hosts × 3 remote hosts of distinct foundations: 9 pairs, all
// Waiting at once; the peer never answers.
std::unique_ptr<Wire> NinePairs(const AgentConfig& config) {
  return Alone(config, {"192.0.2.1:5000", "192.0.2.11:5000", "192.0.2.21:5000"},
               {RemoteHost("203.0.113.2:6000", 65535, "r1"),
                RemoteHost("203.0.113.12:6000", 65000, "r2"),
                RemoteHost("203.0.113.22:6000", 64000, "r3")});
}

class PacingTest : public ::testing::TestWithParam<int> {};

TEST_P(PacingTest, ChecksGoOutExactlyTaApartInPriorityOrder) {
  AgentConfig config = Controlling();
  config.ta = Duration::Milliseconds(GetParam());
  std::unique_ptr<Wire> wire = NinePairs(config);
  // Until just before the first retransmission (500 ms at the earliest).
  wire->RunUntil(kStart + Duration::Milliseconds(499));

  const std::vector<const Stamped*> checks = wire->a().Requests();
  ASSERT_EQ(checks.size(), 9u) << Trace(*wire);
  for (size_t k = 0; k < checks.size(); ++k) {
    EXPECT_EQ(checks[k]->at, kStart + config.ta * static_cast<int64_t>(k))
        << "check " << k;
  }
  // Highest pair priority first (the controlling agent's candidate is G).
  std::vector<
      std::pair<uint64_t, std::pair<TransportAddress, TransportAddress>>>
      expected;
  for (const Candidate& local : wire->a().agent().local_candidates()) {
    for (const Candidate& remote : wire->a().agent().remote_candidates()) {
      expected.push_back({PairPriority(local.priority, remote.priority),
                          {local.address, remote.address}});
    }
  }
  std::sort(expected.begin(), expected.end(),
            [](const auto& x, const auto& y) { return x.first > y.first; });
  for (size_t k = 0; k < checks.size(); ++k) {
    EXPECT_EQ(checks[k]->datagram.source, expected[k].second.first)
        << "check " << k;
    EXPECT_EQ(checks[k]->datagram.destination, expected[k].second.second)
        << "check " << k;
  }
  EXPECT_EQ(wire->a().agent().stats().checks_sent, 9u);
}

INSTANTIATE_TEST_SUITE_P(Ta, PacingTest, ::testing::Values(50, 20),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return absl::StrCat(info.param, "ms");
                         });

TEST(AgentTest, BothAgentsPaceTheirChecksTaApart) {
  Wire wire(Controlling(), Controlled());
  // A slow wire: many checks leave before the first answer is back.
  wire.delay = Duration::Milliseconds(300);
  for (const char* host :
       {"192.0.2.1:5000", "192.0.2.11:5000", "192.0.2.21:5000"}) {
    wire.AddHost(wire.a(), 1, host);
  }
  for (const char* host :
       {"192.0.2.2:6000", "192.0.2.12:6000", "192.0.2.22:6000"}) {
    wire.AddHost(wire.b(), 1, host);
  }
  wire.Start();
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);

  // B checks from the offer on (t = 0), A from the answer on (t = 25 ms):
  // until the answers come back 600 ms later, one check every 50 ms each.
  for (Side* side : {&wire.a(), &wire.b()}) {
    const Time first = side == &wire.a() ? kStart + kAnswerDelay : kStart;
    const std::vector<const Stamped*> checks = side->Transactions();
    size_t k = 0;
    for (; k < checks.size() &&
           checks[k]->at < kStart + Duration::Milliseconds(600);
         ++k) {
      EXPECT_EQ(checks[k]->at,
                first + Duration::Milliseconds(50) * static_cast<int64_t>(k))
          << side->name() << " check " << k << "\n"
          << Trace(wire);
    }
    EXPECT_GE(k, 11u) << side->name();
    // And never two new checks closer than Ta.
    for (size_t i = 1; i < checks.size(); ++i) {
      EXPECT_GE(checks[i]->at - checks[i - 1]->at, Duration::Milliseconds(50))
          << side->name() << " check " << i;
    }
  }
}

// --- Retransmission of a check (RFC 8445 §14.3) ---

TEST(AgentTest, CheckRtoIsTaTimesWaitingAndInProgressPairs) {
  AgentConfig config = Controlling();
  config.ta = Duration::Milliseconds(100);
  std::unique_ptr<Wire> wire = NinePairs(config);
  wire->RunUntil(kStart + Duration::Seconds(4));

  // Every check left with 9 pairs Waiting or In-Progress: RTO = 100 ms × 9,
  // doubling after each send (RFC 8489 §6.2.1).
  const std::vector<const Stamped*> checks = wire->a().Transactions();
  ASSERT_EQ(checks.size(), 9u) << Trace(*wire);
  for (size_t k = 0; k < checks.size(); ++k) {
    const Time first =
        kStart + Duration::Milliseconds(100) * static_cast<int64_t>(k);
    EXPECT_EQ(SendsOf(wire->a(), IdOf(checks[k]->datagram)),
              (std::vector<Time>{first, first + Duration::Milliseconds(900),
                                 first + Duration::Milliseconds(2700)}))
        << "check " << k;
  }
}

TEST(AgentTest, CheckRtoIsAtLeast500Ms) {
  // Ta 50 ms × 9 pairs is 450 ms: the floor of 500 ms applies.
  std::unique_ptr<Wire> wire = NinePairs(Controlling());
  wire->RunUntil(kStart + Duration::Seconds(2));
  const std::vector<const Stamped*> checks = wire->a().Transactions();
  ASSERT_EQ(checks.size(), 9u) << Trace(*wire);
  for (size_t k = 0; k < checks.size(); ++k) {
    const Time first =
        kStart + Duration::Milliseconds(50) * static_cast<int64_t>(k);
    EXPECT_EQ(SendsOf(wire->a(), IdOf(checks[k]->datagram)),
              (std::vector<Time>{first, first + Duration::Milliseconds(500),
                                 first + Duration::Milliseconds(1500)}))
        << "check " << k;
  }
}

TEST(AgentTest, CheckRtoLeavesFrozenPairsOut) {
  AgentConfig config = Controlling();
  config.ta = Duration::Milliseconds(200);
  // The remote candidates share a foundation: one pair of each local
  // candidate's foundation is Waiting, the other six are Frozen, and stay
  // so while their foundation has a check in progress.
  std::unique_ptr<Wire> wire =
      Alone(config, {"192.0.2.1:5000", "192.0.2.11:5000", "192.0.2.21:5000"},
            {RemoteHost("203.0.113.2:6000", 65535, "r"),
             RemoteHost("203.0.113.2:6001", 65000, "r"),
             RemoteHost("203.0.113.2:6002", 64000, "r")});
  wire->RunUntil(kStart + Duration::Milliseconds(2500));

  const std::vector<const Stamped*> checks = wire->a().Transactions();
  ASSERT_EQ(checks.size(), 3u) << Trace(*wire);
  for (size_t k = 0; k < checks.size(); ++k) {
    // RTO = 200 ms × (3 Waiting or In-Progress), not × 9.
    const Time first =
        kStart + Duration::Milliseconds(200) * static_cast<int64_t>(k);
    EXPECT_EQ(SendsOf(wire->a(), IdOf(checks[k]->datagram)),
              (std::vector<Time>{first, first + Duration::Milliseconds(600),
                                 first + Duration::Milliseconds(1800)}))
        << "check " << k;
    // The highest-priority pair of each local candidate.
    EXPECT_EQ(checks[k]->datagram.destination, Address("203.0.113.2:6000"));
  }
  size_t frozen = 0;
  for (const CandidatePair& pair : wire->a().agent().check_list().pairs()) {
    frozen += pair.state == PairState::kFrozen;
  }
  EXPECT_EQ(frozen, 6u);
}

// RFC 8445 §6.1.4.2 step 2: once no pair of its foundation is Waiting or
// In-Progress, a Frozen pair is unfrozen and checked.
TEST(AgentTest, FrozenPairIsCheckedOnceItsFoundationsCheckFailed) {
  std::unique_ptr<Wire> wire =
      Alone(Controlling(), {"192.0.2.1:5000"},
            {RemoteHost("203.0.113.2:6000", 65535, "r"),
             RemoteHost("203.0.113.2:6001", 65000, "r")});
  // The first pair's check: sends at 0, 0.5, 1.5, ... 31.5 s, failure at
  // 39.5 s (RTO 500 ms, Rc 7, Rm 16).
  const Time failed = kStart + Duration::Milliseconds(39500);
  wire->RunUntil(failed + Duration::Seconds(1));
  const std::vector<const Stamped*> checks = wire->a().Transactions();
  ASSERT_GE(checks.size(), 1u);
  EXPECT_EQ(checks[0]->datagram.destination, Address("203.0.113.2:6000"));
  ASSERT_EQ(checks.size(), 2u) << Trace(*wire);
  EXPECT_EQ(checks[1]->datagram.destination, Address("203.0.113.2:6001"));
  // At once: the pacer has been idle for long.
  EXPECT_EQ(checks[1]->at, failed);
}

// --- What a check carries (RFC 8445 §7.1, §7.2.2, §7.3) ---

TEST(AgentTest, ChecksCarryUsernamePriorityRoleIntegrityAndFingerprint) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  const Credentials& a = wire.a().agent().local_credentials();
  const Credentials& b = wire.b().agent().local_credentials();
  const uint32_t host = HostPriority(65535, 1);

  // A, controlling, from the answer on.
  const std::vector<const Stamped*> a_checks = wire.a().Requests();
  ASSERT_FALSE(a_checks.empty());
  const net::Datagram& first = a_checks[0]->datagram;
  EXPECT_EQ(a_checks[0]->at, kStart + kAnswerDelay);
  EXPECT_EQ(first.source, Address("192.0.2.1:5000"));
  EXPECT_EQ(first.destination, Address("192.0.2.2:6000"));
  EXPECT_EQ(UsernameOf(first), absl::StrCat(b.ufrag, ":", a.ufrag));
  ASSERT_TRUE(Attribute<stun::Priority>(first).has_value());
  EXPECT_EQ(Attribute<stun::Priority>(first)->value, CheckPriority(host));
  EXPECT_EQ(Attribute<stun::Priority>(first)->value,
            (110u << 24) | (65535u << 8) | 255u);
  ASSERT_TRUE(Attribute<stun::IceControlling>(first).has_value());
  EXPECT_EQ(Attribute<stun::IceControlling>(first)->value,
            wire.a().agent().tie_breaker());
  EXPECT_FALSE(Has(first, stun::attr::kIceControlled));
  EXPECT_FALSE(Has(first, stun::attr::kUseCandidate));
  const stun::MessageView message = *Stun(first);
  EXPECT_TRUE(stun::VerifyMessageIntegrity(message, Key(b.pwd)).ok());
  EXPECT_FALSE(stun::VerifyMessageIntegrity(message, Key(a.pwd)).ok());
  EXPECT_TRUE(stun::VerifyFingerprint(message).ok());

  // B, controlled, from the offer on.
  const std::vector<const Stamped*> b_checks = wire.b().Requests();
  ASSERT_FALSE(b_checks.empty());
  EXPECT_EQ(b_checks[0]->at, kStart);
  for (const Stamped* check : b_checks) {
    const net::Datagram& d = check->datagram;
    EXPECT_EQ(UsernameOf(d), absl::StrCat(a.ufrag, ":", b.ufrag));
    EXPECT_EQ(Attribute<stun::Priority>(d)->value, CheckPriority(host));
    ASSERT_TRUE(Attribute<stun::IceControlled>(d).has_value());
    EXPECT_EQ(Attribute<stun::IceControlled>(d)->value,
              wire.b().agent().tie_breaker());
    EXPECT_FALSE(Has(d, stun::attr::kIceControlling));
    // The controlled agent never nominates.
    EXPECT_FALSE(Has(d, stun::attr::kUseCandidate));
    EXPECT_TRUE(stun::VerifyMessageIntegrity(*Stun(d), Key(a.pwd)).ok());
    EXPECT_TRUE(stun::VerifyFingerprint(*Stun(d)).ok());
  }
}

TEST(AgentTest, SuccessResponsesAreSymmetricAuthenticatedAndMapTheSource) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  // B's answer to A's first check.
  const net::Datagram& request = wire.a().Requests()[0]->datagram;
  const net::Datagram* response = nullptr;
  Time answered;
  for (const Stamped& s : wire.b().sent) {
    if (IsBinding(s.datagram, stun::MessageClass::kSuccessResponse) &&
        IdOf(s.datagram) == IdOf(request)) {
      response = &s.datagram;
      answered = s.at;
      break;
    }
  }
  ASSERT_NE(response, nullptr) << Trace(wire);
  EXPECT_EQ(answered, kStart + kAnswerDelay + wire.delay);  // At once.
  EXPECT_EQ(response->source, request.destination);
  EXPECT_EQ(response->destination, request.source);
  ASSERT_TRUE(Attribute<stun::XorMappedAddress>(*response).has_value());
  EXPECT_EQ(Attribute<stun::XorMappedAddress>(*response)->address,
            request.source);
  // Integrity under the password the request used: B's own.
  EXPECT_TRUE(
      stun::VerifyMessageIntegrity(
          *Stun(*response), Key(wire.b().agent().local_credentials().pwd))
          .ok());
  EXPECT_TRUE(stun::VerifyFingerprint(*Stun(*response)).ok());
  EXPECT_FALSE(Has(*response, stun::attr::kUsername));
}

// --- Nomination (RFC 8445 §8.1.1, §7.3.1.5) ---

// A and B with two host addresses each; B's first address (192.0.2.2)
// unreachable, so the highest-priority pair never succeeds.
void StartWithTopPairBroken(Wire& wire) {
  const net::IpAddress broken = Address("192.0.2.2:1").ip();
  wire.drop = [broken](const Side&, const net::Datagram& d) {
    return d.source.ip() == broken || d.destination.ip() == broken;
  };
  wire.AddHost(wire.a(), 1, "192.0.2.1:5000");
  wire.AddHost(wire.a(), 1, "192.0.2.11:5000");
  wire.AddHost(wire.b(), 1, "192.0.2.2:6000");
  wire.AddHost(wire.b(), 1, "192.0.2.12:6000");
  wire.Start();
}

TEST(AgentTest, FirstValidNominatesTheFirstPairThatSucceeds) {
  AgentConfig config = Controlling();
  config.nomination.mode = NominationPolicy::Mode::kFirstValid;
  Wire wire(config, Controlled());
  EXPECT_EQ(wire.a().agent().state(), ConnectionState::kNew);
  EXPECT_EQ(wire.b().agent().state(), ConnectionState::kNew);
  StartWithTopPairBroken(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  wire.RunFor(Duration::Seconds(3));

  // A's checks go out at 25, 75, 125 ms...: the one at 25 ms (to the
  // broken address) is lost, the one at 75 ms (192.0.2.1 -> 192.0.2.12) is
  // answered at 95 ms, and the next slot carries the nomination.
  const std::optional<const Stamped*> success = FirstSuccessReceived(wire.a());
  ASSERT_TRUE(success.has_value());
  EXPECT_EQ((*success)->at, kStart + Duration::Milliseconds(95));
  std::vector<const Stamped*> nominations;
  for (const Stamped* check : wire.a().Transactions()) {
    if (Has(check->datagram, stun::attr::kUseCandidate)) {
      nominations.push_back(check);
    } else {
      EXPECT_LT(check->at, (*success)->at) << "an ordinary check after "
                                              "the nomination";
    }
  }
  ASSERT_EQ(nominations.size(), 1u) << Trace(wire);
  EXPECT_EQ(nominations[0]->at, kStart + Duration::Milliseconds(125));
  EXPECT_EQ(nominations[0]->datagram.source, Address("192.0.2.1:5000"));
  EXPECT_EQ(nominations[0]->datagram.destination, Address("192.0.2.12:6000"));
  // Every send of it (retransmissions too) is that one transaction.
  for (const Stamped* check : wire.a().Requests()) {
    if (Has(check->datagram, stun::attr::kUseCandidate)) {
      EXPECT_EQ(IdOf(check->datagram), IdOf(nominations[0]->datagram));
    }
  }

  // Both select that pair, once, the moment the nomination is answered.
  ASSERT_EQ(wire.a().SelectedPairs().size(), 1u);
  ASSERT_EQ(wire.b().SelectedPairs().size(), 1u);
  EXPECT_EQ(wire.b().SelectedPairs()[0]->at,
            kStart + Duration::Milliseconds(135));
  EXPECT_EQ(wire.a().SelectedPairs()[0]->at,
            kStart + Duration::Milliseconds(145));
  const CandidatePairInfo& selected = wire.a().SelectedPairs()[0]->event.pair;
  EXPECT_EQ(selected.local.address, Address("192.0.2.1:5000"));
  EXPECT_EQ(selected.remote.address, Address("192.0.2.12:6000"));
  ExpectSameSelectedPair(wire);
  EXPECT_EQ(wire.a().agent().selected_pair(1)->local, selected.local);

  // new -> checking -> connected (or completed), on both sides.
  for (Side* side : {&wire.a(), &wire.b()}) {
    const std::vector<ConnectionState> states = side->States();
    ASSERT_GE(states.size(), 2u) << side->name();
    EXPECT_EQ(states[0], ConnectionState::kChecking) << side->name();
    EXPECT_TRUE(states[1] == ConnectionState::kConnected ||
                states[1] == ConnectionState::kCompleted)
        << side->name() << " " << ConnectionStateName(states[1]);
    for (ConnectionState state : states) {
      EXPECT_NE(state, ConnectionState::kFailed) << side->name();
      EXPECT_NE(state, ConnectionState::kDisconnected) << side->name();
    }
    EXPECT_EQ(*side->FirstState(states[1]), side->SelectedPairs()[0]->at);
  }
}

TEST(AgentTest, CompletedOnceThePeersCandidatesAreAllKnown) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  wire.RunFor(Duration::Seconds(1));
  // Selected, but more candidates may still come: connected.
  for (Side* side : {&wire.a(), &wire.b()}) {
    EXPECT_EQ(side->States(),
              (std::vector<ConnectionState>{ConnectionState::kChecking,
                                            ConnectionState::kConnected}))
        << side->name();
  }
  // Each learns the other's end-of-candidates (its own gathering is over).
  const Time now = wire.now;
  for (Side* side : {&wire.a(), &wire.b()}) {
    side->agent().SetRemoteEndOfCandidates(wire.now);
  }
  wire.Flush();
  for (Side* side : {&wire.a(), &wire.b()}) {
    EXPECT_EQ(side->States().back(), ConnectionState::kCompleted)
        << side->name();
    EXPECT_EQ(*side->FirstState(ConnectionState::kCompleted), now)
        << side->name();
  }
}

TEST(AgentTest, BestWithinWaitsForHigherPairsUpToItsWait) {
  // The pair that succeeded first is not the best one that may still
  // succeed, so A waits the 1 s of `nomination.wait` after the first
  // success (95 ms) before nominating it.
  AgentConfig config = Controlling();
  config.nomination.mode = NominationPolicy::Mode::kBestWithin;
  Wire wire(config, Controlled());
  StartWithTopPairBroken(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  std::vector<const Stamped*> nominations;
  for (const Stamped* check : wire.a().Transactions()) {
    if (Has(check->datagram, stun::attr::kUseCandidate)) {
      nominations.push_back(check);
    }
  }
  ASSERT_EQ(nominations.size(), 1u) << Trace(wire);
  EXPECT_GE(nominations[0]->at, kStart + Duration::Milliseconds(1095));
  EXPECT_LT(nominations[0]->at, kStart + Duration::Milliseconds(1145));
  ExpectSameSelectedPair(wire);
}

// --- Role conflicts (RFC 8445 §7.3.1.1, §7.2.5.1) ---

// Every 487 `side` sent answers a request that §7.3.1.1 says to refuse:
// ICE-CONTROLLING with a tie-breaker at most ours while controlling, or
// ICE-CONTROLLED with one above ours while controlled.
void ExpectEvery487FollowsRfc(const Side& side, uint64_t tie_breaker) {
  for (const Stamped& s : side.sent) {
    if (ErrorCodeOf(s.datagram) != 487) continue;
    const net::Datagram* request = nullptr;
    for (const Stamped& r : side.received) {
      if (IsRequest(r.datagram) && IdOf(r.datagram) == IdOf(s.datagram)) {
        request = &r.datagram;
      }
    }
    ASSERT_NE(request, nullptr);
    if (const auto controlling = Attribute<stun::IceControlling>(*request)) {
      EXPECT_GE(tie_breaker, controlling->value) << side.name();
    } else {
      const auto controlled = Attribute<stun::IceControlled>(*request);
      ASSERT_TRUE(controlled.has_value());
      EXPECT_LT(tie_breaker, controlled->value) << side.name();
    }
  }
}

size_t Count487(const Side& side) {
  size_t count = 0;
  for (const Stamped& s : side.sent) count += ErrorCodeOf(s.datagram) == 487;
  return count;
}

// After a conflict the agent with the larger tie-breaker controls, the other
// is controlled, and they connect on one pair.
void ExpectConflictResolved(Wire& wire, uint64_t a_tie, uint64_t b_tie) {
  Side& high = a_tie > b_tie ? wire.a() : wire.b();
  Side& low = a_tie > b_tie ? wire.b() : wire.a();
  EXPECT_EQ(high.agent().role(), Role::kControlling) << high.name();
  EXPECT_EQ(low.agent().role(), Role::kControlled) << low.name();
  ExpectEvery487FollowsRfc(wire.a(), a_tie);
  ExpectEvery487FollowsRfc(wire.b(), b_tie);
  ExpectSameSelectedPair(wire);
  // Only the controlling agent nominated.
  for (const Stamped* check : low.Requests()) {
    EXPECT_FALSE(Has(check->datagram, stun::attr::kUseCandidate))
        << low.name() << " nominated";
  }
}

TEST(AgentTest, BothControllingTheLowerTieBreakerGets487AndYields) {
  // B checks first (it has the offer), with the lower tie-breaker.
  Wire wire(Controlling(), Controlling(), 1, SeedForB(/*b_lower=*/true));
  const uint64_t a_tie = wire.a().agent().tie_breaker();
  const uint64_t b_tie = wire.b().agent().tie_breaker();
  ASSERT_LT(b_tie, a_tie);
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);

  // A refuses B's first check (sent at 0) with 487 as it arrives, and keeps
  // its role.
  ASSERT_GE(Count487(wire.a()), 1u) << Trace(wire);
  EXPECT_EQ(Count487(wire.b()), 0u);
  const Stamped* refusal = nullptr;
  for (const Stamped& s : wire.a().sent) {
    if (ErrorCodeOf(s.datagram) == 487) {
      refusal = &s;
      break;
    }
  }
  EXPECT_EQ(refusal->at, kStart + wire.delay);
  EXPECT_EQ(IdOf(refusal->datagram), IdOf(wire.b().Requests()[0]->datagram));
  EXPECT_TRUE(wire.a().EventsOf(Kind::kRoleChanged).empty());
  // B switches to controlled when the 487 arrives, and checks the pair
  // again at its next slot, as controlled.
  const std::vector<const Seen*> changed =
      wire.b().EventsOf(Kind::kRoleChanged);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0]->at, kStart + wire.delay * 2);
  EXPECT_EQ(changed[0]->event.role, Role::kControlled);
  const std::vector<const Stamped*> b_checks = wire.b().Transactions();
  ASSERT_GE(b_checks.size(), 2u);
  EXPECT_TRUE(Has(b_checks[0]->datagram, stun::attr::kIceControlling));
  EXPECT_EQ(b_checks[1]->at, kStart + Duration::Milliseconds(50));
  EXPECT_EQ(b_checks[1]->datagram.destination,
            b_checks[0]->datagram.destination);
  EXPECT_TRUE(Has(b_checks[1]->datagram, stun::attr::kIceControlled));
  ExpectConflictResolved(wire, a_tie, b_tie);
}

// Fails: B keeps its tie-breaker (and sends it in ICE-CONTROLLED) after the
// 487 vs RFC 8445 §7.2.5.1: "The agent MUST change the tiebreaker value."
TEST(AgentTest, TieBreakerChangesAfterA487) {
  Wire wire(Controlling(), Controlling(), 1, SeedForB(/*b_lower=*/true));
  const uint64_t before = wire.b().agent().tie_breaker();
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  ASSERT_GE(Count487(wire.a()), 1u);
  EXPECT_NE(wire.b().agent().tie_breaker(), before);
  const std::vector<const Stamped*> b_checks = wire.b().Transactions();
  ASSERT_GE(b_checks.size(), 2u);
  EXPECT_NE(Attribute<stun::IceControlled>(b_checks[1]->datagram)->value,
            before);
}

TEST(AgentTest, BothControllingTheLowerTieBreakerYieldsWhenChecked) {
  // B checks first, with the higher tie-breaker: A switches on receipt and
  // answers with success; nobody sends a 487.
  Wire wire(Controlling(), Controlling(), 1, SeedForB(/*b_lower=*/false));
  const uint64_t a_tie = wire.a().agent().tie_breaker();
  const uint64_t b_tie = wire.b().agent().tie_breaker();
  ASSERT_GT(b_tie, a_tie);
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);

  EXPECT_EQ(Count487(wire.a()) + Count487(wire.b()), 0u) << Trace(wire);
  const std::vector<const Seen*> changed =
      wire.a().EventsOf(Kind::kRoleChanged);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0]->at, kStart + wire.delay);
  EXPECT_EQ(changed[0]->event.role, Role::kControlled);
  EXPECT_TRUE(wire.b().EventsOf(Kind::kRoleChanged).empty());
  // A's checks (from the answer on) say controlled.
  for (const Stamped* check : wire.a().Requests()) {
    EXPECT_TRUE(Has(check->datagram, stun::attr::kIceControlled));
  }
  ExpectConflictResolved(wire, a_tie, b_tie);
}

TEST(AgentTest, BothControlledTheHigherTieBreakerTakesControlWhenChecked) {
  // B checks first, with the lower tie-breaker: A, whose tie-breaker is
  // larger, switches to controlling on receipt; no 487.
  Wire wire(Controlled(), Controlled(), 1, SeedForB(/*b_lower=*/true));
  const uint64_t a_tie = wire.a().agent().tie_breaker();
  const uint64_t b_tie = wire.b().agent().tie_breaker();
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);

  EXPECT_EQ(Count487(wire.a()) + Count487(wire.b()), 0u) << Trace(wire);
  const std::vector<const Seen*> changed =
      wire.a().EventsOf(Kind::kRoleChanged);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0]->at, kStart + wire.delay);
  EXPECT_EQ(changed[0]->event.role, Role::kControlling);
  EXPECT_TRUE(wire.b().EventsOf(Kind::kRoleChanged).empty());
  ExpectConflictResolved(wire, a_tie, b_tie);
}

TEST(AgentTest, BothControlledTheHigherTieBreakerGets487AndTakesControl) {
  // B checks first, with the higher tie-breaker: A refuses with 487 and B
  // switches to controlling when it arrives.
  Wire wire(Controlled(), Controlled(), 1, SeedForB(/*b_lower=*/false));
  const uint64_t a_tie = wire.a().agent().tie_breaker();
  const uint64_t b_tie = wire.b().agent().tie_breaker();
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);

  ASSERT_GE(Count487(wire.a()), 1u) << Trace(wire);
  EXPECT_EQ(Count487(wire.b()), 0u);
  EXPECT_TRUE(wire.a().EventsOf(Kind::kRoleChanged).empty());
  const std::vector<const Seen*> changed =
      wire.b().EventsOf(Kind::kRoleChanged);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0]->at, kStart + wire.delay * 2);
  EXPECT_EQ(changed[0]->event.role, Role::kControlling);
  ExpectConflictResolved(wire, a_tie, b_tie);
}

// --- Requests that fail authentication (RFC 8489 §9.1.3, RFC 8445 §7.3) ---

class BadRequestTest : public ::testing::Test {
 protected:
  BadRequestTest()
      : wire_(Alone(Controlling(), {"192.0.2.1:5000"},
                    {RemoteHost("203.0.113.2:6000", 65535, "r")})) {
    wire_->RunUntil(kStart + Duration::Milliseconds(10));
    sent_before_ = wire_->a().sent.size();
    events_before_ = wire_->a().events.size();
    pairs_before_ = agent().check_list().size();
    remotes_before_ = agent().remote_candidates().size();
    state_before_ = agent().state();
  }

  Agent& agent() { return wire_->a().agent(); }
  const Credentials& own() { return agent().local_credentials(); }

  // Delivers `bytes` from the stranger to A's host address; returns what A
  // sent back.
  std::vector<net::Datagram> Deliver(const std::vector<uint8_t>& bytes) {
    EXPECT_TRUE(
        wire_->Inject(wire_->a(), kStranger, Address("192.0.2.1:5000"), bytes));
    std::vector<net::Datagram> out;
    for (size_t i = sent_before_; i < wire_->a().sent.size(); ++i) {
      out.push_back(wire_->a().sent[i].datagram);
    }
    return out;
  }

  // The answer is an error `code` to our transaction, back to the stranger.
  void ExpectError(const std::vector<net::Datagram>& out, int code) {
    ASSERT_EQ(out.size(), 1u);
    const net::Datagram& answer = out[0];
    EXPECT_EQ(answer.source, Address("192.0.2.1:5000"));
    EXPECT_EQ(answer.destination, kStranger);
    EXPECT_TRUE(IsBinding(answer, stun::MessageClass::kErrorResponse));
    EXPECT_EQ(ErrorCodeOf(answer), code);
    EXPECT_EQ(IdOf(answer), kId);
    EXPECT_TRUE(stun::VerifyFingerprint(*Stun(answer)).ok());
    EXPECT_FALSE(Has(answer, stun::attr::kUsername));
  }

  // Nothing changed: no candidate learned, no pair, no event, no state.
  void ExpectNoChange() {
    EXPECT_EQ(agent().remote_candidates().size(), remotes_before_);
    EXPECT_EQ(agent().check_list().size(), pairs_before_);
    EXPECT_EQ(wire_->a().events.size(), events_before_);
    EXPECT_EQ(agent().state(), state_before_);
    EXPECT_EQ(agent().stats().checks_received, 0u);
    EXPECT_EQ(agent().role(), Role::kControlling);
  }

  const TransportAddress kStranger = Address("192.0.2.99:7000");
  const stun::TransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::unique_ptr<Wire> wire_;
  size_t sent_before_ = 0;
  size_t events_before_ = 0;
  size_t pairs_before_ = 0;
  size_t remotes_before_ = 0;
  ConnectionState state_before_ = ConnectionState::kNew;
};

TEST_F(BadRequestTest, WrongIntegrityGets401WithoutIntegrityAndChangesNothing) {
  const stun::IntegrityKey wrong = Key("notthepasswordnotthepassword");
  const std::vector<net::Datagram> out = Deliver(CheckRequest(
      kId, absl::StrCat(own().ufrag, ":peer"), &wrong, 1862270975u));
  ExpectError(out, 401);
  EXPECT_FALSE(Has(out[0], stun::attr::kMessageIntegrity));
  ExpectNoChange();
}

TEST_F(BadRequestTest, UnknownUsernameGets401) {
  const stun::IntegrityKey key = Key(own().pwd);
  const std::vector<net::Datagram> out =
      Deliver(CheckRequest(kId, "someoneelse:peer", &key, 1862270975u));
  ExpectError(out, 401);
  EXPECT_FALSE(Has(out[0], stun::attr::kMessageIntegrity));
  ExpectNoChange();
}

TEST_F(BadRequestTest, MissingPriorityGets400) {
  const stun::IntegrityKey key = Key(own().pwd);
  const std::vector<net::Datagram> out = Deliver(CheckRequest(
      kId, absl::StrCat(own().ufrag, ":peer"), &key, std::nullopt));
  ExpectError(out, 400);
  ExpectNoChange();
}

TEST_F(BadRequestTest, MissingUsernameOrIntegrityGets400) {
  const stun::IntegrityKey key = Key(own().pwd);
  ExpectError(Deliver(CheckRequest(kId, std::nullopt, &key, 1862270975u)), 400);
  sent_before_ = wire_->a().sent.size();
  ExpectError(Deliver(CheckRequest(kId, absl::StrCat(own().ufrag, ":peer"),
                                   nullptr, 1862270975u)),
              400);
  ExpectNoChange();
}

TEST_F(BadRequestTest, GoodRequestFromAStrangerIsAnsweredAndLearned) {
  // The control case: the same request, rightly authenticated.
  const stun::IntegrityKey key = Key(own().pwd);
  const std::vector<net::Datagram> out = Deliver(
      CheckRequest(kId, absl::StrCat(own().ufrag, ":peer"), &key, 1862270975u));
  ASSERT_GE(out.size(), 1u);
  EXPECT_TRUE(IsBinding(out[0], stun::MessageClass::kSuccessResponse));
  EXPECT_EQ(agent().stats().checks_received, 1u);
  EXPECT_EQ(agent().remote_candidates().size(), remotes_before_ + 1);
}

// --- Peer-reflexive remote candidates (RFC 8445 §7.3.1.3, §7.3.1.4) ---

TEST(AgentTest, CheckFromAnUnsignalledAddressMakesAPeerReflexiveCandidate) {
  Wire wire(Controlling(), Controlled());
  // A never hears of B's candidates; B hears of A's.
  wire.trickle_from_b = false;
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);

  // B's first check (sent at 0 from 192.0.2.2:6000) arrives at 10 ms.
  const net::Datagram& check = wire.b().Requests()[0]->datagram;
  const std::vector<Candidate> remotes = wire.a().agent().remote_candidates();
  ASSERT_EQ(remotes.size(), 1u);
  const Candidate& learned = remotes[0];
  EXPECT_EQ(learned.type, CandidateType::kPeerReflexive);
  EXPECT_EQ(learned.address, check.source);
  EXPECT_EQ(learned.component, 1u);
  EXPECT_EQ(learned.priority, Attribute<stun::Priority>(check)->value);
  EXPECT_EQ(learned.priority, CheckPriority(HostPriority(65535, 1)));
  EXPECT_FALSE(learned.foundation.empty());
  EXPECT_NE(learned.foundation,
            wire.b().agent().local_candidates()[0].foundation);

  // A checks it back as soon as it has B's credentials (25 ms): the
  // triggered check, from the address the request came to.
  const std::vector<const Stamped*> a_checks = wire.a().Requests();
  ASSERT_FALSE(a_checks.empty());
  EXPECT_EQ(a_checks[0]->at, kStart + kAnswerDelay);
  EXPECT_EQ(a_checks[0]->datagram.source, check.destination);
  EXPECT_EQ(a_checks[0]->datagram.destination, check.source);
  ExpectSameSelectedPair(wire);
  EXPECT_EQ(wire.a().SelectedPairs()[0]->event.pair.remote.type,
            CandidateType::kPeerReflexive);
}

TEST(AgentTest, PeerReflexiveCheckGoesOutAtOnceWhenThePacerIsIdle) {
  Wire wire(Controlling(), Controlled());
  wire.trickle_from_b = false;
  // B has A's credentials and candidates, A has B's credentials from the
  // start but none of B's candidates: A's pacer has nothing to do.
  StartOneHostEach(wire, Duration::Zero());
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  const std::vector<const Stamped*> a_checks = wire.a().Requests();
  ASSERT_FALSE(a_checks.empty());
  EXPECT_EQ(a_checks[0]->at, kStart + wire.delay);
  EXPECT_EQ(a_checks[0]->datagram.destination, Address("192.0.2.2:6000"));
}

TEST(AgentTest, SignalledCandidateReplacesThePeerReflexiveOne) {
  Wire wire(Controlling(), Controlled());
  wire.trickle_from_b = false;
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  // B's candidates reach A late (RFC 8838 §11.4).
  wire.SignalCandidates(wire.b());
  const std::vector<Candidate> remotes = wire.a().agent().remote_candidates();
  ASSERT_EQ(remotes.size(), 1u);
  const Candidate& signalled = wire.b().agent().local_candidates()[0];
  EXPECT_EQ(remotes[0].type, CandidateType::kHost);
  EXPECT_EQ(remotes[0].priority, signalled.priority);
  EXPECT_EQ(remotes[0].foundation, signalled.foundation);
}

// --- Data (RFC 8445 §12) ---

std::vector<uint8_t> Rtp(uint8_t sequence) {
  // Version 2, payload type 96: not STUN (RFC 7983's first byte 128-191).
  return {0x80, 0x60, 0x00, sequence, 0xde, 0xad, 0xbe, 0xef};
}

TEST(AgentTest, SendBeforeASelectedPairIsFailedPrecondition) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  EXPECT_EQ(wire.a().agent().Send(wire.now, 1, Rtp(1)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wire.a().agent().Send(wire.now, 2, Rtp(1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wire.a().agent().stats().data_sent, 0u);
}

TEST(AgentTest, DataFlowsBothWaysOnTheSelectedPair) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  ASSERT_EQ(stun::Classify(Rtp(1)), stun::PacketKind::kRtpRtcp);

  const Time sent_at = wire.now;
  ASSERT_TRUE(wire.a().agent().Send(wire.now, 1, Rtp(1)).ok());
  wire.Flush();
  const net::Datagram& on_wire = wire.a().sent.back().datagram;
  const CandidatePairInfo selected = *wire.a().agent().selected_pair(1);
  EXPECT_EQ(on_wire.source, selected.local.base);
  EXPECT_EQ(on_wire.destination, selected.remote.address);
  EXPECT_EQ(on_wire.payload, Rtp(1));
  wire.RunFor(wire.delay);
  const std::vector<const Seen*> data = wire.b().EventsOf(Kind::kData);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0]->at, sent_at + wire.delay);
  EXPECT_EQ(data[0]->event.component, 1u);
  EXPECT_EQ(data[0]->event.data, Rtp(1));
  EXPECT_EQ(data[0]->event.data[0], 0x80);

  ASSERT_TRUE(wire.b().agent().Send(wire.now, 1, Rtp(2)).ok());
  wire.Flush();
  wire.RunFor(wire.delay);
  EXPECT_EQ(wire.a().Data(), (std::vector<std::vector<uint8_t>>{Rtp(2)}));
  EXPECT_EQ(wire.a().agent().stats().data_sent, 1u);
  EXPECT_EQ(wire.b().agent().stats().data_received, 1u);
  EXPECT_EQ(wire.b().agent().stats().data_sent, 1u);
  EXPECT_EQ(wire.a().agent().stats().data_received, 1u);
}

TEST(AgentTest, DataFromAnUnknownAddressIsDropped) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  wire.Inject(wire.b(), Address("192.0.2.99:7000"), Address("192.0.2.2:6000"),
              Rtp(1));
  EXPECT_TRUE(wire.b().Data().empty());
  EXPECT_EQ(wire.b().agent().stats().data_dropped, 1u);
}

// --- Consent freshness (RFC 7675 §5.1) ---

// The consent checks `side` sent after selecting its pair: every Binding
// request transaction from then on (the checks are over by then).
std::vector<const Stamped*> ConsentChecks(const Side& side) {
  std::vector<const Stamped*> out;
  const Time selected = side.SelectedPairs()[0]->at;
  for (const Stamped* check : side.Transactions()) {
    if (check->at > selected) out.push_back(check);
  }
  return out;
}

TEST(AgentTest, ConsentChecksGoOutEveryFourToSixSeconds) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  wire.RunUntil(kStart + Duration::Seconds(61));

  for (Side* side : {&wire.a(), &wire.b()}) {
    const std::vector<const Stamped*> consent = ConsentChecks(*side);
    ASSERT_GE(consent.size(), 10u) << side->name();
    const CandidatePairInfo selected = *side->agent().selected_pair(1);
    Time previous = side->SelectedPairs()[0]->at;
    std::set<int64_t> intervals;
    for (const Stamped* check : consent) {
      const Duration interval = check->at - previous;
      EXPECT_GE(interval, Duration::Seconds(4)) << side->name();
      EXPECT_LE(interval, Duration::Seconds(6)) << side->name();
      intervals.insert(interval.ToNanoseconds());
      previous = check->at;
      // On the selected pair, authenticated as a check.
      EXPECT_EQ(check->datagram.source, selected.local.base);
      EXPECT_EQ(check->datagram.destination, selected.remote.address);
      EXPECT_FALSE(Has(check->datagram, stun::attr::kUseCandidate));
      EXPECT_TRUE(Has(check->datagram, stun::attr::kMessageIntegrity));
      EXPECT_TRUE(Has(check->datagram, stun::attr::kFingerprint));
    }
    // Randomised, so that peers do not fall into step.
    EXPECT_GT(intervals.size(), consent.size() / 2) << side->name();
    // Every one answered: sent once each, and consent never in doubt.
    EXPECT_EQ(side->agent().stats().consent_checks_sent, consent.size());
    for (ConnectionState state : side->States()) {
      EXPECT_NE(state, ConnectionState::kDisconnected) << side->name();
      EXPECT_NE(state, ConnectionState::kFailed) << side->name();
    }
  }
}

TEST(AgentTest,
     LostConsentDisconnectsThenFailsThirtySecondsAfterTheLastAnswer) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  wire.RunUntil(kStart + Duration::Seconds(20));
  const Time cut = wire.now;
  wire.drop = [](const Side&, const net::Datagram&) { return true; };

  // Disconnected first: data may still be sent.
  ASSERT_TRUE(wire.RunUntil(
      [&wire] {
        return wire.a().agent().state() == ConnectionState::kDisconnected;
      },
      cut + Duration::Seconds(30)))
      << Trace(wire);
  EXPECT_TRUE(wire.a().agent().Send(wire.now, 1, Rtp(1)).ok());
  ASSERT_TRUE(wire.RunUntil(
      [&wire] {
        return wire.a().agent().state() == ConnectionState::kFailed &&
               wire.b().agent().state() == ConnectionState::kFailed;
      },
      cut + Duration::Seconds(40)))
      << Trace(wire);

  for (Side* side : {&wire.a(), &wire.b()}) {
    // The last answer to a consent check arrived before the cut.
    std::optional<Time> last_answer;
    std::set<stun::TransactionId> answered;
    for (const Stamped& s : side->received) {
      if (IsBinding(s.datagram, stun::MessageClass::kSuccessResponse)) {
        last_answer = s.at;
        answered.insert(IdOf(s.datagram));
      }
    }
    ASSERT_TRUE(last_answer.has_value());
    EXPECT_LE(*last_answer, cut);
    std::optional<Time> first_unanswered;
    for (const Stamped* check : ConsentChecks(*side)) {
      if (answered.count(IdOf(check->datagram)) == 0) {
        first_unanswered = check->at;
        break;
      }
    }
    ASSERT_TRUE(first_unanswered.has_value());
    EXPECT_GE(*first_unanswered, cut);
    // A consent check is sent at 0, 0.5, 1.5 and 3.5 s and given up at
    // 4.5 s (RTO 500 ms, Rc 4, Rm 2): disconnected then.
    const std::optional<Time> disconnected =
        side->FirstState(ConnectionState::kDisconnected);
    ASSERT_TRUE(disconnected.has_value()) << side->name();
    EXPECT_EQ(*disconnected, *first_unanswered + Duration::Milliseconds(4500))
        << side->name();
    // Consent expires 30 s after the last answer.
    const std::optional<Time> failed =
        side->FirstState(ConnectionState::kFailed);
    ASSERT_TRUE(failed.has_value()) << side->name();
    EXPECT_EQ(*failed, *last_answer + Duration::Seconds(30)) << side->name();
    EXPECT_LT(*disconnected, *failed);
    EXPECT_EQ(side->States().back(), ConnectionState::kFailed);
    // No more data to a peer that withdrew consent.
    EXPECT_EQ(side->agent().Send(wire.now, 1, Rtp(2)).code(),
              absl::StatusCode::kFailedPrecondition)
        << side->name();
  }
}

// --- ICE restart (RFC 8445 §9) ---

TEST(AgentTest, RestartKeepsDataFlowingUntilTheNewPairIsSelected) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  wire.RunFor(Duration::Seconds(1));
  const Credentials old_a = wire.a().agent().local_credentials();
  const Credentials old_b = wire.b().agent().local_credentials();

  const Time restart = wire.now;
  ASSERT_TRUE(wire.a().agent().Restart(wire.now).ok());
  ASSERT_TRUE(wire.b().agent().Restart(wire.now).ok());
  wire.Flush();
  // New ufrag and password, both (§9).
  for (auto [side, old] :
       {std::make_pair(&wire.a(), &old_a), std::make_pair(&wire.b(), &old_b)}) {
    const Credentials& now = side->agent().local_credentials();
    ExpectValidCredentials(now);
    EXPECT_NE(now.ufrag, old->ufrag) << side->name();
    EXPECT_NE(now.pwd, old->pwd) << side->name();
  }
  // The old pair still carries data.
  ASSERT_TRUE(wire.a().agent().Send(wire.now, 1, Rtp(1)).ok());
  wire.Flush();
  // A new offer and answer.
  ASSERT_TRUE(
      wire.b()
          .agent()
          .SetRemoteCredentials(wire.now, wire.a().agent().local_credentials())
          .ok());
  wire.SignalCandidates(wire.a());
  wire.RunFor(kAnswerDelay);
  ASSERT_TRUE(wire.a().agent().Send(wire.now, 1, Rtp(2)).ok());
  ASSERT_TRUE(wire.b().agent().Send(wire.now, 1, Rtp(3)).ok());
  wire.Flush();
  ASSERT_TRUE(
      wire.a()
          .agent()
          .SetRemoteCredentials(wire.now, wire.b().agent().local_credentials())
          .ok());
  wire.SignalCandidates(wire.b());
  ASSERT_TRUE(wire.RunUntil(
      [&wire] {
        return wire.a().SelectedPairs().size() == 2 &&
               wire.b().SelectedPairs().size() == 2;
      },
      wire.now + Duration::Seconds(5)))
      << Trace(wire);
  for (Side* side : {&wire.a(), &wire.b()}) {
    EXPECT_GT(side->SelectedPairs()[1]->at, restart) << side->name();
  }
  ExpectSameSelectedPair(wire);
  // The new session's checks use the new credentials.
  const std::string username =
      absl::StrCat(wire.b().agent().local_credentials().ufrag, ":",
                   wire.a().agent().local_credentials().ufrag);
  bool new_checks = false;
  for (const Stamped* check : wire.a().Requests()) {
    if (check->at > restart) {
      new_checks = true;
      EXPECT_EQ(UsernameOf(check->datagram), username);
    }
  }
  EXPECT_TRUE(new_checks);

  ASSERT_TRUE(wire.a().agent().Send(wire.now, 1, Rtp(4)).ok());
  wire.Flush();
  wire.RunFor(Duration::Seconds(1));
  EXPECT_EQ(wire.b().Data(),
            (std::vector<std::vector<uint8_t>>{Rtp(1), Rtp(2), Rtp(4)}));
  EXPECT_EQ(wire.a().Data(), (std::vector<std::vector<uint8_t>>{Rtp(3)}));
  for (Side* side : {&wire.a(), &wire.b()}) {
    for (ConnectionState state : side->States()) {
      EXPECT_NE(state, ConnectionState::kFailed) << side->name();
    }
  }
}

// --- Two components (RFC 8445 §6.1.2.6, §8.1.2) ---

TEST(AgentTest, EachComponentGetsItsOwnSelectedPair) {
  AgentConfig a = Controlling();
  AgentConfig b = Controlled();
  a.components = 2;
  b.components = 2;
  Wire wire(a, b);
  wire.AddHost(wire.a(), 1, "192.0.2.1:5000");
  wire.AddHost(wire.a(), 2, "192.0.2.1:5001");
  wire.AddHost(wire.b(), 1, "192.0.2.2:6000");
  wire.AddHost(wire.b(), 2, "192.0.2.2:6001");
  wire.Start();
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);

  for (uint32_t component : {1u, 2u}) {
    ExpectSameSelectedPair(wire, component);
    EXPECT_EQ(wire.a().SelectedPairs(component).size(), 1u);
    EXPECT_EQ(wire.b().SelectedPairs(component).size(), 1u);
  }
  EXPECT_EQ(wire.a().agent().selected_pair(1)->local.address,
            Address("192.0.2.1:5000"));
  EXPECT_EQ(wire.a().agent().selected_pair(1)->remote.address,
            Address("192.0.2.2:6000"));
  EXPECT_EQ(wire.a().agent().selected_pair(2)->local.address,
            Address("192.0.2.1:5001"));
  EXPECT_EQ(wire.a().agent().selected_pair(2)->remote.address,
            Address("192.0.2.2:6001"));
  // Connected once both components are.
  for (Side* side : {&wire.a(), &wire.b()}) {
    const Time both =
        std::max(side->SelectedPairs(1)[0]->at, side->SelectedPairs(2)[0]->at);
    const std::vector<ConnectionState> states = side->States();
    ASSERT_GE(states.size(), 2u);
    EXPECT_EQ(states[0], ConnectionState::kChecking);
    EXPECT_EQ(*side->FirstState(states[1]), both) << side->name();
  }

  ASSERT_TRUE(wire.a().agent().Send(wire.now, 2, Rtp(2)).ok());
  ASSERT_TRUE(wire.a().agent().Send(wire.now, 1, Rtp(1)).ok());
  wire.Flush();
  wire.RunFor(wire.delay);
  EXPECT_EQ(wire.b().Data(1), (std::vector<std::vector<uint8_t>>{Rtp(1)}));
  EXPECT_EQ(wire.b().Data(2), (std::vector<std::vector<uint8_t>>{Rtp(2)}));
}

// --- After nomination (RFC 8445 §8.1.2) ---

// Fails: when the two agents check in step (both start at the same instant
// and each check arrives while the peer's check of the pair is in
// progress), A and B go on checking the selected pair every Ta (50 ms) for
// as long as they run, each check triggering the peer's next one (A's with
// USE-CANDIDATE every time), vs RFC 8445 §8.1.2: once a pair is nominated
// the agent MUST remove the component's pairs from the checklist and the
// triggered-check queue, and a Succeeded pair triggers no more checks
// (§7.3.1.4).
TEST(AgentTest, ChecksStopOnceThePairIsSelectedEvenInStep) {
  Wire wire(Controlling(), Controlled());
  StartOneHostEach(wire, Duration::Zero());
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  const Time selected = std::max(wire.a().SelectedPairs()[0]->at,
                                 wire.b().SelectedPairs()[0]->at);
  // Consent checks start 4 s after selection at the earliest.
  wire.RunUntil(selected + Duration::Milliseconds(3900));
  for (Side* side : {&wire.a(), &wire.b()}) {
    size_t late = 0;
    for (const Stamped* check : side->Requests()) {
      late += check->at > selected + Duration::Seconds(1);
    }
    EXPECT_EQ(late, 0u) << side->name();
  }
}

// Fails: after selecting 192.0.2.1 -> 192.0.2.12 at 145 ms, A goes on
// retransmitting its check of the higher-priority pair 192.0.2.1 ->
// 192.0.2.2 (at 525 ms, 1.525 s, 3.525 s, ... until it fails at 39.5 s),
// vs RFC 8445 §8.1.2: once a pair is nominated the agent MUST remove every
// pair of the component from the checklist and cancel the In-Progress
// transactions (no more retransmissions).
TEST(AgentTest, SelectionCancelsTheComponentsOtherChecks) {
  AgentConfig config = Controlling();
  config.nomination.mode = NominationPolicy::Mode::kFirstValid;
  Wire wire(config, Controlled());
  StartWithTopPairBroken(wire);
  ASSERT_TRUE(ConnectWithin(wire, Duration::Seconds(5))) << Trace(wire);
  wire.RunFor(Duration::Seconds(3));
  const Time selected = wire.a().SelectedPairs()[0]->at;
  const CandidatePairInfo pair = wire.a().SelectedPairs()[0]->event.pair;
  for (const Stamped* check : wire.a().Requests()) {
    if (check->at <= selected) continue;
    EXPECT_EQ(check->datagram.source, pair.local.base) << (check->at - kStart);
    EXPECT_EQ(check->datagram.destination, pair.remote.address)
        << (check->at - kStart);
  }
}

}  // namespace
}  // namespace pinhole::ice
