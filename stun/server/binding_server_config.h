// `BindingServerConfig`: what a STUN Binding server serves (RFC 8489 §6.3,
// RFC 5780 §6), and `BindingServerAddresses`, the transport addresses that
// follow from it.
#ifndef PINHOLE_STUN_SERVER_BINDING_SERVER_CONFIG_H_
#define PINHOLE_STUN_SERVER_BINDING_SERVER_CONFIG_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/transport_address.h"

namespace pinhole::stun {

struct BindingServerConfig {
  // Where the server listens: its primary transport address, UDP or (without
  // RFC 5780) TCP. The IP may
  // be unspecified (0.0.0.0 or ::) only without RFC 5780, whose RESPONSE-ORIGIN
  // and OTHER-ADDRESS must name real addresses; the port must not be 0.
  net::TransportAddress primary;
  // RFC 5780 behaviour discovery: both set, or neither. The alternate IP must
  // be of the same family as, and differ from, primary's IP; the alternate
  // port must differ from primary's port.
  std::optional<net::IpAddress> alternate_ip;
  std::optional<uint16_t> alternate_port;
  // SOFTWARE in every response (RFC 8489 §14.14: under 128 characters, at
  // most 509 bytes of UTF-8); empty = omit.
  std::string software = "Pinhole";
  // Optional short-term authentication (RFC 8489 §9.1): username -> password.
  // Empty = none. Usernames are distinct and non-empty; both are prepared
  // with OpaqueString (RFC 8265 §4.2) as RFC 8489 §9.1.1 and §14.3 require.
  std::vector<std::pair<std::string, std::string>> short_term_users;
};

// OK, or InvalidArgument naming the first problem. Credentials are checked by
// `ShortTermCredentials::Create` (short_term_credentials.h).
absl::Status ValidateBindingServerConfig(const BindingServerConfig& config);

// The UDP transport addresses a Binding server answers on: one (the primary)
// or, with RFC 5780, four. An address's index has bit 1 set when it uses the
// alternate IP and bit 0 when it uses the alternate port:
//
//   index  address          RFC 5780 §6.1 name
//   0      P.ip:P.port      A1:P1 (primary)
//   1      P.ip:A.port      A1:P2
//   2      A.ip:P.port      A2:P1
//   3      A.ip:A.port      A2:P2
//
// so "change IP" is `index ^ kChangeIp`, "change port" `index ^ kChangePort`,
// and OTHER-ADDRESS of a request that arrived on `index` is `index ^ 3`.
class BindingServerAddresses {
 public:
  static constexpr int kChangePort = 1;
  static constexpr int kChangeIp = 2;

  // `config` must be valid (ValidateBindingServerConfig).
  explicit BindingServerAddresses(const BindingServerConfig& config);

  // RFC 5780 behaviour discovery is configured: four addresses.
  bool behavior_discovery() const { return count_ == 4; }
  absl::Span<const net::TransportAddress> all() const {
    return absl::MakeConstSpan(addresses_.data(), count_);
  }
  const net::TransportAddress& at(int index) const { return addresses_[index]; }

  // The index of the served address a datagram sent to `destination` arrived
  // on, or nullopt when it is none of them. A single primary address serves
  // every destination (a driver on a wildcard socket may not know the real
  // one); with RFC 5780 the IP and port must match one of the four exactly.
  std::optional<int> ArrivalIndex(
      const net::TransportAddress& destination) const;

  // Whether `address` is exactly one of the served addresses.
  bool Contains(const net::TransportAddress& address) const;

 private:
  std::array<net::TransportAddress, 4> addresses_;
  size_t count_ = 1;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_SERVER_BINDING_SERVER_CONFIG_H_
