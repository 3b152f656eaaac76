// `Plan`: the elements a scenario's topology turns into, with the names and
// addresses scenario.proto's `Network` comment promises: which routers,
// links, middleboxes and host interfaces there are, what each is called in
// the trace, and which addresses each holds. The loader checks names against
// it; `World` builds from it.
#ifndef PINHOLE_SCENARIOS_PLAN_H_
#define PINHOLE_SCENARIOS_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "scenarios/scenario.pb.h"

namespace pinhole::scenarios {

struct BoxPlan {
  std::string name;
  const Middlebox* spec = nullptr;
  bool nat = false;
  std::vector<net::IpAddress> outside;  // A NAT's outside addresses.
  std::string out_link;                 // Empty for the outermost box.
};

struct NetworkPlan {
  std::string name;
  const Network* spec = nullptr;
  bool v4 = true;
  bool v6 = false;
  bool behind_nat = false;
  std::string lan_router;
  std::string inside_link;  // Empty without middleboxes.
  std::string uplink;
  std::vector<BoxPlan> boxes;  // From the LAN outwards.
  // What the Internet routes to this network: the outermost NAT's outside
  // addresses, or every host address.
  std::vector<net::IpAddress> public_addresses;
};

struct InterfacePlan {
  std::string name;  // "eth0"
  std::string link;  // "HOST-eth0"
  size_t network = 0;
  std::vector<net::IpAddress> addresses;
};

struct HostPlan {
  std::string name;
  std::vector<InterfacePlan> interfaces;
};

struct Plan {
  static constexpr const char* kCoreRouter = "internet";
  std::vector<NetworkPlan> networks;
  std::vector<HostPlan> hosts;

  // Every element name the trace will know (routers, links, middleboxes,
  // hosts), in build order.
  std::vector<std::string> ElementNames() const;
  // Every link name.
  std::vector<std::string> LinkNames() const;
  const NetworkPlan* FindNetwork(const std::string& name) const;
  const HostPlan* FindHost(const std::string& name) const;
  const BoxPlan* FindBox(const std::string& name) const;
};

// The plan of `scenario`'s networks and hosts. InvalidArgument for an
// address that does not parse, or an unknown network (the loader reports
// these with their lines first).
absl::StatusOr<Plan> MakePlan(const Scenario& scenario);

}  // namespace pinhole::scenarios

#endif  // PINHOLE_SCENARIOS_PLAN_H_
