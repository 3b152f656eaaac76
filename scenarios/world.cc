#include "scenarios/world.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "net/ip_prefix.h"
#include "net/random.h"
#include "scenarios/scenario_loader.h"
#include "sim/firewall/firewall.h"
#include "sim/firewall/firewall_presets.h"
#include "sim/loss_model.h"
#include "sim/nat/nat_presets.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tls/install_tls.h"

namespace pinhole::scenarios {
namespace {

#define SCENARIO_RETURN_IF_ERROR(expr)                 \
  do {                                                 \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (false)

// A probability given in percent, to the millionth.
net::Ratio FromPercent(double percent) {
  return net::Ratio::PartsPerMillion(
      static_cast<uint64_t>(std::llround(percent * 10000)));
}

std::vector<net::IpPrefix> HostRoutes(
    const std::vector<net::IpAddress>& addresses) {
  std::vector<net::IpPrefix> routes;
  for (const net::IpAddress& ip : addresses) {
    routes.push_back(*net::IpPrefix::Create(ip, ip.is_v6() ? 128 : 32));
  }
  return routes;
}

std::vector<net::IpPrefix> DefaultRoutes() {
  return {net::IpPrefix::Default(net::AddressFamily::kIpv4),
          net::IpPrefix::Default(net::AddressFamily::kIpv6)};
}

uint16_t DefaultPort(Transport transport) {
  return transport == TLS ? 5349 : 3478;
}

}  // namespace

net::TransportProtocol ToProtocol(Transport transport) {
  switch (transport) {
    case TCP:
      return net::TransportProtocol::kTcp;
    case TLS:
      return net::TransportProtocol::kTls;
    default:
      return net::TransportProtocol::kUdp;
  }
}

sim::LinkConfig ToLinkConfig(const LinkSpec& spec, net::Duration latency) {
  sim::LinkConfig config;
  config.latency = *ParseDurationField(spec.latency(), latency);
  config.jitter = *ParseDurationField(spec.jitter(), net::Duration::Zero());
  config.allow_reordering = spec.allow_reordering();
  if (spec.burst_loss_percent() > 0) {
    // Mean burst b packets: r = 1 / b; a bad-state share of loss / 100
    // (every bad-state packet lost): p = r × share / (1 − share).
    const double share = spec.burst_loss_percent() / 100;
    const double r = 1 / spec.mean_burst_packets();
    const double p = share >= 1 ? 1 : std::min(1.0, r * share / (1 - share));
    sim::GilbertElliottParameters ge;
    ge.p = FromPercent(p * 100);
    ge.r = FromPercent(r * 100);
    config.loss = sim::LossModel::GilbertElliott(ge);
  } else if (spec.loss_percent() > 0) {
    config.loss = sim::LossModel::Independent(FromPercent(spec.loss_percent()));
  }
  config.bandwidth_bps = spec.bandwidth_bps();
  if (spec.queue_bytes() != 0) config.queue_bytes = spec.queue_bytes();
  if (spec.mtu() != 0) config.mtu = spec.mtu();
  if (spec.duplicate_percent() > 0) {
    config.duplicate = FromPercent(spec.duplicate_percent());
  }
  return config;
}

World::World(const Scenario& scenario, Plan plan, uint64_t seed)
    : scenario_(scenario),
      plan_(std::move(plan)),
      sim_(std::make_unique<sim::Simulator>(seed)) {}

World::~World() {
  // Servers and their sockets before the hosts.
  turn_.clear();
  stun_.clear();
}

absl::StatusOr<std::unique_ptr<World>> World::Build(const Scenario& scenario,
                                                    uint64_t seed) {
  absl::StatusOr<Plan> plan = MakePlan(scenario);
  if (!plan.ok()) return plan.status();
  std::unique_ptr<World> world(new World(scenario, *std::move(plan), seed));
  absl::StatusOr<std::unique_ptr<sim::Router>> core =
      sim::Router::Create(*world->sim_, Plan::kCoreRouter);
  if (!core.ok()) return core.status();
  world->core_ = *std::move(core);
  for (const NetworkPlan& network : world->plan_.networks) {
    SCENARIO_RETURN_IF_ERROR(world->BuildNetwork(network));
  }
  for (const HostPlan& host : world->plan_.hosts) {
    SCENARIO_RETURN_IF_ERROR(world->BuildHost(host));
  }
  SCENARIO_RETURN_IF_ERROR(world->BuildServers());
  return world;
}

absl::StatusOr<sim::Link*> World::MakeLink(const std::string& name,
                                           const LinkSpec* spec,
                                           net::Duration latency) {
  const LinkSpec empty;
  absl::StatusOr<std::unique_ptr<sim::Link>> link = sim::Link::Create(
      *sim_, name, ToLinkConfig(spec != nullptr ? *spec : empty, latency));
  if (!link.ok()) return link.status();
  sim::Link* raw = link->get();
  links_[name] = *std::move(link);
  default_latency_[name] = latency;
  return raw;
}

absl::Status World::BuildNetwork(const NetworkPlan& network) {
  absl::StatusOr<std::unique_ptr<sim::Router>> lan =
      sim::Router::Create(*sim_, network.lan_router);
  if (!lan.ok()) return lan.status();
  sim::Router& router = **lan;
  lan_routers_[network.name] = *std::move(lan);

  absl::StatusOr<sim::Link*> uplink =
      MakeLink(network.uplink,
               network.spec->has_uplink() ? &network.spec->uplink() : nullptr,
               LinkDefaults::kUplink);
  if (!uplink.ok()) return uplink.status();
  // Inwards, the link the next element out is attached to (end A).
  sim::Link* inner = nullptr;
  if (!network.boxes.empty()) {
    absl::StatusOr<sim::Link*> inside =
        MakeLink(network.inside_link,
                 network.spec->has_inside() ? &network.spec->inside() : nullptr,
                 LinkDefaults::kInside);
    if (!inside.ok()) return inside.status();
    SCENARIO_RETURN_IF_ERROR(
        router.AddInterface(**inside, sim::LinkEnd::kA, DefaultRoutes())
            .status());
    inner = *inside;
  }
  for (const BoxPlan& box : network.boxes) {
    std::unique_ptr<sim::Middlebox> middlebox;
    const Middlebox& spec = *box.spec;
    if (box.nat) {
      sim::NatBehavior behavior;
      if (spec.kind_case() == Middlebox::kNatPreset) {
        absl::StatusOr<sim::NatBehavior> preset =
            sim::NatPreset(spec.nat_preset());
        if (!preset.ok()) return preset.status();
        behavior = *preset;
      } else {
        behavior = spec.nat();
      }
      auto random = std::make_unique<net::DeterministicRandom>(
          sim_->RandomStream(box.name));
      absl::StatusOr<std::unique_ptr<sim::Nat>> nat =
          sim::Nat::Create(behavior, box.outside, *random);
      if (!nat.ok()) return nat.status();
      randoms_[box.name] = std::move(random);
      nats_[box.name] = nat->get();
      middlebox = *std::move(nat);
    } else {
      sim::FirewallPolicy policy;
      if (spec.kind_case() == Middlebox::kFirewallPreset) {
        absl::StatusOr<sim::FirewallPolicy> preset =
            sim::FirewallPreset(spec.firewall_preset());
        if (!preset.ok()) return preset.status();
        policy = *preset;
      } else {
        policy = spec.firewall();
      }
      absl::StatusOr<std::unique_ptr<sim::Firewall>> firewall =
          sim::Firewall::Create(policy);
      if (!firewall.ok()) return firewall.status();
      middlebox = *std::move(firewall);
    }
    absl::StatusOr<std::unique_ptr<sim::MiddleboxNode>> node =
        sim::MiddleboxNode::Create(*sim_, box.name, middlebox.get());
    if (!node.ok()) return node.status();
    SCENARIO_RETURN_IF_ERROR(
        (*node)->Attach(sim::Side::kInside, *inner, sim::LinkEnd::kB));
    sim::Link* outer = *uplink;
    if (!box.out_link.empty()) {
      absl::StatusOr<sim::Link*> out =
          MakeLink(box.out_link, spec.has_out() ? &spec.out() : nullptr,
                   LinkDefaults::kBoxOut);
      if (!out.ok()) return out.status();
      outer = *out;
    }
    SCENARIO_RETURN_IF_ERROR(
        (*node)->Attach(sim::Side::kOutside, *outer, sim::LinkEnd::kA));
    inner = outer;
    boxes_[box.name] = std::move(middlebox);
    box_nodes_.push_back(*std::move(node));
  }
  if (network.boxes.empty()) {
    SCENARIO_RETURN_IF_ERROR(
        router.AddInterface(**uplink, sim::LinkEnd::kA, DefaultRoutes())
            .status());
  }
  return core_
      ->AddInterface(**uplink, sim::LinkEnd::kB,
                     HostRoutes(network.public_addresses))
      .status();
}

absl::Status World::BuildHost(const HostPlan& plan) {
  absl::StatusOr<std::unique_ptr<sim::Host>> created =
      sim::Host::Create(*sim_, plan.name);
  if (!created.ok()) return created.status();
  sim::Host& host = **created;
  hosts_[plan.name] = *std::move(created);
  const Host* spec = nullptr;
  for (const Host& h : scenario_.hosts()) {
    if (h.name() == plan.name) spec = &h;
  }
  bool routed_v4 = false;
  bool routed_v6 = false;
  for (size_t i = 0; i < plan.interfaces.size(); ++i) {
    const InterfacePlan& interface = plan.interfaces[i];
    const Interface& interface_spec = spec->interfaces(static_cast<int>(i));
    absl::StatusOr<sim::Link*> link =
        MakeLink(interface.link,
                 interface_spec.has_link() ? &interface_spec.link() : nullptr,
                 LinkDefaults::kInterface);
    if (!link.ok()) return link.status();
    absl::StatusOr<int> index =
        host.AddInterface(**link, sim::LinkEnd::kA, interface.addresses);
    if (!index.ok()) return index.status();
    const NetworkPlan& network = plan_.networks[interface.network];
    SCENARIO_RETURN_IF_ERROR(lan_routers_[network.name]
                                 ->AddInterface(**link, sim::LinkEnd::kB,
                                                HostRoutes(interface.addresses))
                                 .status());
    for (const net::IpAddress& ip : interface.addresses) {
      bool& routed = ip.is_v6() ? routed_v6 : routed_v4;
      if (routed) continue;
      routed = true;
      SCENARIO_RETURN_IF_ERROR(
          host.AddRoute(net::IpPrefix::Default(ip.family()), *index));
    }
  }
  sim::tcp::InstallTcp(host);
  if (UsesTls()) {
    // Pinhole's test certificate authority signs the server's certificate
    // and every host trusts it (sim/tls/sim_tls_config.h).
    if (absl::Status status = sim::tls::InstallTls(host); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("host ", plan.name, ": ",
                                                      status.message()));
    }
  }
  return absl::OkStatus();
}

bool World::UsesTls() const {
  for (const TurnServer& server : scenario_.turn_servers()) {
    for (const Listen& listen : server.listen()) {
      if (listen.transport() == TLS) return true;
    }
  }
  for (const Agent& agent : scenario_.agents()) {
    for (const TurnRef& ref : agent.turn()) {
      if (ref.transport() == TLS) return true;
    }
  }
  return false;
}

absl::Status World::BuildServers() {
  for (const StunServer& spec : scenario_.stun_servers()) {
    sim::Host& host = *hosts_[spec.host()];
    for (const net::IpAddress& ip : host.LocalAddresses()) {
      stun::BindingServerConfig config;
      config.primary = net::TransportAddress(
          ip, static_cast<uint16_t>(spec.port() == 0 ? 3478 : spec.port()));
      absl::StatusOr<std::unique_ptr<stun::BindingService>> service =
          stun::BindingService::Start(host, config);
      if (!service.ok()) {
        return absl::Status(service.status().code(),
                            absl::StrCat("STUN server ", spec.name(), ": ",
                                         service.status().message()));
      }
      stun_.push_back(*std::move(service));
    }
  }
  for (const TurnServer& spec : scenario_.turn_servers()) {
    Turn& turn = turn_[spec.name()];
    turn.spec = &spec;
    turn.host = hosts_[spec.host()].get();
    turn::TurnServerConfig& server = turn.config.server;
    server.realm = spec.realm().empty() ? "pinhole.test" : spec.realm();
    for (const TurnUser& user : spec.users()) {
      server.users.emplace_back(user.name(), user.password());
    }
    std::vector<Listen> listens(spec.listen().begin(), spec.listen().end());
    if (listens.empty()) {
      listens.resize(2);
      listens[0].set_transport(UDP);
      listens[1].set_transport(TCP);
    }
    for (const net::IpAddress& ip : turn.host->LocalAddresses()) {
      if (ip.is_v6() && !server.relay_ipv6.has_value()) server.relay_ipv6 = ip;
      if (!ip.is_v6() && !server.relay_ipv4.has_value()) {
        server.relay_ipv4 = ip;
      }
      for (const Listen& listen : listens) {
        const Transport transport = listen.transport() == TRANSPORT_UNSPECIFIED
                                        ? UDP
                                        : listen.transport();
        turn.config.listen.emplace_back(
            ip,
            static_cast<uint16_t>(listen.port() == 0 ? DefaultPort(transport)
                                                     : listen.port()),
            ToProtocol(transport));
      }
    }
    SCENARIO_RETURN_IF_ERROR(StartTurnServer(spec.name()));
  }
  return absl::OkStatus();
}

absl::Status World::StartTurnServer(const std::string& name) {
  Turn& turn = turn_.at(name);
  if (turn.service != nullptr) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<turn::TurnService>> service =
      turn::TurnService::Start(*turn.host, turn.config);
  if (!service.ok()) {
    return absl::Status(
        service.status().code(),
        absl::StrCat("TURN server ", name, ": ", service.status().message()));
  }
  turn.service = *std::move(service);
  return absl::OkStatus();
}

absl::Status World::StopTurnServer(const std::string& name) {
  turn_.at(name).service.reset();
  return absl::OkStatus();
}

sim::Host* World::host(const std::string& name) {
  auto it = hosts_.find(name);
  return it == hosts_.end() ? nullptr : it->second.get();
}

sim::Link* World::link(const std::string& name) {
  auto it = links_.find(name);
  return it == links_.end() ? nullptr : it->second.get();
}

sim::Nat* World::nat(const std::string& name) {
  auto it = nats_.find(name);
  return it == nats_.end() ? nullptr : it->second;
}

net::Duration World::DefaultLatency(const std::string& link) const {
  auto it = default_latency_.find(link);
  return it == default_latency_.end() ? net::Duration::Zero() : it->second;
}

std::vector<net::IpAddress> World::HostAddresses(
    const std::string& host, const std::vector<std::string>& interfaces) const {
  std::vector<net::IpAddress> out;
  const HostPlan* plan = plan_.FindHost(host);
  if (plan == nullptr) return out;
  for (const InterfacePlan& interface : plan->interfaces) {
    bool wanted = interfaces.empty();
    for (const std::string& name : interfaces) {
      wanted = wanted || name == interface.name;
    }
    if (!wanted) continue;
    out.insert(out.end(), interface.addresses.begin(),
               interface.addresses.end());
  }
  return out;
}

const TurnServer* World::turn_spec(const std::string& name) const {
  auto it = turn_.find(name);
  return it == turn_.end() ? nullptr : it->second.spec;
}

std::vector<net::TransportAddress> World::ServerAddresses(
    const std::string& server, Transport transport, uint32_t port) const {
  std::vector<net::TransportAddress> out;
  if (transport == TRANSPORT_UNSPECIFIED) transport = UDP;
  auto turn = turn_.find(server);
  if (turn != turn_.end()) {
    for (const net::TransportAddress& address : turn->second.config.listen) {
      if (address.protocol() != ToProtocol(transport)) continue;
      if (port != 0 && address.port() != port) continue;
      if (port == 0 && !out.empty() && out.front().port() != address.port()) {
        continue;
      }
      out.push_back(address);
    }
    return out;
  }
  for (const StunServer& spec : scenario_.stun_servers()) {
    if (spec.name() != server) continue;
    const HostPlan* plan = plan_.FindHost(spec.host());
    for (const InterfacePlan& interface : plan->interfaces) {
      for (const net::IpAddress& ip : interface.addresses) {
        out.emplace_back(
            ip, static_cast<uint16_t>(spec.port() == 0 ? 3478 : spec.port()));
      }
    }
  }
  return out;
}

}  // namespace pinhole::scenarios
