// `TransportAddress`: an IP address, a port and the transport protocol, the
// unit STUN, TURN and ICE speak of ("transport address", RFC 8489 §3).
#ifndef PINHOLE_NET_TRANSPORT_ADDRESS_H_
#define PINHOLE_NET_TRANSPORT_ADDRESS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"

namespace pinhole::net {

enum class TransportProtocol : uint8_t {
  kUdp,
  kTcp,
  kTls,  // TLS over TCP.
};

// "udp", "tcp" or "tls".
absl::string_view TransportProtocolName(TransportProtocol protocol);
// Parses "udp", "tcp" or "tls" (any case).
absl::StatusOr<TransportProtocol> ParseTransportProtocol(
    absl::string_view name);

class TransportAddress {
 public:
  // 0.0.0.0:0 over UDP.
  constexpr TransportAddress() = default;
  TransportAddress(IpAddress ip, uint16_t port,
                   TransportProtocol protocol = TransportProtocol::kUdp)
      : ip_(ip), port_(port), protocol_(protocol) {}

  // Parses "ADDRESS:PORT" with an optional "/PROTOCOL" suffix, where an IPv6
  // ADDRESS is in brackets (RFC 3986 §3.2.2): "192.0.2.1:3478",
  // "[2001:db8::1]:443/tls". Without a suffix the protocol is
  // `default_protocol`. Ports are decimal 0-65535 without leading zeros.
  static absl::StatusOr<TransportAddress> Parse(
      absl::string_view text,
      TransportProtocol default_protocol = TransportProtocol::kUdp);

  const IpAddress& ip() const { return ip_; }
  uint16_t port() const { return port_; }
  TransportProtocol protocol() const { return protocol_; }
  AddressFamily family() const { return ip_.family(); }

  // "192.0.2.1:3478/udp", "[2001:db8::1]:443/tls": the form Parse() reads back.
  std::string ToString() const;
  // "192.0.2.1:3478", "[2001:db8::1]:443": without the protocol.
  std::string HostPort() const;

  // Ordered by address, then port, then protocol.
  friend bool operator==(const TransportAddress& a, const TransportAddress& b) {
    return a.Tie() == b.Tie();
  }
  friend bool operator!=(const TransportAddress& a, const TransportAddress& b) {
    return !(a == b);
  }
  friend bool operator<(const TransportAddress& a, const TransportAddress& b) {
    return a.Tie() < b.Tie();
  }
  friend bool operator>(const TransportAddress& a, const TransportAddress& b) {
    return b < a;
  }
  friend bool operator<=(const TransportAddress& a, const TransportAddress& b) {
    return !(b < a);
  }
  friend bool operator>=(const TransportAddress& a, const TransportAddress& b) {
    return !(a < b);
  }

  template <typename H>
  friend H AbslHashValue(H h, const TransportAddress& a) {
    return H::combine(std::move(h), a.ip_, a.port_, a.protocol_);
  }

 private:
  std::tuple<const IpAddress&, uint16_t, TransportProtocol> Tie() const {
    return std::tie(ip_, port_, protocol_);
  }

  IpAddress ip_;
  uint16_t port_ = 0;
  TransportProtocol protocol_ = TransportProtocol::kUdp;
};

std::ostream& operator<<(std::ostream& os, const TransportAddress& address);

}  // namespace pinhole::net

#endif  // PINHOLE_NET_TRANSPORT_ADDRESS_H_
