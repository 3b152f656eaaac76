#include "sim/integration/nat_chain.h"

#include <utility>

#include "absl/status/status.h"
#include "net/ip_prefix.h"
#include "sim/firewall/firewall_presets.h"
#include "sim/middlebox.h"
#include "sim/nat/nat_presets.h"

namespace pinhole::sim {
namespace {

net::IpAddress Ip(const char* text) { return *net::IpAddress::Parse(text); }

LinkConfig WithLatency(net::Duration latency) {
  LinkConfig config;
  config.latency = latency;
  return config;
}

// Evaluates `expr` (an absl::Status or StatusOr) and returns its error.
#define PINHOLE_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (false)

}  // namespace

net::IpAddress NatChain::ClientIp() { return Ip("192.168.1.2"); }
net::IpAddress NatChain::HomeNatIp() { return Ip("100.64.0.2"); }
net::IpAddress NatChain::CgnIp() { return Ip("203.0.113.1"); }
net::IpAddress NatChain::ServerIp() { return Ip("198.51.100.1"); }
net::IpAddress NatChain::StrangerIp() { return Ip("192.0.2.66"); }

NatChain::NatChain(const NatChainOptions& options)
    : options_(options),
      sim_(options.seed),
      home_random_(sim_.RandomStream("nat/home")),
      cgn_random_(sim_.RandomStream("nat/cgn")) {}

absl::StatusOr<std::unique_ptr<NatChain>> NatChain::Create(
    const NatChainOptions& options) {
  std::unique_ptr<NatChain> chain(new NatChain(options));
  PINHOLE_RETURN_IF_ERROR(chain->Build());
  return chain;
}

net::Duration NatChain::ClientToServer() const {
  return kHomeLanLatency +
         (fw_lan_ != nullptr ? kFwLanLatency : net::Duration::Zero()) +
         isp_->config(LinkEnd::kA).latency +
         uplink_->config(LinkEnd::kA).latency + kServerLanLatency;
}

absl::Status NatChain::Build() {
  PINHOLE_RETURN_IF_ERROR(BuildNats());
  PINHOLE_RETURN_IF_ERROR(BuildLinks());
  return Wire();
}

absl::Status NatChain::BuildNats() {
  absl::StatusOr<NatBehavior> home = NatPreset(options_.home_nat_preset);
  if (!home.ok()) return home.status();
  absl::StatusOr<NatBehavior> cgn = NatPreset(options_.cgn_preset);
  if (!cgn.ok()) return cgn.status();
  absl::StatusOr<std::unique_ptr<Nat>> home_nat =
      Nat::Create(*home, {HomeNatIp()}, home_random_);
  if (!home_nat.ok()) return home_nat.status();
  home_nat_ = *std::move(home_nat);
  absl::StatusOr<std::unique_ptr<Nat>> cgn_nat =
      Nat::Create(*cgn, {CgnIp()}, cgn_random_);
  if (!cgn_nat.ok()) return cgn_nat.status();
  cgn_ = *std::move(cgn_nat);
  if (!options_.firewall_preset.empty()) {
    absl::StatusOr<FirewallPolicy> policy =
        FirewallPreset(options_.firewall_preset);
    if (!policy.ok()) return policy.status();
    absl::StatusOr<std::unique_ptr<Firewall>> firewall =
        Firewall::Create(*policy);
    if (!firewall.ok()) return firewall.status();
    firewall_ = *std::move(firewall);
  }
  return absl::OkStatus();
}

absl::Status NatChain::BuildLinks() {
  struct Spec {
    std::unique_ptr<Link>* link;
    const char* name;
    LinkConfig config;
  };
  Spec specs[] = {
      {&home_lan_, "home_lan", WithLatency(kHomeLanLatency)},
      {&isp_, "isp", options_.isp.value_or(WithLatency(kIspLatency))},
      {&uplink_, "uplink",
       options_.uplink.value_or(WithLatency(kUplinkLatency))},
      {&server_lan_, "server_lan", WithLatency(kServerLanLatency)},
      {&stranger_lan_, "stranger_lan", WithLatency(kStrangerLanLatency)},
  };
  for (Spec& spec : specs) {
    absl::StatusOr<std::unique_ptr<Link>> link =
        Link::Create(sim_, spec.name, spec.config);
    if (!link.ok()) return link.status();
    *spec.link = *std::move(link);
  }
  if (firewall_ != nullptr) {
    absl::StatusOr<std::unique_ptr<Link>> link =
        Link::Create(sim_, "fw_lan", WithLatency(kFwLanLatency));
    if (!link.ok()) return link.status();
    fw_lan_ = *std::move(link);
  }
  return absl::OkStatus();
}

absl::Status NatChain::Wire() {
  auto node = [this](const char* name, Middlebox* box,
                     std::unique_ptr<MiddleboxNode>& out) -> absl::Status {
    absl::StatusOr<std::unique_ptr<MiddleboxNode>> n =
        MiddleboxNode::Create(sim_, name, box);
    if (!n.ok()) return n.status();
    out = *std::move(n);
    return absl::OkStatus();
  };
  auto host = [this](const char* name, Link& link, LinkEnd end,
                     net::IpAddress ip,
                     std::unique_ptr<Host>& out) -> absl::Status {
    absl::StatusOr<std::unique_ptr<Host>> h = Host::Create(sim_, name);
    if (!h.ok()) return h.status();
    out = *std::move(h);
    absl::StatusOr<int> interface = out->AddInterface(link, end, {ip});
    if (!interface.ok()) return interface.status();
    return out->SetDefaultRoute(*interface);
  };
  PINHOLE_RETURN_IF_ERROR(
      host("client", *home_lan_, LinkEnd::kA, ClientIp(), client_));
  Link* home_inside = home_lan_.get();
  if (firewall_ != nullptr) {
    PINHOLE_RETURN_IF_ERROR(node("firewall", firewall_.get(), firewall_node_));
    PINHOLE_RETURN_IF_ERROR(
        firewall_node_->Attach(Side::kInside, *home_lan_, LinkEnd::kB));
    PINHOLE_RETURN_IF_ERROR(
        firewall_node_->Attach(Side::kOutside, *fw_lan_, LinkEnd::kA));
    home_inside = fw_lan_.get();
  }
  PINHOLE_RETURN_IF_ERROR(node("home_nat", home_nat_.get(), home_node_));
  PINHOLE_RETURN_IF_ERROR(
      home_node_->Attach(Side::kInside, *home_inside, LinkEnd::kB));
  PINHOLE_RETURN_IF_ERROR(
      home_node_->Attach(Side::kOutside, *isp_, LinkEnd::kA));
  PINHOLE_RETURN_IF_ERROR(node("cgn", cgn_.get(), cgn_node_));
  PINHOLE_RETURN_IF_ERROR(cgn_node_->Attach(Side::kInside, *isp_, LinkEnd::kB));
  PINHOLE_RETURN_IF_ERROR(
      cgn_node_->Attach(Side::kOutside, *uplink_, LinkEnd::kA));

  absl::StatusOr<std::unique_ptr<Router>> router =
      Router::Create(sim_, "router");
  if (!router.ok()) return router.status();
  router_ = *std::move(router);
  auto host_prefix = [](net::IpAddress ip) {
    return *net::IpPrefix::Create(ip, 32);
  };
  PINHOLE_RETURN_IF_ERROR(
      router_->AddInterface(*uplink_, LinkEnd::kB, {host_prefix(CgnIp())})
          .status());
  PINHOLE_RETURN_IF_ERROR(
      router_
          ->AddInterface(*server_lan_, LinkEnd::kA, {host_prefix(ServerIp())})
          .status());
  PINHOLE_RETURN_IF_ERROR(router_
                              ->AddInterface(*stranger_lan_, LinkEnd::kA,
                                             {host_prefix(StrangerIp())})
                              .status());
  PINHOLE_RETURN_IF_ERROR(
      host("server", *server_lan_, LinkEnd::kB, ServerIp(), server_));
  return host("stranger", *stranger_lan_, LinkEnd::kB, StrangerIp(), stranger_);
}

#undef PINHOLE_RETURN_IF_ERROR

}  // namespace pinhole::sim
