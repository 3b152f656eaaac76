#include "sim/tls/install_tls.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/deterministic_random.h"
#include "net/tcp_stream.h"
#include "net/transport_address.h"
#include "sim/host.h"
#include "sim/packet.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tcp_handler.h"
#include "sim/tls/sim_tls_config.h"
#include "sim/tls/tls_environment.h"
#include "sim/tls/tls_stream.h"

namespace pinhole::sim::tls {
namespace {

net::TransportAddress WithProtocol(const net::TransportAddress& address,
                                   net::TransportProtocol protocol) {
  return net::TransportAddress(address.ip(), address.port(), protocol);
}

bool IsTls(const net::TransportAddress& address) {
  return address.protocol() == net::TransportProtocol::kTls;
}

}  // namespace

// A TLS listener: a TCP listener whose accepted streams go through the
// server's handshake here (owned, in order of arrival) and are handed to
// `on_accept` once it completes. A failed or timed-out handshake just drops
// its connection.
class TlsHandler::Listener final : public net::TcpListener {
 public:
  Listener(Host& host, std::shared_ptr<TcpLink> link,
           std::shared_ptr<const TlsEnvironment> environment,
           AcceptCallback on_accept)
      : host_(host),
        link_(std::move(link)),
        environment_(std::move(environment)),
        on_accept_(std::move(on_accept)) {}

  void set_tcp(std::unique_ptr<net::TcpListener> tcp) { tcp_ = std::move(tcp); }

  net::TransportAddress local_address() const override {
    return WithProtocol(tcp_->local_address(), net::TransportProtocol::kTls);
  }

  void OnTcpAccept(std::unique_ptr<net::TcpStream> tcp) {
    const uint64_t id = next_id_++;
    absl::StatusOr<std::unique_ptr<TlsStream>> stream = TlsStream::Accept(
        host_, link_, environment_, std::move(tcp),
        {
            .on_connected = [this, id] { HandOver(id); },
            .on_data = nullptr,
            .on_closed = [this,
                          id](const absl::Status&) { handshaking_.erase(id); },
        });
    // Without a TLS state, the connection goes with `tcp`.
    if (!stream.ok()) return;
    handshaking_.emplace(id, *std::move(stream));
  }

 private:
  void HandOver(uint64_t id) {
    auto it = handshaking_.find(id);
    if (it == handshaking_.end()) return;
    std::unique_ptr<TlsStream> stream = std::move(it->second);
    handshaking_.erase(it);
    // Held while it runs: it may destroy the listener.
    const std::weak_ptr<const int> alive = alive_;
    AcceptCallback accept = std::move(on_accept_);
    accept(std::move(stream));
    if (!alive.expired()) on_accept_ = std::move(accept);
  }

  Host& host_;
  const std::shared_ptr<TcpLink> link_;
  const std::shared_ptr<const TlsEnvironment> environment_;
  AcceptCallback on_accept_;
  // Declared before `tcp_`: destroyed after it, so that no accept runs into
  // a half-destroyed listener.
  std::map<uint64_t, std::unique_ptr<TlsStream>> handshaking_;
  uint64_t next_id_ = 0;
  std::unique_ptr<net::TcpListener> tcp_;
  const std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

TlsHandler::TlsHandler(Host& host, std::unique_ptr<TcpHandler> tcp_handler,
                       tcp::HostTcp& tcp,
                       std::shared_ptr<const TlsEnvironment> env)
    : host_(host),
      tcp_handler_(std::move(tcp_handler)),
      link_(std::make_shared<TcpLink>(TcpLink{&tcp})),
      environment_(std::move(env)) {}

TlsHandler::~TlsHandler() { link_->tcp = nullptr; }

void TlsHandler::HandlePacket(Packet packet) {
  tcp_handler_->HandlePacket(std::move(packet));
}

absl::StatusOr<std::unique_ptr<net::TcpListener>> TlsHandler::Listen(
    const net::TransportAddress& local,
    net::TcpListener::AcceptCallback on_accept) {
  if (!IsTls(local)) return tcp_handler_->Listen(local, std::move(on_accept));
  auto listener = std::make_unique<Listener>(host_, link_, environment_,
                                             std::move(on_accept));
  Listener* raw = listener.get();
  absl::StatusOr<std::unique_ptr<net::TcpListener>> tcp =
      tcp_handler_->Listen(WithProtocol(local, net::TransportProtocol::kTcp),
                           [raw](std::unique_ptr<net::TcpStream> stream) {
                             raw->OnTcpAccept(std::move(stream));
                           });
  if (!tcp.ok()) return tcp.status();
  listener->set_tcp(*std::move(tcp));
  return listener;
}

absl::StatusOr<std::unique_ptr<net::TcpStream>> TlsHandler::Connect(
    const net::TransportAddress& local, const net::TransportAddress& remote,
    net::TcpStream::Callbacks callbacks) {
  if (!IsTls(local) && !IsTls(remote)) {
    return tcp_handler_->Connect(local, remote, std::move(callbacks));
  }
  absl::StatusOr<std::unique_ptr<TlsStream>> stream = TlsStream::Connect(
      host_, link_, environment_, local, remote, std::move(callbacks));
  if (!stream.ok()) return stream.status();
  return std::unique_ptr<net::TcpStream>(*std::move(stream));
}

absl::Status InstallTls(Host& host, const SimTlsConfig& config) {
  auto* tcp = dynamic_cast<tcp::HostTcp*>(host.tcp_handler());
  if (tcp == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "host ", host.name(),
        ": TLS goes over the host's own TCP: call sim::tcp::InstallTcp "
        "first, and InstallTls once"));
  }
  absl::StatusOr<std::shared_ptr<TlsEnvironment>> environment =
      TlsEnvironment::Create(config,
                             std::make_unique<net::DeterministicRandom>(
                                 host.simulator().RandomStream(
                                     absl::StrCat("tls/", host.name()))));
  if (!environment.ok()) return environment.status();
  host.SetTcpHandler(std::make_unique<TlsHandler>(
      host, host.TakeTcpHandler(), *tcp, *std::move(environment)));
  return absl::OkStatus();
}

}  // namespace pinhole::sim::tls
