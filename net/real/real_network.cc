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
#include "net/real/real_udp_socket.h"
#include "net/tcp_stream.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net::real {
namespace {

absl::Status RefuseTls(const TransportAddress& address) {
  return absl::UnimplementedError(absl::StrCat(
      "TLS (", address.ToString(),
      ") needs a certificate configuration, which RealNetwork does not take "
      "yet; TLS comes with TURN"));
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
  if (local.protocol() == TransportProtocol::kTls) return RefuseTls(local);
  return RealTcpListener::Listen(loop_, local, std::move(on_accept));
}

absl::StatusOr<std::unique_ptr<TcpStream>> RealNetwork::ConnectTcp(
    const TransportAddress& local, const TransportAddress& remote,
    TcpStream::Callbacks callbacks) {
  if (remote.protocol() == TransportProtocol::kTls) return RefuseTls(remote);
  if (local.protocol() == TransportProtocol::kTls) return RefuseTls(local);
  return RealTcpStream::Connect(loop_, local, remote, std::move(callbacks));
}

}  // namespace pinhole::net::real
