#include "turn/service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/udp_socket.h"

namespace pinhole::turn {

absl::StatusOr<std::unique_ptr<TurnService>> TurnService::Start(
    net::Network& network, TurnServiceConfig config, EventCallback on_event) {
  if (config.listen.empty()) {
    return absl::InvalidArgumentError(
        "a TURN server needs an address to listen on");
  }
  std::unique_ptr<TurnService> service(new TurnService(network));
  service->on_event_ = std::move(on_event);
  std::vector<net::IpAddress>& own = config.server.peer_policy.own_addresses;
  for (const net::IpAddress& ip : network.LocalAddresses()) own.push_back(ip);
  for (const net::TransportAddress& address : config.listen) {
    if (!address.ip().IsUnspecified()) own.push_back(address.ip());
  }
  const net::Duration idle =
      config.server.max_lifetime + net::Duration::Minutes(1);
  absl::StatusOr<std::unique_ptr<TurnServer>> server =
      TurnServer::Create(std::move(config.server), network.random(), *service);
  if (!server.ok()) return server.status();
  service->server_ = *std::move(server);
  TurnService* self = service.get();
  self->udp_ = std::make_unique<net::UdpDriver<TurnServer>>(
      network, *self->server_,
      [self](TurnServer::Event event) { self->OnEvent(std::move(event)); });
  self->tcp_ = std::make_unique<stun::StreamDriver<TurnServer>>(
      network, *self->server_,
      [self](TurnServer::Event event) { self->OnEvent(std::move(event)); });
  self->udp_->set_stream_sender(
      [self](const net::Datagram& datagram) { self->tcp_->Send(datagram); });
  self->tcp_->set_udp_sender(
      [self](const net::Datagram& datagram) { self->udp_->Send(datagram); });
  self->tcp_->set_on_closed([self](const net::TransportAddress& remote,
                                   const net::TransportAddress& local) {
    self->server_->HandleConnectionClosed(self->network_.clock().Now(), remote,
                                          local);
    self->tcp_->Flush();
  });
  // RFC 8656 §3.1 ties an allocation's life to its connection, and a client
  // refreshes at least once per lifetime: a connection silent for longer
  // than the longest lifetime holds nothing.
  self->tcp_->set_idle_timeout(idle);
  for (const net::TransportAddress& address : config.listen) {
    absl::StatusOr<net::TransportAddress> bound =
        address.protocol() == net::TransportProtocol::kUdp
            ? self->udp_->Bind(address)
            : self->tcp_->Listen(address);
    if (!bound.ok()) {
      return absl::Status(bound.status().code(),
                          absl::StrCat("listening on ", address.ToString(),
                                       ": ", bound.status().message()));
    }
    self->addresses_.push_back(*bound);
  }
  return service;
}

TurnService::~TurnService() { server_.reset(); }

absl::Status TurnService::Open(const net::TransportAddress& address,
                               bool dont_fragment) {
  absl::StatusOr<net::TransportAddress> bound = udp_->Bind(address);
  if (!bound.ok()) return bound.status();
  if (dont_fragment) {
    absl::Status df = udp_->socket(*bound)->SetDontFragment(true);
    if (!df.ok()) {
      udp_->Unbind(*bound);
      return df;
    }
  }
  return absl::OkStatus();
}

void TurnService::Close(const net::TransportAddress& address) {
  udp_->Unbind(address);
}

void TurnService::OnEvent(TurnServer::Event event) {
  if (on_event_) on_event_(event);
}

}  // namespace pinhole::turn
