#include "ice/agent_driver.h"

#include <utility>

#include "absl/status/status.h"
#include "net/transport_address.h"

namespace pinhole::ice {

AgentDriver::AgentDriver(net::Network& network, Agent& agent,
                         EventCallback on_event)
    : network_(network), agent_(agent), on_event_(std::move(on_event)) {
  // Both drivers hand their events to the one callback.
  auto forward = [this](AgentEvent event) {
    if (on_event_) on_event_(std::move(event));
  };
  udp_ = std::make_unique<net::UdpDriver<Agent>>(network, agent, forward);
  stream_ =
      std::make_unique<stun::StreamDriver<Agent>>(network, agent, forward);
  udp_->set_stream_sender(
      [this](const net::Datagram& datagram) { stream_->Send(datagram); });
  stream_->set_udp_sender(
      [this](const net::Datagram& datagram) { udp_->Send(datagram); });
  stream_->set_on_closed([this](const net::TransportAddress& remote,
                                const net::TransportAddress& /*local*/) {
    agent_.HandleConnectionClosed(network_.clock().Now(), remote);
    Flush();
  });
}

absl::StatusOr<std::unique_ptr<AgentDriver>> AgentDriver::Start(
    net::Network& network, Agent& agent,
    const std::vector<net::IpAddress>& local_ips, EventCallback on_event) {
  if (local_ips.empty()) {
    return absl::InvalidArgumentError("an ICE agent needs a local IP address");
  }
  std::unique_ptr<AgentDriver> driver(
      new AgentDriver(network, agent, std::move(on_event)));
  for (uint32_t component = 1; component <= agent.config().components;
       ++component) {
    for (const net::IpAddress& ip : local_ips) {
      absl::StatusOr<net::TransportAddress> bound = driver->udp_->Bind(
          net::TransportAddress(ip, 0, net::TransportProtocol::kUdp));
      if (!bound.ok()) return bound.status();
      if (absl::Status status = agent.AddHostAddress(component, *bound);
          !status.ok()) {
        return status;
      }
    }
  }
  if (absl::Status status = agent.StartGathering(network.clock().Now());
      !status.ok()) {
    return status;
  }
  driver->Flush();
  return driver;
}

void AgentDriver::Flush() {
  udp_->Flush();
  stream_->Flush();
}

}  // namespace pinhole::ice
