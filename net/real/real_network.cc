#include "net/real/real_network.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/ip_address.h"
#include "net/real/event_loop.h"
#include "net/real/local_addresses.h"
#include "net/real/loop_timer.h"
#include "net/real/real_tcp_listener.h"
#include "net/real/real_tcp_stream.h"
#include "net/real/real_tls_listener.h"
#include "net/real/real_tls_stream.h"
#include "net/real/real_udp_socket.h"
#include "net/real/tls_config.h"
#include "net/real/tls_context.h"
#include "net/tcp_stream.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net::real {
namespace {

bool IsTls(const TransportAddress& address) {
  return address.protocol() == TransportProtocol::kTls;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RealNetwork>> RealNetwork::Create() {
  absl::StatusOr<std::unique_ptr<EventLoop>> loop = EventLoop::Create();
  if (!loop.ok()) return loop.status();
  EventLoop& ref = **loop;
  return std::unique_ptr<RealNetwork>(new RealNetwork(*std::move(loop), ref));
}

std::unique_ptr<RealNetwork> RealNetwork::CreateOn(EventLoop& loop) {
  return std::unique_ptr<RealNetwork>(new RealNetwork(nullptr, loop));
}

RealNetwork::RealNetwork(std::unique_ptr<EventLoop> owned, EventLoop& loop)
    : owned_loop_(std::move(owned)), loop_(loop) {}

RealNetwork::~RealNetwork() = default;

absl::Status RealNetwork::SetTlsServerConfig(const TlsServerConfig& config) {
  absl::StatusOr<std::shared_ptr<const TlsContext>> context =
      TlsContext::ForServer(config);
  if (!context.ok()) return context.status();
  tls_server_ = *std::move(context);
  return absl::OkStatus();
}

absl::Status RealNetwork::SetTlsClientConfig(const TlsClientConfig& config) {
  absl::StatusOr<std::shared_ptr<const TlsContext>> context =
      TlsContext::ForClient(config);
  if (!context.ok()) return context.status();
  tls_client_ = *std::move(context);
  return absl::OkStatus();
}

std::vector<IpAddress> RealNetwork::LocalAddresses() const {
  absl::StatusOr<std::vector<IpAddress>> addresses = ListLocalAddresses();
  if (!addresses.ok()) return {};
  return *std::move(addresses);
}

std::unique_ptr<Timer> RealNetwork::CreateTimer(
    absl::AnyInvocable<void()> on_fire) {
  return std::make_unique<LoopTimer>(loop_, std::move(on_fire));
}

absl::StatusOr<std::unique_ptr<UdpSocket>> RealNetwork::BindUdp(
    const TransportAddress& local, UdpSocket::ReceiveCallback on_receive) {
  return RealUdpSocket::Bind(loop_, local, std::move(on_receive));
}

absl::StatusOr<std::unique_ptr<TcpListener>> RealNetwork::ListenTcp(
    const TransportAddress& local, TcpListener::AcceptCallback on_accept) {
  if (!IsTls(local)) {
    return RealTcpListener::Listen(loop_, local, std::move(on_accept));
  }
  if (tls_server_ == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot listen for TLS at ", local.ToString(),
        ": no TLS server configuration (certificate and key); call "
        "RealNetwork::SetTlsServerConfig first"));
  }
  return RealTlsListener::Listen(loop_, tls_server_, local,
                                 std::move(on_accept));
}

absl::StatusOr<std::unique_ptr<TcpStream>> RealNetwork::ConnectTcp(
    const TransportAddress& local, const TransportAddress& remote,
    TcpStream::Callbacks callbacks) {
  if (!IsTls(local) && !IsTls(remote)) {
    return RealTcpStream::Connect(loop_, local, remote, std::move(callbacks));
  }
  if (tls_client_ == nullptr) {
    absl::StatusOr<std::shared_ptr<const TlsContext>> defaults =
        TlsContext::ForClient(TlsClientConfig());
    if (!defaults.ok()) return defaults.status();
    tls_client_ = *std::move(defaults);
  }
  return RealTlsStream::Connect(loop_, tls_client_, local, remote,
                                std::move(callbacks));
}

}  // namespace pinhole::net::real
