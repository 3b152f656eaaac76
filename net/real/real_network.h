// `RealNetwork`: `net::Network` over the operating system (Linux): real UDP
// and TCP sockets, CLOCK_MONOTONIC, OpenSSL's CSPRNG, all driven by one
// `EventLoop` on one thread. The same drivers that run on the simulator's
// hosts run here unchanged.
//
//   auto network = *RealNetwork::Create();
//   auto socket = *network->BindUdp(
//       *TransportAddress::Parse("0.0.0.0:3478"),
//       [&](const DatagramView& d) { ... });
//   network->StopOnSignals({SIGINT, SIGTERM}).IgnoreError();
//   network->Run();  // Until a signal, or Stop() from a callback.
//
// What each object does is in its header: real_udp_socket.h,
// real_tcp_stream.h, real_tcp_listener.h, loop_timer.h, event_loop.h,
// local_addresses.h, real_tls_stream.h, real_tls_listener.h. On top of
// those:
// - TLS (`kTls` addresses; see README.md, "TLS"): `ListenTcp` needs a server
//   configuration (`SetTlsServerConfig`) and is FailedPrecondition without
//   one; `ConnectTcp` uses the client configuration (`SetTlsClientConfig`),
//   or `TlsClientConfig`'s defaults when none was set. A configuration
//   applies to the listeners and connections made after it.
// - `LocalAddresses()` is empty when getifaddrs fails.
//
// Lifetime: everything the network hands out must be destroyed before the
// event loop it runs on, in any order among themselves. Destroying the loop
// (the network, when it owns the loop) while a timer, socket, listener or
// stream is alive aborts the process with a message saying what is left. A
// network made with `CreateOn` may go before the objects it made, provided
// the loop outlives them.
#ifndef PINHOLE_NET_REAL_REAL_NETWORK_H_
#define PINHOLE_NET_REAL_REAL_NETWORK_H_

#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/clock.h"
#include "net/crypto_random.h"
#include "net/ip_address.h"
#include "net/network.h"
#include "net/random.h"
#include "net/real/event_loop.h"
#include "net/real/tls_config.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net::real {

class TlsContext;

class RealNetwork final : public Network {
 public:
  // A network with an event loop of its own.
  static absl::StatusOr<std::unique_ptr<RealNetwork>> Create();
  // A network on `loop`, which must outlive it and everything it makes.
  // Several networks may share one loop.
  static std::unique_ptr<RealNetwork> CreateOn(EventLoop& loop);

  RealNetwork(const RealNetwork&) = delete;
  RealNetwork& operator=(const RealNetwork&) = delete;
  ~RealNetwork() override;

  EventLoop& loop() const { return loop_; }
  // The loop's, see event_loop.h.
  void Run() { loop_.Run(); }
  bool RunUntil(absl::FunctionRef<bool()> done, Time deadline) {
    return loop_.RunUntil(done, deadline);
  }
  void Stop() { loop_.Stop(); }
  absl::Status StopOnSignals(std::initializer_list<int> signals) {
    return loop_.StopOnSignals(signals);
  }
  std::optional<int> stop_signal() const { return loop_.stop_signal(); }

  // Loads and checks the certificate chain and key that TLS listeners made
  // from now on present (see tls_config.h and tls_context.h for the errors,
  // each naming the file at fault). On error the previous configuration, if
  // any, stays.
  absl::Status SetTlsServerConfig(const TlsServerConfig& config);
  // Loads the trusted certificates for TLS connections made from now on.
  absl::Status SetTlsClientConfig(const TlsClientConfig& config);

  // net::Network.
  const Clock& clock() const override { return loop_.clock(); }
  Random& random() override { return random_; }
  std::vector<IpAddress> LocalAddresses() const override;
  std::unique_ptr<Timer> CreateTimer(
      absl::AnyInvocable<void()> on_fire) override;
  absl::StatusOr<std::unique_ptr<UdpSocket>> BindUdp(
      const TransportAddress& local,
      UdpSocket::ReceiveCallback on_receive) override;
  absl::StatusOr<std::unique_ptr<TcpListener>> ListenTcp(
      const TransportAddress& local,
      TcpListener::AcceptCallback on_accept) override;
  absl::StatusOr<std::unique_ptr<TcpStream>> ConnectTcp(
      const TransportAddress& local, const TransportAddress& remote,
      TcpStream::Callbacks callbacks) override;

 private:
  RealNetwork(std::unique_ptr<EventLoop> owned, EventLoop& loop);

  const std::unique_ptr<EventLoop> owned_loop_;  // Null for CreateOn.
  EventLoop& loop_;
  CryptoRandom random_;
  std::shared_ptr<const TlsContext> tls_server_;  // Null until configured.
  std::shared_ptr<const TlsContext> tls_client_;  // Null until first needed.
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_REAL_NETWORK_H_
