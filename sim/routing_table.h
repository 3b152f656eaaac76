// `RoutingTable`: longest-prefix match from a destination address to an
// interface index. Used by hosts (their routes) and routers.
//
// Lookup scans the routes, which are kept ordered from the longest prefix to
// the shortest: simulated topologies have a handful of routes, and a scan of a
// short vector beats a trie at that size.
#ifndef PINHOLE_SIM_ROUTING_TABLE_H_
#define PINHOLE_SIM_ROUTING_TABLE_H_

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace pinhole::sim {

class RoutingTable {
 public:
  struct Route {
    net::IpPrefix prefix;
    int interface;
  };

  // Fails when the same prefix is already routed.
  absl::Status Add(const net::IpPrefix& prefix, int interface);
  // The interface of the longest prefix containing `destination`.
  std::optional<int> Lookup(const net::IpAddress& destination) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;  // Longest prefix first; ties by insertion.
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_ROUTING_TABLE_H_
