#include "scenarios/scenario_loader.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "net/ip_address.h"
#include "scenarios/plan.h"
#include "sim/drop_reason.h"
#include "sim/firewall/firewall.h"
#include "sim/firewall/firewall_presets.h"
#include "sim/nat/nat_presets.h"
#include "sim/nat/nat_settings.h"
#include "sim/nat/textproto.h"

namespace pinhole::scenarios {
namespace {

using google::protobuf::Message;
using google::protobuf::TextFormat;

// A message of the file and where it is: its path ("expect[2].state") and,
// when the file was parsed, its parse tree and line.
struct Site {
  const Message* message = nullptr;
  const TextFormat::ParseInfoTree* tree = nullptr;
  std::string path;
  int line = -1;
  int column = -1;
};

class Checker {
 public:
  Checker(std::string source, const Scenario& scenario,
          const TextFormat::ParseInfoTree* tree)
      : source_(std::move(source)), scenario_(scenario) {
    root_.message = &scenario;
    root_.tree = tree;
    root_.line = 0;
    root_.column = 0;
  }

  absl::Status Run();

 private:
  const google::protobuf::FieldDescriptor* Field(const Site& site,
                                                 absl::string_view name) const {
    return site.message->GetDescriptor()->FindFieldByName(std::string(name));
  }

  Site Child(const Site& site, absl::string_view field, int index,
             const Message& child) const {
    Site out;
    out.message = &child;
    out.path = site.path.empty() ? std::string(field)
                                 : absl::StrCat(site.path, ".", field);
    if (index >= 0) absl::StrAppend(&out.path, "[", index, "]");
    out.line = site.line;
    out.column = site.column;
    const google::protobuf::FieldDescriptor* descriptor = Field(site, field);
    if (site.tree != nullptr && descriptor != nullptr) {
      out.tree = site.tree->GetTreeForNested(descriptor, index);
      const TextFormat::ParseLocation location =
          site.tree->GetLocation(descriptor, index);
      if (location.line >= 0) {
        out.line = location.line;
        out.column = location.column;
      }
    }
    return out;
  }

  // Records a problem with `field` of `site` (its line when it is set, the
  // message's otherwise).
  void Error(const Site& site, absl::string_view field, absl::string_view text,
             int index = -1) {
    int line = site.line;
    int column = site.column;
    const google::protobuf::FieldDescriptor* descriptor =
        field.empty() ? nullptr : Field(site, field);
    if (site.tree != nullptr && descriptor != nullptr) {
      const TextFormat::ParseLocation location = site.tree->GetLocation(
          descriptor, descriptor->is_repeated() ? std::max(index, 0) : -1);
      if (location.line >= 0) {
        line = location.line;
        column = location.column;
      }
    }
    std::string path = site.path;
    if (!field.empty()) {
      path = path.empty() ? std::string(field) : absl::StrCat(path, ".", field);
      if (index >= 0) absl::StrAppend(&path, "[", index, "]");
    }
    std::string where = source_;
    if (root_.tree != nullptr && line >= 0) {
      absl::StrAppend(&where, ":", line + 1, ":", column + 1);
    }
    errors_.push_back(absl::StrCat(where, ": ", path.empty() ? "" : path,
                                   path.empty() ? "" : ": ", text));
  }

  void Name(const Site& site, const std::string& name, absl::string_view kind);
  void Duration(const Site& site, absl::string_view field,
                const std::string& text, bool required = false);
  void Percent(const Site& site, absl::string_view field, double value);
  void Link(const Site& site, const LinkSpec& spec);
  void Networks();
  void Hosts();
  void Servers();
  void Agents();
  void Calls();
  void Timeline();
  void Expectations();
  void Captures();
  void Reference(const Site& site, absl::string_view field,
                 const std::string& name, const std::set<std::string>& names,
                 absl::string_view kind, int index = -1);

