// `AgentDriver`: an ICE `Agent` bound to a `net::Network` (a simulated host
// or real sockets). It binds one UDP socket per component on each local IP
// (port 0: the network chooses), gives them to the agent as host addresses
// and starts gathering. UDP goes through a `net::UdpDriver`; TCP and TLS (to
// TURN servers) through a `stun::StreamDriver` sharing the same agent, whose
// closed connections reach `Agent::HandleConnectionClosed`.
//
// After calling into the agent directly (AddRemoteCandidate, Send, ...),
// call `Flush()`. The agent and the network must outlive the driver.
#ifndef PINHOLE_ICE_AGENT_DRIVER_H_
#define PINHOLE_ICE_AGENT_DRIVER_H_

#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "ice/agent.h"
#include "net/ip_address.h"
#include "net/network.h"
#include "net/udp_driver.h"
#include "stun/stream_driver.h"

namespace pinhole::ice {

class AgentDriver {
 public:
  using EventCallback = absl::AnyInvocable<void(AgentEvent)>;

  // Errors: no local IP, a bind failed, or the agent refused an address or
  // the start of gathering.
  static absl::StatusOr<std::unique_ptr<AgentDriver>> Start(
      net::Network& network, Agent& agent,
      const std::vector<net::IpAddress>& local_ips, EventCallback on_event);
  AgentDriver(const AgentDriver&) = delete;
  AgentDriver& operator=(const AgentDriver&) = delete;

  void Flush();
  net::Network& network() { return network_; }
  net::UdpDriver<Agent>& udp() { return *udp_; }

 private:
  AgentDriver(net::Network& network, Agent& agent, EventCallback on_event);

  net::Network& network_;
  Agent& agent_;
  EventCallback on_event_;
  std::unique_ptr<net::UdpDriver<Agent>> udp_;
  std::unique_ptr<stun::StreamDriver<Agent>> stream_;
};

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_AGENT_DRIVER_H_
