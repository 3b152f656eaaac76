// `InstallTls`: TLS over a simulated host's TCP, so that `ListenTcp` and
// `ConnectTcp` take `kTls` addresses (net/tcp_stream.h: "a stream of protocol
// kTls is TLS over TCP: the bytes seen here are the plaintext"), as the
// real-socket backend's do. A TURN server listening on TLS port 443 and a
// TURN client or ICE agent whose server address is `kTls` then run in the
// simulator unchanged.
//
//   sim::tcp::InstallTcp(host);
//   absl::Status s = sim::tls::InstallTls(host);  // Test credentials.
//   host.ListenTcp({ip, 443, net::TransportProtocol::kTls}, on_accept);
//
// What it does: the host's TCP handler (a `tcp::HostTcp`) is wrapped in a
// `TlsHandler` that passes every packet and every plain-TCP call through
// unchanged, and turns a call with a `kTls` address into the same call with
// `kTcp` plus a `TlsStream` (tls_stream.h) on top. TLS and plain TCP share
// the host's port space: a TLS listener on 443 takes TCP port 443.
//
// The handshake is real TLS (OpenSSL, TLS 1.3 between two Pinhole hosts),
// and the pcap shows it as such. It is deterministic: every random byte
// OpenSSL draws comes from the simulator's stream "tls/HOSTNAME"
// (seeded_openssl.h), no session tickets are sent, and certificates are
// checked at the simulated time mapped onto a fixed date (sim_tls_config.h),
// so the same seed gives the same bytes.
#ifndef PINHOLE_SIM_TLS_INSTALL_TLS_H_
#define PINHOLE_SIM_TLS_INSTALL_TLS_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

// Gives `host`, whose TCP handler must be a `tcp::HostTcp` (call
// `tcp::InstallTcp` first), TLS. FailedPrecondition without a HostTcp (or
// when TLS is installed already); InvalidArgument for unusable credentials.
absl::Status InstallTls(Host& host, const SimTlsConfig& config = {});

class TlsHandler final : public TcpHandler {
 public:
  TlsHandler(Host& host, std::unique_ptr<TcpHandler> tcp_handler,
             tcp::HostTcp& tcp, std::shared_ptr<const TlsEnvironment> env);
  TlsHandler(const TlsHandler&) = delete;
  TlsHandler& operator=(const TlsHandler&) = delete;
  ~TlsHandler() override;

  // sim::TcpHandler.
  void HandlePacket(Packet packet) override;
  absl::StatusOr<std::unique_ptr<net::TcpListener>> Listen(
      const net::TransportAddress& local,
      net::TcpListener::AcceptCallback on_accept) override;
  absl::StatusOr<std::unique_ptr<net::TcpStream>> Connect(
      const net::TransportAddress& local, const net::TransportAddress& remote,
      net::TcpStream::Callbacks callbacks) override;

  tcp::HostTcp& host_tcp() const { return *link_->tcp; }

 private:
  class Listener;

  Host& host_;
  const std::unique_ptr<TcpHandler> tcp_handler_;
  const std::shared_ptr<TcpLink> link_;
  const std::shared_ptr<const TlsEnvironment> environment_;
};

}  // namespace pinhole::sim::tls

#endif  // PINHOLE_SIM_TLS_INSTALL_TLS_H_
