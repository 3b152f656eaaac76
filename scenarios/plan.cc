#include "scenarios/plan.h"

#include <map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace pinhole::scenarios {
namespace {

net::IpAddress V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return net::IpAddress::FromV4Value(a << 24 | b << 16 | c << 8 | d);
}

net::IpAddress V6(uint16_t network, uint16_t host) {
  std::array<uint8_t, 16> bytes = {0x20, 0x01, 0x0d, 0xb8};
  bytes[4] = static_cast<uint8_t>(network >> 8);
  bytes[5] = static_cast<uint8_t>(network);
  bytes[14] = static_cast<uint8_t>(host >> 8);
  bytes[15] = static_cast<uint8_t>(host);
  return net::IpAddress::FromV6Bytes(bytes);
}

bool IsNat(const Middlebox& box) {
  return box.kind_case() == Middlebox::kNatPreset ||
         box.kind_case() == Middlebox::kNat;
}

}  // namespace

std::vector<std::string> Plan::ElementNames() const {
  std::vector<std::string> names = {kCoreRouter};
  for (const NetworkPlan& network : networks) {
    names.push_back(network.lan_router);
    if (!network.inside_link.empty()) names.push_back(network.inside_link);
    for (const BoxPlan& box : network.boxes) {
      names.push_back(box.name);
      if (!box.out_link.empty()) names.push_back(box.out_link);
    }
    names.push_back(network.uplink);
  }
  for (const HostPlan& host : hosts) {
    names.push_back(host.name);
    for (const InterfacePlan& interface : host.interfaces) {
      names.push_back(interface.link);
    }
  }
  return names;
}

std::vector<std::string> Plan::LinkNames() const {
  std::vector<std::string> names;
  for (const NetworkPlan& network : networks) {
    if (!network.inside_link.empty()) names.push_back(network.inside_link);
    for (const BoxPlan& box : network.boxes) {
      if (!box.out_link.empty()) names.push_back(box.out_link);
    }
    names.push_back(network.uplink);
  }
  for (const HostPlan& host : hosts) {
    for (const InterfacePlan& interface : host.interfaces) {
      names.push_back(interface.link);
    }
  }
  return names;
}

const NetworkPlan* Plan::FindNetwork(const std::string& name) const {
  for (const NetworkPlan& network : networks) {
    if (network.name == name) return &network;
  }
  return nullptr;
}

const HostPlan* Plan::FindHost(const std::string& name) const {
  for (const HostPlan& host : hosts) {
    if (host.name == name) return &host;
  }
  return nullptr;
}

const BoxPlan* Plan::FindBox(const std::string& name) const {
  for (const NetworkPlan& network : networks) {
    for (const BoxPlan& box : network.boxes) {
      if (box.name == name) return &box;
    }
  }
  return nullptr;
}

absl::StatusOr<Plan> MakePlan(const Scenario& scenario) {
  Plan plan;
  uint32_t next_nat_public = 1;
  std::map<std::string, size_t> network_index;
  for (int k = 0; k < scenario.networks_size(); ++k) {
    const Network& spec = scenario.networks(k);
    const uint32_t number = static_cast<uint32_t>(k) + 1;
    NetworkPlan network;
    network.name = spec.name();
    network.spec = &spec;
    network.v4 = spec.ip_version() != IPV6;
    network.v6 = spec.ip_version() == IPV6 || spec.ip_version() == DUAL_STACK;
    network.lan_router = absl::StrCat(spec.name(), "-lan");
    network.uplink = absl::StrCat(spec.name(), "-uplink");
    if (spec.middleboxes_size() > 0) {
      network.inside_link = absl::StrCat(spec.name(), "-inside");
    }
    int nats = 0;
    int firewalls = 0;
    int last_nat = -1;
    for (int j = 0; j < spec.middleboxes_size(); ++j) {
      const Middlebox& box_spec = spec.middleboxes(j);
      BoxPlan box;
      box.spec = &box_spec;
      box.nat = IsNat(box_spec);
      if (box.nat) {
        ++nats;
        last_nat = j;
      } else {
        ++firewalls;
      }
      if (!box_spec.name().empty()) {
        box.name = box_spec.name();
      } else {
        // NETWORK-nat, NETWORK-nat2, ...; NETWORK-fw, NETWORK-fw2, ...
        const int count = box.nat ? nats : firewalls;
        box.name = absl::StrCat(spec.name(), box.nat ? "-nat" : "-fw",
                                count == 1 ? "" : absl::StrCat(count));
      }
      network.boxes.push_back(std::move(box));
    }
    for (size_t j = 0; j < network.boxes.size(); ++j) {
      BoxPlan& box = network.boxes[j];
      if (j + 1 < network.boxes.size()) {
        box.out_link = absl::StrCat(box.name, "-out");
      }
      if (!box.nat) continue;
      if (static_cast<int>(j) < last_nat) {
        box.outside = {V4(100, 64, number, static_cast<uint32_t>(j) + 1)};
      } else {
        const uint32_t count =
            std::max<uint32_t>(1, box.spec->public_addresses());
        for (uint32_t i = 0; i < count; ++i) {
          box.outside.push_back(V4(203, 0, 113, next_nat_public++));
        }
        network.public_addresses = box.outside;
      }
    }
    network.behind_nat = nats > 0;
    network_index[network.name] = plan.networks.size();
    plan.networks.push_back(std::move(network));
  }

  uint32_t next_public_v4 = 1;
  std::vector<uint32_t> next_private(plan.networks.size(), 2);
  std::vector<uint16_t> next_v6(plan.networks.size(), 1);
  for (const Host& host_spec : scenario.hosts()) {
    HostPlan host;
    host.name = host_spec.name();
    for (int i = 0; i < host_spec.interfaces_size(); ++i) {
      const Interface& spec = host_spec.interfaces(i);
      InterfacePlan interface;
      interface.name =
          spec.name().empty() ? absl::StrCat("eth", i) : spec.name();
      interface.link = absl::StrCat(host.name, "-", interface.name);
      auto found = network_index.find(spec.network());
      if (found == network_index.end()) {
        return absl::InvalidArgumentError(absl::StrCat("host ", host.name,
                                                       ": no network called \"",
                                                       spec.network(), "\""));
      }
      interface.network = found->second;
      NetworkPlan& network = plan.networks[found->second];
      const uint32_t number = static_cast<uint32_t>(found->second) + 1;
      if (spec.addresses_size() > 0) {
        for (const std::string& text : spec.addresses()) {
          absl::StatusOr<net::IpAddress> ip = net::IpAddress::Parse(text);
          if (!ip.ok()) return ip.status();
          interface.addresses.push_back(*ip);
        }
      } else {
        if (network.v4) {
          interface.addresses.push_back(
              network.behind_nat
                  ? V4(192, 168, number, next_private[found->second]++)
                  : V4(198, 51, 100, next_public_v4++));
        }
        if (network.v6) {
          interface.addresses.push_back(
              V6(static_cast<uint16_t>(number), next_v6[found->second]++));
        }
      }
      if (!network.behind_nat) {
        for (const net::IpAddress& ip : interface.addresses) {
          network.public_addresses.push_back(ip);
        }
      }
      host.interfaces.push_back(std::move(interface));
    }
    plan.hosts.push_back(std::move(host));
  }
  return plan;
}

}  // namespace pinhole::scenarios
