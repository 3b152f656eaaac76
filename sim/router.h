// `Router`: forwards packets between its interfaces by longest-prefix match.
//
// Each packet that arrives has its hop limit (TTL) decremented; one that
// reaches 0 is dropped with `kHopLimitExceeded`. A destination no route
// matches is dropped with `kNoRoute`. A forwarded packet is recorded as
// `forwarded`. The router may send a packet back out of the interface it came
// in on, as real routers do. It has no addresses of its own and sends no ICMP.
#ifndef PINHOLE_SIM_ROUTER_H_
#define PINHOLE_SIM_ROUTER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_prefix.h"
#include "sim/link.h"
#include "sim/packet.h"
#include "sim/port.h"
#include "sim/routing_table.h"
#include "sim/simulator.h"
#include "sim/trace.h"

namespace pinhole::sim {

class Router {
 public:
  static absl::StatusOr<std::unique_ptr<Router>> Create(Simulator& simulator,
                                                        absl::string_view name);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  const std::string& name() const { return name_; }

  // Attaches a new interface to `end` of `link`; returns its index (0, 1,
  // ...). Each of `connected` (the networks reached through this interface)
  // becomes a route to it. Fails when the link end is taken or a prefix is
  // routed already.
  absl::StatusOr<int> AddInterface(
      Link& link, LinkEnd end,
      const std::vector<net::IpPrefix>& connected = {});
  // Fails for an unknown interface or a prefix routed already.
  absl::Status AddRoute(const net::IpPrefix& prefix, int interface);

 private:
  Router(Simulator& simulator, std::string name, Trace::NodeId node)
      : simulator_(simulator), name_(std::move(name)), node_(node) {}
  void Forward(Packet packet);

  Simulator& simulator_;
  const std::string name_;
  const Trace::NodeId node_;
  std::vector<std::unique_ptr<Port>> ports_;
  RoutingTable routes_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_ROUTER_H_
