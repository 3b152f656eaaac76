// `TurnService`: a `TurnServer` bound to a `net::Network` (a simulated host or
// real sockets). Clients reach it over UDP through a `net::UdpDriver` and
// over TCP and TLS through a `stun::StreamDriver`; the relayed addresses are
// UDP sockets of the same UDP driver, opened and closed as the server asks.
// What `pinhole turn-server`, the simulated scenarios and the benchmarks run.
#ifndef PINHOLE_TURN_SERVICE_H_
#define PINHOLE_TURN_SERVICE_H_

#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/network.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "stun/stream_driver.h"
#include "turn/relay_sockets.h"
#include "turn/server.h"
#include "turn/server_config.h"

namespace pinhole::turn {

struct TurnServiceConfig {
  TurnServerConfig server;
  // Where clients reach the server, each UDP, TCP or TLS (TLS needs the
  // network's certificate: `net::real::RealNetwork::SetTlsServerConfig`, or
  // `sim::tls::InstallTls` on a simulated host). Port 0 lets the network
  // choose.
  std::vector<net::TransportAddress> listen;
};

class TurnService final : private RelaySockets {
 public:
  using EventCallback = absl::AnyInvocable<void(const TurnServer::Event&)>;

  // Creates the server (InvalidArgument for a bad configuration) and binds
  // every listening address. The host's own addresses join the peer policy's
  // (a relay must not reach its own host's services). `network` must outlive
  // the service.
  static absl::StatusOr<std::unique_ptr<TurnService>> Start(
      net::Network& network, TurnServiceConfig config,
      EventCallback on_event = {});
  TurnService(const TurnService&) = delete;
  TurnService& operator=(const TurnService&) = delete;
  ~TurnService() override;

  // The listening addresses as bound, in configuration order.
  const std::vector<net::TransportAddress>& addresses() const {
    return addresses_;
  }
  const TurnServer& server() const { return *server_; }
  size_t connections() const { return tcp_->connections(); }
  // Datagrams and stream writes the network refused (UDP sends count as
  // lost, as UDP may lose them anyway).
  uint64_t send_failures() const {
    return udp_->send_failures() + tcp_->send_failures();
  }

 private:
  explicit TurnService(net::Network& network) : network_(network) {}

  absl::Status Open(const net::TransportAddress& address,
                    bool dont_fragment) override;
  void Close(const net::TransportAddress& address) override;
  void OnEvent(TurnServer::Event event);

  net::Network& network_;
  EventCallback on_event_;
  std::vector<net::TransportAddress> addresses_;
  // Destroyed in reverse: the server first (it closes its relayed sockets
  // through udp_), then the drivers.
  std::unique_ptr<net::UdpDriver<TurnServer>> udp_;
  std::unique_ptr<stun::StreamDriver<TurnServer>> tcp_;
  std::unique_ptr<TurnServer> server_;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_SERVICE_H_
