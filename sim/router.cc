#include "sim/router.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/drop_reason.h"

namespace pinhole::sim {

absl::StatusOr<std::unique_ptr<Router>> Router::Create(Simulator& simulator,
                                                       absl::string_view name) {
  absl::StatusOr<Trace::NodeId> node = simulator.trace().RegisterNode(name);
  if (!node.ok()) return node.status();
  return std::unique_ptr<Router>(
      new Router(simulator, std::string(name), *node));
}

absl::StatusOr<int> Router::AddInterface(
    Link& link, LinkEnd end, const std::vector<net::IpPrefix>& connected) {
  for (const net::IpPrefix& prefix : connected) {
    for (const RoutingTable::Route& route : routes_.routes()) {
      if (route.prefix == prefix) {
        return absl::AlreadyExistsError(absl::StrCat(
            "router ", name_, ": ", prefix.ToString(), " is routed already"));
      }
    }
  }
  absl::StatusOr<std::unique_ptr<Port>> port = Port::Attach(
      link, end, [this](Packet packet) { Forward(std::move(packet)); });
  if (!port.ok()) return port.status();
  ports_.push_back(*std::move(port));
  const int index = static_cast<int>(ports_.size()) - 1;
  for (const net::IpPrefix& prefix : connected) {
    if (absl::Status s = routes_.Add(prefix, index); !s.ok()) return s;
  }
  return index;
}

absl::Status Router::AddRoute(const net::IpPrefix& prefix, int interface) {
  if (interface < 0 || interface >= static_cast<int>(ports_.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("router ", name_, " has no interface ", interface));
  }
  return routes_.Add(prefix, interface);
}

void Router::Forward(Packet packet) {
  const net::Time now = simulator_.Now();
  if (packet.hop_limit <= 1) {
    packet.hop_limit = 0;
    simulator_.trace().Dropped(now, node_, packet,
                               DropReason::kHopLimitExceeded);
    return;
  }
  --packet.hop_limit;
  const std::optional<int> out = routes_.Lookup(packet.destination.ip());
  if (!out.has_value()) {
    simulator_.trace().Dropped(now, node_, packet, DropReason::kNoRoute);
    return;
  }
  simulator_.trace().Forwarded(now, node_, packet);
  ports_[*out]->Send(std::move(packet));
}

}  // namespace pinhole::sim
