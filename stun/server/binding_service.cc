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
#include "net/tcp_stream.h"
#include "net/udp_socket.h"

namespace pinhole::stun {
namespace {

constexpr int kPortAttempts = 20;

// Binds the sockets of one attempt and keeps them until it ends.
class PortHolder {
 public:
  explicit PortHolder(net::Network& network, net::TransportProtocol protocol)
      : network_(network), protocol_(protocol) {}

  absl::StatusOr<uint16_t> Hold(const net::IpAddress& ip, uint16_t port) {
    const net::TransportAddress address(ip, port, protocol_);
    if (protocol_ == net::TransportProtocol::kUdp) {
      absl::StatusOr<std::unique_ptr<net::UdpSocket>> socket =
          network_.BindUdp(address, [](const net::DatagramView&) {});
      if (!socket.ok()) return socket.status();
      const uint16_t bound = (*socket)->local_address().port();
      udp_.push_back(*std::move(socket));
      return bound;
    }
    absl::StatusOr<std::unique_ptr<net::TcpListener>> listener =
        network_.ListenTcp(address, [](std::unique_ptr<net::TcpStream>) {});
    if (!listener.ok()) return listener.status();
    const uint16_t bound = (*listener)->local_address().port();
    tcp_.push_back(*std::move(listener));
    return bound;
  }

 private:
  net::Network& network_;
  const net::TransportProtocol protocol_;
  std::vector<std::unique_ptr<net::UdpSocket>> udp_;
  std::vector<std::unique_ptr<net::TcpListener>> tcp_;
};

// One attempt: the primary port, then (RFC 5780) the same port on the
// alternate IP and a second port free on both IPs.
absl::Status TryPorts(net::Network& network, BindingServerConfig& config) {
  PortHolder holder(network, config.primary.protocol());
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
                                         config.primary.protocol());
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

absl::StatusOr<std::unique_ptr<BindingService>> BindingService::Start(
    net::Network& network, BindingServerConfig config, EventCallback on_event) {
  // The server validates first, so a bad configuration is reported as such
  // and not as a port problem; port 0 stands in for the ports to choose.
  BindingServerConfig placeholder = config;
  if (placeholder.primary.port() == 0) {
    placeholder.primary = net::TransportAddress(placeholder.primary.ip(), 1,
                                                placeholder.primary.protocol());
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
      new BindingService(*std::move(server)));
  if (absl::Status bound = service->Bind(network, std::move(on_event));
      !bound.ok()) {
    return bound;
  }
  return service;
}

absl::Status BindingService::Bind(net::Network& network,
                                  EventCallback on_event) {
  const bool tcp = server_.LocalAddresses().front().protocol() ==
                   net::TransportProtocol::kTcp;
  if (tcp) {
    tcp_ = std::make_unique<StreamDriver<BindingServer>>(network, server_,
                                                         std::move(on_event));
    tcp_->set_idle_timeout(kTcpIdleTimeout);
  } else {
    udp_ = std::make_unique<net::UdpDriver<BindingServer>>(network, server_,
                                                           std::move(on_event));
  }
  for (const net::TransportAddress& address : server_.LocalAddresses()) {
    absl::StatusOr<net::TransportAddress> bound =
        tcp ? tcp_->Listen(address) : udp_->Bind(address);
    if (!bound.ok()) {
      return absl::Status(bound.status().code(),
                          absl::StrCat("cannot listen on ", address.ToString(),
                                       ": ", bound.status().message()));
    }
    addresses_.push_back(*bound);
  }
  return absl::OkStatus();
}

}  // namespace pinhole::stun
