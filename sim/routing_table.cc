#include "sim/routing_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pinhole::sim {

absl::Status RoutingTable::Add(const net::IpPrefix& prefix, int interface) {
  for (const Route& route : routes_) {
    if (route.prefix == prefix) {
      return absl::AlreadyExistsError(
          absl::StrCat("a route for ", prefix.ToString(), " exists already"));
    }
  }
  auto at = std::find_if(routes_.begin(), routes_.end(), [&](const Route& r) {
    return r.prefix.length() < prefix.length();
  });
  routes_.insert(at, Route{prefix, interface});
  return absl::OkStatus();
}

std::optional<int> RoutingTable::Lookup(
    const net::IpAddress& destination) const {
  for (const Route& route : routes_) {
    if (route.prefix.Contains(destination)) return route.interface;
  }
  return std::nullopt;
}

}  // namespace pinhole::sim
