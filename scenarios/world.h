// `World`: a loaded scenario's network built on one `sim::Simulator`: the
// Internet core router, each network's LAN router, middleboxes and links,
// the hosts (UDP and TCP), and the STUN and TURN servers, named and
// addressed as scenarios/plan.h says. The agents and calls are the runner's.
#ifndef PINHOLE_SCENARIOS_WORLD_H_
#define PINHOLE_SCENARIOS_WORLD_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/transport_address.h"
#include "scenarios/plan.h"
#include "scenarios/scenario.pb.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/middlebox.h"
#include "sim/middlebox_node.h"
#include "sim/nat/nat.h"
#include "sim/router.h"
#include "sim/simulator.h"
#include "stun/server/binding_service.h"
#include "turn/service.h"

namespace pinhole::scenarios {

// The default properties of each place a link can be (scenario.proto).
struct LinkDefaults {
  static constexpr net::Duration kInterface = net::Duration::Milliseconds(5);
  static constexpr net::Duration kInside = net::Duration::Zero();
  static constexpr net::Duration kBoxOut = net::Duration::Milliseconds(2);
  static constexpr net::Duration kUplink = net::Duration::Milliseconds(10);
};

// UDP (also for an unset transport), TCP or TLS.
net::TransportProtocol ToProtocol(Transport transport);

// `spec` over a link whose default latency is `latency`. `spec` must have
// passed the loader.
sim::LinkConfig ToLinkConfig(const LinkSpec& spec, net::Duration latency);

class World {
 public:
  // `scenario` must have passed the loader and outlive the world.
  static absl::StatusOr<std::unique_ptr<World>> Build(const Scenario& scenario,
                                                      uint64_t seed);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  sim::Simulator& sim() { return *sim_; }
  const Plan& plan() const { return plan_; }

  sim::Host* host(const std::string& name);
  sim::Link* link(const std::string& name);
  sim::Nat* nat(const std::string& name);
  // The default properties of a link (for `set_link`).
  net::Duration DefaultLatency(const std::string& link) const;

  // The addresses of a host's interfaces, in order (or of the named ones).
  std::vector<net::IpAddress> HostAddresses(
      const std::string& host,
      const std::vector<std::string>& interfaces = {}) const;

  // Where an agent reaches a STUN or TURN server by name: UDP, TCP or TLS,
  // on `port` (0: the server's first of that transport), in the family of
  // `family` when the server has one (the first address otherwise).
  std::vector<net::TransportAddress> ServerAddresses(const std::string& server,
                                                     Transport transport,
                                                     uint32_t port) const;
  const TurnServer* turn_spec(const std::string& name) const;

  // Stops or starts a TURN server (every allocation lost at a stop).
  absl::Status StopTurnServer(const std::string& name);
  absl::Status StartTurnServer(const std::string& name);

 private:
  struct Turn {
    const TurnServer* spec = nullptr;
    turn::TurnServiceConfig config;
    sim::Host* host = nullptr;
    std::unique_ptr<turn::TurnService> service;
  };

  World(const Scenario& scenario, Plan plan, uint64_t seed);
  absl::Status BuildNetwork(const NetworkPlan& network);
  absl::Status BuildHost(const HostPlan& host);
  absl::Status BuildServers();
  // Whether any TURN server or agent speaks TLS: then every host gets TLS
  // (sim/tls), trusting Pinhole's test certificate authority.
  bool UsesTls() const;
  absl::StatusOr<sim::Link*> MakeLink(const std::string& name,
                                      const LinkSpec* spec,
                                      net::Duration latency);

  const Scenario& scenario_;
  const Plan plan_;
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<sim::Router> core_;
  std::map<std::string, std::unique_ptr<sim::Router>> lan_routers_;
  std::map<std::string, std::unique_ptr<sim::Link>> links_;
  std::map<std::string, net::Duration> default_latency_;
  std::map<std::string, std::unique_ptr<sim::Middlebox>> boxes_;
  std::map<std::string, sim::Nat*> nats_;
  std::vector<std::unique_ptr<sim::MiddleboxNode>> box_nodes_;
  std::map<std::string, std::unique_ptr<sim::Host>> hosts_;
  std::map<std::string, std::unique_ptr<net::DeterministicRandom>> randoms_;
  std::vector<std::unique_ptr<stun::BindingService>> stun_;
  std::map<std::string, Turn> turn_;
};

}  // namespace pinhole::scenarios

#endif  // PINHOLE_SCENARIOS_WORLD_H_
