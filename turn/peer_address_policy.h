// `PeerAddressPolicy`: which peers a Pinhole TURN server relays to.
//
// A TURN relay sends whatever its clients ask to whatever address they name,
// from inside the operator's network. Left open it lets anyone holding
// credentials reach the server's loopback services, the private networks
// behind it and the cloud metadata service: the abuse of TURN relays to reach
// internal networks. RFC 8656 §10.2 lets a server "impose restrictions on the
// IP address allowed in the XOR-PEER-ADDRESS attribute" and refuse with 403
// (Forbidden); this policy is Pinhole's restriction. The server asks it about
// every peer address a client names (CreatePermission, ChannelBind, Send
// indication, and the TCP Connect of RFC 6062, on every transport) and
// answers 403 when it refuses, with the verdict's reason as the reason phrase
// and in its log.
//
// What is refused by default
// --------------------------
//   unspecified            0.0.0.0, ::
//   this network           0.0.0.0/8 (RFC 1122 §3.2.1.3)
//   loopback               127.0.0.0/8, ::1
//   link-local             169.254.0.0/16 (holds the cloud metadata service,
//                          169.254.169.254), fe80::/10
//   multicast              224.0.0.0/4, ff00::/8
//   limited broadcast      255.255.255.255
//   reserved               240.0.0.0/4 (RFC 1112 "class E")
//   private                10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918)
//   carrier-grade NAT shared address space
//                          100.64.0.0/10 (RFC 6598)
//   unique-local           fc00::/7 (RFC 4193; holds the IPv6 metadata
//                          service of some clouds, fd00:ec2::254)
//   site-local             fec0::/10 (deprecated by RFC 3879, still routed
//                          by some stacks)
//   discard-only           100::/64 (RFC 6666)
//   the server's own addresses, as configured.
//
// The documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
// 2001:db8::/32) are NOT refused: Pinhole's simulator gives its public hosts
// addresses from them, so refusing them would refuse every simulated peer. On
// the Internet they are never routed, so allowing them opens nothing.
//
// IPv6 spellings of IPv4 addresses
// --------------------------------
// A peer named in IPv6 that carries an IPv4 address reaches that IPv4 address
// through a dual-stack socket, a NAT64, a 6to4 relay or a Teredo relay. Such a
// peer is refused when the IPv4 address it carries would be refused on its own
// (by a default or by an explicit rule), whatever the IPv6 address itself:
//   IPv4-mapped            ::ffff:0:0/96, the IPv4 address in bits 96-127
//   IPv4-compatible        ::/96 other than :: and ::1 (deprecated, RFC 4291)
//   IPv4-translated        ::ffff:0:0:0/96 (RFC 2765)
//   NAT64 well-known       64:ff9b::/96, bits 96-127 (RFC 6052)
//   NAT64 local-use        64:ff9b:1::/48 (RFC 8215), read with the /48
//                          layout of RFC 6052 §2.2: bits 48-63 and 72-87,
//                          skipping the u-octet (bits 64-71)
//   6to4                   2002::/16, bits 16-47 (RFC 3056)
//   Teredo                 2001::/32: the server's IPv4 address in bits 32-63
//                          and the client's as the bitwise NOT of bits
//                          96-127 (RFC 4380); both are checked
// So ::ffff:127.0.0.1, 64:ff9b::a9fe:a9fe and 2002:a00:1::1 are refused,
// while a public IPv4 address reached through any of these (::ffff:8.8.8.8,
// 64:ff9b::8.8.8.8) is allowed: an IPv6-only TURN server on a NAT64 network
// reaches IPv4 peers only that way, and an IPv4-mapped public address goes
// where its IPv4 address would, which is allowed anyway.
//
// A NAT64 network may instead use a longer prefix inside 64:ff9b:1::/48 (a
// /96, say). This policy still reads such addresses with the /48 layout, so it
// does not see the IPv4 address they carry; an operator of such a network who
// needs the protection should deny that prefix outright.
//
// Explicit rules and precedence
// -----------------------------
// The operator adds `allow` and `deny` prefixes (`pinhole turn-server
// --allow-peer=... --deny-peer=...`; the verdicts name the rules so). An
// address is decided thus:
//   1. Among the explicit rules of the address's family that contain it, the
//      most specific (longest) prefix wins; when an allow and a deny of the
//      same length both match, the deny wins.
//   2. An explicit rule beats every default: an allow of 127.0.0.0/8 lets the
//      loopback tests relay, an allow of the server's own address lets it
//      relay to itself, and a deny of a public prefix refuses it.
//   3. When no explicit rule matches, the defaults above decide.
// An IPv6 address that carries an IPv4 address is decided twice, once as
// itself and once as each IPv4 address it carries; it is refused if either
// decision refuses it. Explicit IPv4 rules thus apply through every IPv6
// spelling (a deny of 10.0.0.0/8 refuses ::ffff:10.1.2.3), and an allow of an
// IPv6 prefix (say 64:ff9b::/96) never lets an internal IPv4 address through:
// allow the IPv4 prefix itself for that. Rules of one family never match
// addresses of the other: an allow of 0.0.0.0/0 leaves ::1 refused.
//
// Not covered: host names (the server relays only to addresses), the address
// family match of RFC 8656 (443 Peer Address Family Mismatch, the server's
// own check), and rate or quota limits.
//
// A policy is immutable once built; `Check` is a pure function of the peer
// address, so one policy may serve every allocation of a server.
#ifndef PINHOLE_TURN_PEER_ADDRESS_POLICY_H_
#define PINHOLE_TURN_PEER_ADDRESS_POLICY_H_

#include <string>
#include <vector>

#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace pinhole::turn {

// What `PeerAddressPolicy::Check` decided about one peer address.
struct PeerVerdict {
  bool allowed = false;
  // The rule that decided, short enough for a 403 reason phrase and a log
  // line: "loopback (127.0.0.0/8)", "denied by --deny-peer 10.1.0.0/16",
  // "IPv4-mapped IPv6 of 169.254.169.254: link-local (169.254.0.0/16)", "the
  // server's own address (203.0.113.1)"; for an allowed peer, the explicit
  // allow that let it through, or "no rule refuses it".
  std::string reason;
};

class PeerAddressPolicy {
 public:
  struct Config {
    // Prefixes to relay to even where a default refuses them.
    std::vector<net::IpPrefix> allow;
    // Prefixes never to relay to, even where a default would allow them.
    std::vector<net::IpPrefix> deny;
    // Every address of the server: those it listens on, those it relays
    // from, and any other address of its host that a peer could reach it by.
    // Give IPv4 addresses as IPv4: an IPv4-mapped own address matches only
    // that IPv6 spelling (while an own IPv4 address is refused in every
    // spelling, as any IPv4 address is).
    std::vector<net::IpAddress> own_addresses;
  };

  // The defaults alone, with no own addresses.
  PeerAddressPolicy() = default;
  explicit PeerAddressPolicy(Config config);

  // Decides about one peer address by the rules of the file comment: a scan
  // of the rules, the own addresses and the eighteen default blocks, once
  // more for each IPv4 address the peer carries; allocates only the reason.
  PeerVerdict Check(const net::IpAddress& peer) const;

  const Config& config() const { return config_; }

 private:
  Config config_;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_PEER_ADDRESS_POLICY_H_
