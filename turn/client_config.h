// `TurnClientConfig`: what one `TurnClient` allocation asks of its server
// (RFC 8656 §7.1), and the checks that keep a request the server would answer
// with 400 from ever leaving the client.
#ifndef PINHOLE_TURN_CLIENT_CONFIG_H_
#define PINHOLE_TURN_CLIENT_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/transaction.h"

namespace pinhole::turn {

struct TurnClientConfig {
  // The client's transport address: over UDP the bound socket's address (a
  // driver sends each datagram from the socket bound at its source; port 0
  // means "not bound yet", see `TurnClient::SetLocalAddress`), over TCP or
  // TLS the address to connect from (`0.0.0.0:0/tcp` or `[::]:0/tcp` lets
  // the driver choose). Same family and protocol as `server`.
  net::TransportAddress local;
  // The TURN server; its protocol (UDP, TCP or TLS) is the transport between
  // client and server. Peers are always reached over UDP (RFC 8656 §3.1).
  net::TransportAddress server;
  // The long-term credential (RFC 8489 §9.2). An empty username sends
  // unauthenticated requests, which some networks' servers accept
  // (RFC 8656 §7.2 item 1).
  stun::LongTermCredential credential;
  // REQUESTED-ADDRESS-FAMILY; unset asks for the server's default (IPv4).
  std::optional<net::AddressFamily> requested_family;
  // ADDITIONAL-ADDRESS-FAMILY IPv6: a dual allocation, an IPv4 and an IPv6
  // relayed address (RFC 8656 §7.1). Excludes `requested_family`.
  bool additional_ipv6 = false;
  // LIFETIME in the Allocate and every Refresh; unset leaves the first choice
  // to the server (600 s by default) and then asks to keep what it granted.
  // Whole seconds, at least one.
  std::optional<net::Duration> requested_lifetime;
  // EVEN-PORT, with the R bit when `reserve_next_port` (RFC 8656 §7.1).
  bool even_port = false;
  bool reserve_next_port = false;
  // RESERVATION-TOKEN: take the port a previous allocation reserved. Excludes
  // EVEN-PORT and both address-family attributes (RFC 8656 §7.2 item 5).
  std::optional<uint64_t> reservation_token;
  // DONT-FRAGMENT in the Allocate request (a server without it answers 420,
  // RFC 8656 §7.4) and in every Send indication. ChannelData cannot carry
  // it: for DF on all data, turn `use_channels` off too.
  bool dont_fragment = false;
  // Bind a channel (RFC 8656 §12) to each peer that data is sent to, and send
  // ChannelData once it is bound; otherwise Send indications only.
  bool use_channels = true;
  // SOFTWARE in every request; empty for none.
  std::string software = "Pinhole";
  stun::RetransmissionOptions retransmission;

  // InvalidArgument naming the first problem: addresses of different
  // families or protocols, a server one cannot send to, attribute
  // combinations RFC 8656 §7.2 rejects with 400, a lifetime outside
  // 1 s..2^32-1 s, an over-long SOFTWARE, invalid retransmission options.
  absl::Status Validate() const;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_CLIENT_CONFIG_H_
