#include "stun/server/binding_service.h"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/udp_socket.h"

namespace pinhole::stun {
namespace {

constexpr int kPortAttempts = 20;

// Binds the sockets of one attempt and keeps them until it ends.
class PortHolder {
 public:
  explicit PortHolder(net::Network& network) : network_(network) {}

  absl::StatusOr<uint16_t> Hold(const net::IpAddress& ip, uint16_t port) {
    absl::StatusOr<std::unique_ptr<net::UdpSocket>> socket = network_.BindUdp(
        net::TransportAddress(ip, port, net::TransportProtocol::kUdp),
        [](const net::DatagramView&) {});
    if (!socket.ok()) return socket.status();
    const uint16_t bound = (*socket)->local_address().port();
    held_.push_back(*std::move(socket));
    return bound;
  }

 private:
  net::Network& network_;
  std::vector<std::unique_ptr<net::UdpSocket>> held_;
};

// One attempt: the primary port, then (RFC 5780) the same port on the
// alternate IP and a second port free on both IPs.
absl::Status TryPorts(net::Network& network, BindingServerConfig& config) {
  PortHolder holder(network);
  const bool rfc5780 = config.alternate_ip.has_value();
  absl::StatusOr<uint16_t> primary =
      holder.Hold(config.primary.ip(), config.primary.port());
  if (!primary.ok()) return primary.status();
  uint16_t alternate = 0;
  if (rfc5780) {
    if (absl::StatusOr<uint16_t> same =
            holder.Hold(*config.alternate_ip, *primary);
        !same.ok()) {
      return same.status();
    }
    absl::StatusOr<uint16_t> other =
        holder.Hold(config.primary.ip(), *config.alternate_port);
    if (!other.ok()) return other.status();
    if (absl::StatusOr<uint16_t> both =
            holder.Hold(*config.alternate_ip, *other);
        !both.ok()) {
      return both.status();
    }
    alternate = *other;
  }
  config.primary = net::TransportAddress(config.primary.ip(), *primary,
                                         net::TransportProtocol::kUdp);
  if (rfc5780) config.alternate_port = alternate;
  return absl::OkStatus();
}

}  // namespace

absl::Status ChooseBindingServerPorts(net::Network& network,
                                      BindingServerConfig& config) {
  const bool rfc5780 = config.alternate_ip.has_value();
  if (config.primary.port() != 0 &&
      (!rfc5780 || config.alternate_port.value_or(1) != 0)) {
    return absl::OkStatus();
  }
  absl::Status last;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    BindingServerConfig candidate = config;
    last = TryPorts(network, candidate);
    if (last.ok()) {
      config = std::move(candidate);
      return absl::OkStatus();
    }
  }
  return absl::UnavailableError(
      absl::StrCat("no free ports for the STUN server after ", kPortAttempts,
                   " attempts: ", last.message()));
}

BindingService::BindingService(net::Network& network, BindingServer server,
                               EventCallback on_event)
    : server_(std::move(server)),
      driver_(network, server_, std::move(on_event)) {}

absl::StatusOr<std::unique_ptr<BindingService>> BindingService::Start(
    net::Network& network, BindingServerConfig config, EventCallback on_event) {
  // The server validates first, so a bad configuration is reported as such
  // and not as a port problem; port 0 stands in for the ports to choose.
  BindingServerConfig placeholder = config;
  if (placeholder.primary.port() == 0) {
    placeholder.primary = net::TransportAddress(placeholder.primary.ip(), 1,
                                                net::TransportProtocol::kUdp);
  }
  if (placeholder.alternate_port == uint16_t{0}) {
    placeholder.alternate_port = placeholder.primary.port() == 2 ? 3 : 2;
  }
  if (absl::Status valid = ValidateBindingServerConfig(placeholder);
      !valid.ok()) {
    return valid;
  }
  if (absl::Status chosen = ChooseBindingServerPorts(network, config);
      !chosen.ok()) {
    return chosen;
  }
  absl::StatusOr<BindingServer> server =
      BindingServer::Create(std::move(config));
  if (!server.ok()) return server.status();
  std::unique_ptr<BindingService> service(
      new BindingService(network, *std::move(server), std::move(on_event)));
  for (const net::TransportAddress& address :
       service->server_.LocalAddresses()) {
    absl::StatusOr<net::TransportAddress> bound =
        service->driver_.Bind(address);
    if (!bound.ok()) {
      return absl::Status(bound.status().code(),
                          absl::StrCat("cannot listen on ", address.ToString(),
                                       ": ", bound.status().message()));
    }
    service->addresses_.push_back(*bound);
  }
  return service;
}

}  // namespace pinhole::stun
