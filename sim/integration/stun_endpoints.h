// STUN at both ends of the integration tests, over `net::UdpSocket`s of
// simulated hosts (the net/ seam), with real messages from stun/:
//
// - `UdpEndpoint`: a bound socket that records every datagram it receives
//   (time, addresses, bytes) and sends Binding requests whose transaction IDs
//   come from its host's random stream.
// - `StunServer`: answers every Binding request with a success response
//   carrying the XOR-MAPPED-ADDRESS of the source it saw, SOFTWARE and
//   FINGERPRINT, at once (RFC 8489 §6.3.1); it records each request as seen.
//
// Test-only: sim/ libraries never depend on stun/.
#ifndef PINHOLE_SIM_INTEGRATION_STUN_ENDPOINTS_H_
#define PINHOLE_SIM_INTEGRATION_STUN_ENDPOINTS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/host.h"
#include "stun/message.h"

namespace pinhole::sim {

struct ReceivedDatagram {
  net::Time time;
  net::TransportAddress source;
  net::TransportAddress destination;
  std::vector<uint8_t> payload;
};

class UdpEndpoint {
 public:
  static absl::StatusOr<std::unique_ptr<UdpEndpoint>> Bind(
      Host& host, const net::TransportAddress& local);

  net::UdpSocket& socket() { return *socket_; }
  net::TransportAddress local_address() const {
    return socket_->local_address();
  }
  const std::vector<ReceivedDatagram>& received() const { return received_; }

  // Sends a Binding request (with SOFTWARE) to `server`; returns its
  // transaction ID.
  absl::StatusOr<stun::TransactionId> SendBindingRequest(
      const net::TransportAddress& server);

 private:
  explicit UdpEndpoint(Host& host) : host_(host) {}

  Host& host_;
  std::vector<ReceivedDatagram> received_;
  std::unique_ptr<net::UdpSocket> socket_;
};

// The XOR-MAPPED-ADDRESS of `bytes`, which must be a Binding success response
// for transaction `id`.
absl::StatusOr<net::TransportAddress> ParseBindingResponse(
    absl::Span<const uint8_t> bytes, const stun::TransactionId& id);

class StunServer {
 public:
  static absl::StatusOr<std::unique_ptr<StunServer>> Bind(
      Host& host, const net::TransportAddress& local);

  // Every Binding request answered, as it arrived.
  const std::vector<ReceivedDatagram>& requests() const { return requests_; }
  net::UdpSocket& socket() { return *socket_; }

 private:
  StunServer() = default;
  void OnDatagram(const net::DatagramView& datagram);

  std::vector<ReceivedDatagram> requests_;
  std::unique_ptr<net::UdpSocket> socket_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_INTEGRATION_STUN_ENDPOINTS_H_
