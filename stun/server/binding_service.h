// `BindingService`: a `BindingServer` bound to a `net::Network` (the
// simulator's hosts or real sockets): over UDP through a `net::UdpDriver`,
// one socket per address the server serves; over TCP (RFC 8489 §6.2.2)
// through a `StreamDriver` listening at the primary address. What
// `pinhole stun-server`, the conformance tests and the benchmarks run.
//
// Port 0 in the configuration means "choose": the service asks the network
// for free ports first. An RFC 5780 server needs its alternate port free on
// both IPs (and its primary port too), so the four addresses are bound
// together, released, and bound again by the driver; on a real host another
// process may take a port in that instant, so choosing is retried.
#ifndef PINHOLE_STUN_SERVER_BINDING_SERVICE_H_
#define PINHOLE_STUN_SERVER_BINDING_SERVICE_H_

#include <memory>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/network.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "stun/server/binding_server.h"
#include "stun/stream_driver.h"

namespace pinhole::stun {

class BindingService {
 public:
  // Over TCP, a connection silent this long is closed (RFC 8489 §6.2.2: the
  // server keeps it "unless the server has determined that the connection
  // has timed out"); a Binding client has no reason to stay silent so long,
  // and idle connections would otherwise hold the connection cap.
  static constexpr net::Duration kTcpIdleTimeout = net::Duration::Minutes(2);

  using EventCallback = absl::AnyInvocable<void(BindingServer::Event)>;

  // Creates the server (InvalidArgument for a bad configuration), chooses the
  // ports left 0, and binds every address it serves.
  static absl::StatusOr<std::unique_ptr<BindingService>> Start(
      net::Network& network, BindingServerConfig config,
      EventCallback on_event = {});
  BindingService(const BindingService&) = delete;
  BindingService& operator=(const BindingService&) = delete;

  const BindingServer& server() const { return server_; }
  // The bound addresses: primary first (then, with RFC 5780, P.ip:A.port,
  // A.ip:P.port, A.ip:A.port).
  const std::vector<net::TransportAddress>& addresses() const {
    return addresses_;
  }

 private:
  explicit BindingService(BindingServer server) : server_(std::move(server)) {}
  absl::Status Bind(net::Network& network, EventCallback on_event);

  BindingServer server_;
  // One of the two, by the primary address's protocol.
  std::unique_ptr<net::UdpDriver<BindingServer>> udp_;
  std::unique_ptr<StreamDriver<BindingServer>> tcp_;
  std::vector<net::TransportAddress> addresses_;
};

// Replaces port 0 in `config` (primary, and alternate port) by ports free on
// `network` now. Unavailable when none were found in 20 attempts.
absl::Status ChooseBindingServerPorts(net::Network& network,
                                      BindingServerConfig& config);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_SERVER_BINDING_SERVICE_H_