  const std::string source_;
  const Scenario& scenario_;
  Site root_;
  std::vector<std::string> errors_;
  // (Namespace, name) -> what it names.
  std::map<std::pair<std::string, std::string>, std::string> names_;
  std::set<std::string> networks_, hosts_, stun_servers_, turn_servers_,
      agents_, calls_, links_, nats_, interfaces_, elements_;
  std::map<std::string, std::string> agent_call_;
  absl::StatusOr<Plan> plan_ = absl::UnknownError("not planned");
};

void Checker::Name(const Site& site, const std::string& name,
                   absl::string_view kind) {
  bool ok = !name.empty() && name.size() <= 32;
  for (char c : name) {
    ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                c == '-' || c == '_');
  }
  if (!ok) {
    Error(site, "name",
          absl::StrCat("a ", kind,
                       " needs a name of 1-32 letters, digits, "
                       "'-' or '_'; not \"",
                       name, "\""));
    return;
  }
  // Each kind has its names, except that STUN and TURN servers share theirs
  // (agents name either in `stun`); middleboxes and hosts are checked with
  // every other element of the network once the plan is made.
  const std::string space =
      kind == "TURN server" ? "STUN server" : std::string(kind);
  auto [it, inserted] =
      names_.emplace(std::make_pair(space, name), std::string(kind));
  if (!inserted) {
    Error(site, "name",
          absl::StrCat("\"", name, "\" already names a ", it->second));
  }
}

void Checker::Duration(const Site& site, absl::string_view field,
                       const std::string& text, bool required) {
  if (text.empty()) {
    if (required) Error(site, field, "required (a duration such as \"30s\")");
    return;
  }
  absl::StatusOr<net::Duration> d =
      ParseDurationField(text, net::Duration::Zero());
  if (!d.ok()) Error(site, field, d.status().message());
}

void Checker::Percent(const Site& site, absl::string_view field, double value) {
  if (!(value >= 0 && value <= 100)) {
    Error(site, field, absl::StrCat("a percentage is 0 to 100; not ", value));
  }
}

void Checker::Link(const Site& site, const LinkSpec& spec) {
  Duration(site, "latency", spec.latency());
  Duration(site, "jitter", spec.jitter());
  Percent(site, "loss_percent", spec.loss_percent());
  Percent(site, "burst_loss_percent", spec.burst_loss_percent());
  Percent(site, "duplicate_percent", spec.duplicate_percent());
  if (spec.burst_loss_percent() > 0) {
    if (spec.loss_percent() > 0) {
      Error(site, "burst_loss_percent", "excludes loss_percent");
    }
    if (spec.mean_burst_packets() < 1) {
      Error(site, "mean_burst_packets",
            "bursty loss needs a mean burst of at least 1 packet");
    }
  } else if (spec.mean_burst_packets() != 0) {
    Error(site, "mean_burst_packets", "only with burst_loss_percent");
  }
  if (spec.mtu() != 0 && (spec.mtu() < 68 || spec.mtu() > 65535)) {
    Error(site, "mtu", absl::StrCat("an MTU is 68 to 65535; not ", spec.mtu()));
  }
}

void Checker::Reference(const Site& site, absl::string_view field,
                        const std::string& name,
                        const std::set<std::string>& names,
                        absl::string_view kind, int index) {
  if (names.count(name) > 0) return;
  std::string known =
      names.empty() ? "there are none"
                    : absl::StrCat("there are ", absl::StrJoin(names, ", "));
  Error(site, field,
        absl::StrCat(name.empty()
                         ? absl::StrCat("names no ", kind)
                         : absl::StrCat("no ", kind, " called \"", name, "\""),
                     "; ", known),
        index);
}

void Checker::Networks() {
  for (int k = 0; k < scenario_.networks_size(); ++k) {
    const Network& network = scenario_.networks(k);
    const Site site = Child(root_, "networks", k, network);
    Name(site, network.name(), "network");
    networks_.insert(network.name());
    if (network.has_uplink()) {
      Link(Child(site, "uplink", -1, network.uplink()), network.uplink());
    }
    if (network.has_inside()) {
      Link(Child(site, "inside", -1, network.inside()), network.inside());
    }
    int last_nat = -1;
    for (int j = 0; j < network.middleboxes_size(); ++j) {
      const auto kind = network.middleboxes(j).kind_case();
      if (kind == Middlebox::kNat || kind == Middlebox::kNatPreset)
        last_nat = j;
    }
    for (int j = 0; j < network.middleboxes_size(); ++j) {
      const Middlebox& box = network.middleboxes(j);
      const Site box_site = Child(site, "middleboxes", j, box);
      if (!box.name().empty()) Name(box_site, box.name(), "middlebox");
      const bool nat = box.kind_case() == Middlebox::kNat ||
                       box.kind_case() == Middlebox::kNatPreset;
      switch (box.kind_case()) {
        case Middlebox::kNatPreset:
          if (absl::StatusOr<sim::NatBehavior> preset =
                  sim::NatPreset(box.nat_preset());
              !preset.ok()) {
            Error(box_site, "nat_preset", preset.status().message());
          }
          break;
        case Middlebox::kNat:
          if (absl::StatusOr<sim::NatSettings> settings =
                  sim::ResolveNatBehavior(box.nat());
              !settings.ok()) {
            Error(box_site, "nat", settings.status().message());
          }
          break;
        case Middlebox::kFirewallPreset:
          if (absl::StatusOr<sim::FirewallPolicy> preset =
                  sim::FirewallPreset(box.firewall_preset());
              !preset.ok()) {
            Error(box_site, "firewall_preset", preset.status().message());
          }
          break;
        case Middlebox::kFirewall:
          if (absl::Status status = sim::ValidateFirewallPolicy(box.firewall());
              !status.ok()) {
            Error(box_site, "firewall", status.message());
          }
          break;
        case Middlebox::KIND_NOT_SET:
          Error(box_site, "",
                "a middlebox needs one of nat_preset, nat, firewall_preset, "
                "firewall");
          break;
      }
      if (nat && network.ip_version() != IP_VERSION_UNSPECIFIED &&
          network.ip_version() != IPV4) {
        Error(box_site, "",
              "NATs translate IPv4 only: put them in an IPV4 network");
      }
      if (box.public_addresses() > 1 && (!nat || j != last_nat)) {
        Error(box_site, "public_addresses",
              "only the outermost NAT has a pool of public addresses");
      }
      if (box.public_addresses() > 200) {
        Error(box_site, "public_addresses", "at most 200");
      }
      if (box.has_out()) {
        if (j + 1 == network.middleboxes_size()) {
          Error(box_site, "out",
                "the outermost middlebox reaches the Internet through the "
                "network's uplink; set that instead");
        }
        Link(Child(box_site, "out", -1, box.out()), box.out());
      }
    }
  }
  if (scenario_.networks_size() > 200) {
    Error(root_, "networks", "at most 200 networks");
  }
}

void Checker::Hosts() {
  for (int h = 0; h < scenario_.hosts_size(); ++h) {
    const Host& host = scenario_.hosts(h);
    const Site site = Child(root_, "hosts", h, host);
    Name(site, host.name(), "host");
    hosts_.insert(host.name());
    if (host.interfaces_size() == 0) {
      Error(site, "interfaces", "a host needs at least one interface");
    }
    std::set<std::string> names;
    for (int i = 0; i < host.interfaces_size(); ++i) {
      const Interface& interface = host.interfaces(i);
      const Site interface_site = Child(site, "interfaces", i, interface);
      const std::string name =
          interface.name().empty() ? absl::StrCat("eth", i) : interface.name();
      if (!names.insert(name).second) {
        Error(interface_site, "name",
              absl::StrCat("the host has an interface called ", name));
      }
      interfaces_.insert(absl::StrCat(host.name(), "-", name));
      Reference(interface_site, "network", interface.network(), networks_,
                "network");
      const Network* network = nullptr;
      for (const Network& n : scenario_.networks()) {
        if (n.name() == interface.network()) network = &n;
      }
      for (int a = 0; a < interface.addresses_size(); ++a) {
        absl::StatusOr<net::IpAddress> ip =
            net::IpAddress::Parse(interface.addresses(a));
        if (!ip.ok()) {
          Error(interface_site, "addresses", ip.status().message(), a);
          continue;
        }
        if (network == nullptr) continue;
        const bool v6_network = network->ip_version() == IPV6;
        const bool dual = network->ip_version() == DUAL_STACK;
        if (!dual && ip->is_v6() != v6_network) {
          Error(interface_site, "addresses",
                absl::StrCat(interface.addresses(a),
                             " is not of the network's "
                             "IP version"),
                a);
        }
      }
      if (interface.has_link()) {
        Link(Child(interface_site, "link", -1, interface.link()),
             interface.link());
      }
    }
  }
}

void Checker::Servers() {
  for (int s = 0; s < scenario_.stun_servers_size(); ++s) {
    const StunServer& server = scenario_.stun_servers(s);
    const Site site = Child(root_, "stun_servers", s, server);
    Name(site, server.name(), "STUN server");
    stun_servers_.insert(server.name());
    Reference(site, "host", server.host(), hosts_, "host");
    if (server.port() > 65535) Error(site, "port", "a port is 1 to 65535");
  }
  for (int s = 0; s < scenario_.turn_servers_size(); ++s) {
    const TurnServer& server = scenario_.turn_servers(s);
    const Site site = Child(root_, "turn_servers", s, server);
    Name(site, server.name(), "TURN server");
    turn_servers_.insert(server.name());
    Reference(site, "host", server.host(), hosts_, "host");
    if (server.users_size() == 0) {
      Error(site, "users", "a TURN server needs at least one user");
    }
    for (int u = 0; u < server.users_size(); ++u) {
      if (server.users(u).name().empty() ||
          server.users(u).password().empty()) {
        Error(Child(site, "users", u, server.users(u)), "",
              "a user needs a name and a password");
      }
    }
    std::set<std::pair<int, uint32_t>> seen;
    for (int l = 0; l < server.listen_size(); ++l) {
      const Listen& listen = server.listen(l);
      if (listen.port() > 65535) {
        Error(Child(site, "listen", l, listen), "port", "a port is 1 to 65535");
      }
    }
  }
}

void Checker::Agents() {
  std::set<std::string> stun_capable = stun_servers_;
  stun_capable.insert(turn_servers_.begin(), turn_servers_.end());
  for (int a = 0; a < scenario_.agents_size(); ++a) {
    const Agent& agent = scenario_.agents(a);
    const Site site = Child(root_, "agents", a, agent);
    Name(site, agent.name(), "agent");
    agents_.insert(agent.name());
    Reference(site, "host", agent.host(), hosts_, "host");
    const Host* host = nullptr;
    for (const Host& h : scenario_.hosts()) {
      if (h.name() == agent.host()) host = &h;
    }
    for (int i = 0; i < agent.interfaces_size(); ++i) {
      bool found = false;
      if (host != nullptr) {
        for (int j = 0; j < host->interfaces_size(); ++j) {
          const std::string name = host->interfaces(j).name().empty()
                                       ? absl::StrCat("eth", j)
                                       : host->interfaces(j).name();
          found = found || name == agent.interfaces(i);
        }
      }
      if (!found) {
        Error(site, "interfaces",
              absl::StrCat("the host has no interface called \"",
                           agent.interfaces(i), "\""),
              i);
      }
    }
    for (int s = 0; s < agent.stun_size(); ++s) {
      Reference(site, "stun", agent.stun(s), stun_capable,
                "STUN or TURN server", s);
    }
    for (int t = 0; t < agent.turn_size(); ++t) {
      const TurnRef& ref = agent.turn(t);
      const Site ref_site = Child(site, "turn", t, ref);
      Reference(ref_site, "server", ref.server(), turn_servers_, "TURN server");
      const TurnServer* server = nullptr;
      for (const TurnServer& s : scenario_.turn_servers()) {
        if (s.name() == ref.server()) server = &s;
      }
      if (server == nullptr) continue;
      const Transport transport =
          ref.transport() == TRANSPORT_UNSPECIFIED ? UDP : ref.transport();
      bool listened = false;
      if (server->listen_size() == 0) {
        listened = transport != TLS;
      }
      for (const Listen& listen : server->listen()) {
        const Transport t = listen.transport() == TRANSPORT_UNSPECIFIED
                                ? UDP
                                : listen.transport();
        listened =
            listened || (t == transport &&
                         (ref.port() == 0 || ref.port() == listen.port() ||
                          (listen.port() == 0 &&
                           ref.port() == (t == TLS ? 5349u : 3478u))));
      }
      if (!listened) {
        Error(ref_site, "transport",
              absl::StrCat(
                  "TURN server ", ref.server(), " does not listen on ",
                  Transport_Name(transport),
                  ref.port() == 0 ? "" : absl::StrCat(" port ", ref.port())));
      }
      if (!ref.user().empty()) {
        bool user = false;
        for (const TurnUser& u : server->users())
          user = user || u.name() == ref.user();
        if (!user && ref.password().empty()) {
          Error(ref_site, "user",
                absl::StrCat("TURN server ", ref.server(),
                             " has no user called \"", ref.user(),
                             "\" (give a password to try one anyway)"));
        }
      }
    }
    Duration(site, "ta", agent.ta());
    Duration(site, "nomination_wait", agent.nomination_wait());
    Duration(site, "consent_interval", agent.consent_interval());
    Duration(site, "consent_timeout", agent.consent_timeout());
    if (agent.relay_only() && agent.turn_size() == 0) {
      Error(site, "relay_only", "a relay-only agent needs a TURN server");
    }
  }
}

void Checker::Calls() {
  for (int c = 0; c < scenario_.calls_size(); ++c) {
    const Call& call = scenario_.calls(c);
    const Site site = Child(root_, "calls", c, call);
    Name(site, call.name(), "call");
    calls_.insert(call.name());
    Reference(site, "controlling", call.controlling(), agents_, "agent");
    Reference(site, "controlled", call.controlled(), agents_, "agent");
    if (call.controlling() == call.controlled()) {
      Error(site, "controlled", "an agent cannot call itself");
    }
    for (const std::string* agent : {&call.controlling(), &call.controlled()}) {
      auto [it, inserted] = agent_call_.emplace(*agent, call.name());
      if (!inserted && agents_.count(*agent) > 0) {
        Error(site, agent == &call.controlling() ? "controlling" : "controlled",
              absl::StrCat("agent ", *agent, " is in call ", it->second,
                           " already"));
      }
    }
    for (const Agent& agent : scenario_.agents()) {
      if (agent.name() == call.controlling() && agent.lite()) {
        Error(site, "controlling",
              absl::StrCat("agent ", agent.name(),
                           " is ICE lite: it can only be controlled"));
      }
    }
    Duration(site, "signalling_delay", call.signalling_delay());
    Duration(site, "start", call.start());
  }
  for (const Agent& agent : scenario_.agents()) {
    if (agent_call_.count(agent.name()) == 0) {
      for (int a = 0; a < scenario_.agents_size(); ++a) {
        if (scenario_.agents(a).name() == agent.name()) {
          Error(Child(root_, "agents", a, agent), "name",
                absl::StrCat("agent ", agent.name(), " is in no call"));
        }
      }
    }
  }
}

void Checker::Timeline() {
  std::set<std::string> agent_names = agents_;
  for (int e = 0; e < scenario_.timeline_size(); ++e) {
    const TimelineEvent& event = scenario_.timeline(e);
    const Site site = Child(root_, "timeline", e, event);
    Duration(site, "at", event.at(), /*required=*/true);
    switch (event.action_case()) {
      case TimelineEvent::kLinkDown:
        Reference(site, "link_down", event.link_down(), links_, "link");
        break;
      case TimelineEvent::kLinkUp:
        Reference(site, "link_up", event.link_up(), links_, "link");
        break;
      case TimelineEvent::kSetLink: {
        const Site change = Child(site, "set_link", -1, event.set_link());
        Reference(change, "link", event.set_link().link(), links_, "link");
        Link(Child(change, "spec", -1, event.set_link().spec()),
             event.set_link().spec());
        break;
      }
      case TimelineEvent::kNatReboot:
        Reference(site, "nat_reboot", event.nat_reboot(), nats_, "NAT");
        break;
      case TimelineEvent::kNatFlush:
        Reference(site, "nat_flush", event.nat_flush(), nats_, "NAT");
        break;
      case TimelineEvent::kTurnServerStop:
        Reference(site, "turn_server_stop", event.turn_server_stop(),
                  turn_servers_, "TURN server");
        break;
      case TimelineEvent::kTurnServerStart:
        Reference(site, "turn_server_start", event.turn_server_start(),
                  turn_servers_, "TURN server");
        break;
      case TimelineEvent::kInterfaceDown:
        Reference(site, "interface_down", event.interface_down(), interfaces_,
                  "interface (HOST-IFACE)");
        break;
      case TimelineEvent::kInterfaceUp:
        Reference(site, "interface_up", event.interface_up(), interfaces_,
                  "interface (HOST-IFACE)");
        break;
      case TimelineEvent::kIceRestart:
        Reference(site, "ice_restart", event.ice_restart(), calls_, "call");
        break;
      case TimelineEvent::kSend: {
        const Site send = Child(site, "send", -1, event.send());
        Reference(send, "from", event.send().from(), agent_names, "agent");
        if (event.send().bytes() > 1200) {
          Error(send, "bytes", "at most 1200 bytes a message");
        }
        if (event.send().count() > 100000) {
          Error(send, "count", "at most 100000 messages");
        }
        Duration(send, "interval", event.send().interval());
        break;
      }
      case TimelineEvent::kCloseAgent:
        Reference(site, "close_agent", event.close_agent(), agent_names,
                  "agent");
        break;
      case TimelineEvent::ACTION_NOT_SET:
        Error(site, "",
              "an event needs an action (link_down, nat_reboot, ...)");
        break;
    }
  }
}

void Checker::Expectations() {
  std::set<std::string> reasons;
  for (int r = 0; r <= static_cast<int>(sim::DropReason::kFirewallRule); ++r) {
    reasons.insert(
        std::string(sim::DropReasonName(static_cast<sim::DropReason>(r))));
  }
  auto window = [&](const Site& site, const std::string& after,
                    const std::string& by) {
    Duration(site, "after", after);
    Duration(site, "by", by);
  };
  for (int x = 0; x < scenario_.expect_size(); ++x) {
    const Expectation& expectation = scenario_.expect(x);
    const Site site = Child(root_, "expect", x, expectation);
    switch (expectation.check_case()) {
      case Expectation::kState:
      case Expectation::kNeverState: {
        const bool never = expectation.check_case() == Expectation::kNeverState;
        const StateExpectation& e =
            never ? expectation.never_state() : expectation.state();
        const Site s = Child(site, never ? "never_state" : "state", -1, e);
        Reference(s, "agent", e.agent(), agents_, "agent");
        if (e.state() == AGENT_STATE_UNSPECIFIED) {
          Error(s, "state", "required (CONNECTED, FAILED, ...)");
        }
        window(s, e.after(), e.by());
        break;
      }
      case Expectation::kSelectedPair: {
        const PairExpectation& e = expectation.selected_pair();
        const Site s = Child(site, "selected_pair", -1, e);
        Reference(s, "agent", e.agent(), agents_, "agent");
        window(s, e.after(), e.by());
        break;
      }
      case Expectation::kData: {
        const DataExpectation& e = expectation.data();
        const Site s = Child(site, "data", -1, e);
        Reference(s, "from", e.from(), agents_, "agent");
        Reference(s, "to", e.to(), agents_, "agent");
        if (e.has_min_percent()) Percent(s, "min_percent", e.min_percent());
        Duration(s, "by", e.by());
        break;
      }
      case Expectation::kConsentLost: {
        const ConsentExpectation& e = expectation.consent_lost();
        const Site s = Child(site, "consent_lost", -1, e);
        Reference(s, "agent", e.agent(), agents_, "agent");
        window(s, e.after(), e.by());
        break;
      }
      case Expectation::kDropSeen:
      case Expectation::kDropNotSeen: {
        const bool seen = expectation.check_case() == Expectation::kDropSeen;
        const DropExpectation& e =
            seen ? expectation.drop_seen() : expectation.drop_not_seen();
        const Site s = Child(site, seen ? "drop_seen" : "drop_not_seen", -1, e);
        if (reasons.count(e.reason()) == 0) {
          std::vector<std::string> quoted;
          for (const std::string& r : reasons) {
            quoted.push_back(absl::StrCat("\"", r, "\""));
          }
          Error(s, "reason",
                absl::StrCat("no drop reason \"", e.reason(), "\"; there are ",
                             absl::StrJoin(quoted, ", ")));
        }
        if (!e.node().empty()) {
          Reference(s, "node", e.node(), elements_, "network element");
        }
        window(s, e.after(), e.by());
        break;
      }
      case Expectation::CHECK_NOT_SET:
        Error(site, "", "an expectation needs a check (state, data, ...)");
        break;
    }
  }
}

void Checker::Captures() {
  std::set<std::string> names;
  for (int c = 0; c < scenario_.captures_size(); ++c) {
    const Capture& capture = scenario_.captures(c);
    const Site site = Child(root_, "captures", c, capture);
    Reference(site, "link", capture.link(), links_, "link");
    const std::string name =
        capture.name().empty() ? capture.link() : capture.name();
    if (!names.insert(name).second) {
      Error(site, "name",
            absl::StrCat("two captures write ", name, ".pcap; name one"));
    }
  }
}

absl::Status Checker::Run() {
  Duration(root_, "duration", scenario_.duration(), /*required=*/true);
  Networks();
  Hosts();
  if (errors_.empty()) {
    plan_ = MakePlan(scenario_);
    if (!plan_.ok()) {
      errors_.push_back(absl::StrCat(source_, ": ", plan_.status().message()));
    } else {
      for (const std::string& link : plan_->LinkNames()) links_.insert(link);
      std::map<std::string, int> count;
      for (const std::string& name : plan_->ElementNames()) {
        elements_.insert(name);
        if (++count[name] == 2) {
          errors_.push_back(absl::StrCat(
              source_, ": two elements of the network would be called \"", name,
              "\" (links are named HOST-IFACE, NETWORK-uplink, "
              "NETWORK-inside, BOX-out; routers NETWORK-lan and internet): "
              "rename one"));
        }
      }
      for (const NetworkPlan& network : plan_->networks) {
        for (const BoxPlan& box : network.boxes) {
          if (box.nat) nats_.insert(box.name);
        }
      }
    }
  }
  Servers();
  Agents();
  Calls();
  Timeline();
  Expectations();
  Captures();
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
}

}  // namespace

absl::StatusOr<net::Duration> ParseDurationField(absl::string_view text,
                                                 net::Duration fallback) {
  if (text.empty()) return fallback;
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text,
                     "\" is not a duration (write \"20s\", \"250ms\", "
                     "\"1.5s\", \"2m\")"));
  }
  if (d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is negative"));
  }
  return net::Duration::FromAbsl(d);
}

absl::StatusOr<Scenario> ParseScenario(absl::string_view source,
                                       absl::string_view text) {
  Scenario scenario;
  TextFormat::ParseInfoTree tree;
  if (absl::Status status = sim::ParseTextproto(source, text, scenario, &tree);
      !status.ok()) {
    return status;
  }
  Checker checker(std::string(source), scenario, &tree);
  if (absl::Status status = checker.Run(); !status.ok()) return status;
  return scenario;
}

absl::Status ValidateScenario(const Scenario& scenario) {
  Checker checker("scenario", scenario, nullptr);
  return checker.Run();
}

absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read the file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 4 * 1024 * 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": larger than 4 MiB; not a scenario"));
  }
  return ParseScenario(path, text.str());
}

}  // namespace pinhole::scenarios
