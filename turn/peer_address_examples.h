// Peer addresses a TURN server must refuse, and public ones it must relay
// to, for the policy's tests and the server's: the same table checks the
// verdict and the 403 on the wire. The tables assume a server whose own
// addresses are kOwnIpv4 and kOwnIpv6.
#ifndef PINHOLE_TURN_PEER_ADDRESS_EXAMPLES_H_
#define PINHOLE_TURN_PEER_ADDRESS_EXAMPLES_H_

#include <ostream>

namespace pinhole::turn::examples {

inline constexpr const char* kOwnIpv4 = "203.0.113.1";
inline constexpr const char* kOwnIpv6 = "2001:db8::3478";

struct Forbidden {
  const char* peer;
  const char* reason;  // What the verdict's reason must contain.
};

struct Legitimate {
  const char* peer;
};

// Test parameters print as their address.
inline void PrintTo(const Forbidden& row, std::ostream* os) { *os << row.peer; }
inline void PrintTo(const Legitimate& row, std::ostream* os) {
  *os << row.peer;
}

inline constexpr Forbidden kForbiddenIpv4[] = {
    Forbidden{"127.0.0.1", "loopback (127.0.0.0/8)"},
    Forbidden{"127.255.255.254", "loopback"},
    Forbidden{"0.0.0.0", "unspecified (0.0.0.0)"},
    Forbidden{"0.1.2.3", "this network (0.0.0.0/8)"},
    Forbidden{"10.0.0.1", "private (10.0.0.0/8)"},
    Forbidden{"10.255.255.255", "private"},
    Forbidden{"172.16.0.1", "private (172.16.0.0/12)"},
    Forbidden{"172.31.255.255", "private (172.16.0.0/12)"},
    Forbidden{"192.168.1.1", "private (192.168.0.0/16)"},
    Forbidden{"100.64.0.1", "shared address space"},
    Forbidden{"100.127.255.254", "shared address space (100.64.0.0/10)"},
    Forbidden{"169.254.169.254", "link-local (169.254.0.0/16)"},
    Forbidden{"169.254.0.1", "link-local"},
    Forbidden{"224.0.0.1", "multicast (224.0.0.0/4)"},
    Forbidden{"239.255.255.250", "multicast"},
    Forbidden{"255.255.255.255", "limited broadcast (255.255.255.255)"},
    Forbidden{"240.0.0.1", "reserved (240.0.0.0/4)"},
    Forbidden{"203.0.113.1", "the server's own address (203.0.113.1)"}};

inline constexpr Forbidden kForbiddenIpv6[] = {
    Forbidden{"::", "unspecified (::)"}, Forbidden{"::1", "loopback (::1)"},
    Forbidden{"fe80::1", "link-local (fe80::/10)"},
    Forbidden{"febf:ffff::1", "link-local"},
    Forbidden{"fc00::1", "unique-local (fc00::/7)"},
    // The IPv6 metadata service of one large cloud.
    Forbidden{"fd00:ec2::254", "unique-local"},
    Forbidden{"fec0::1", "deprecated site-local (fec0::/10)"},
    Forbidden{"ff02::1", "multicast (ff00::/8)"},
    Forbidden{"ff0e::1", "multicast"},
    Forbidden{"100::1", "discard-only (100::/64)"},
    Forbidden{"2001:db8::3478", "the server's own address (2001:db8::3478)"}};

inline constexpr Forbidden kForbiddenIpv4InIpv6[] = {
    Forbidden{"::ffff:127.0.0.1", "IPv4-mapped IPv6 of 127.0.0.1: loopback"},
    Forbidden{"::ffff:169.254.169.254",
              "IPv4-mapped IPv6 of 169.254.169.254: link-local"},
    Forbidden{"::ffff:10.0.0.1", "IPv4-mapped IPv6 of 10.0.0.1: private"},
    Forbidden{"::ffff:0.0.0.0", "IPv4-mapped IPv6 of 0.0.0.0: unspecified"},
    Forbidden{"::ffff:100.64.0.1",
              "of 100.64.0.1: carrier-grade NAT shared address space"},
    Forbidden{"::ffff:240.0.0.1", "of 240.0.0.1: reserved"},
    Forbidden{"::ffff:203.0.113.1",
              "IPv4-mapped IPv6 of 203.0.113.1: the server's own address"},
    Forbidden{"::127.0.0.1", "IPv4-compatible IPv6 of 127.0.0.1: loopback"},
    Forbidden{"::10.0.0.1", "IPv4-compatible IPv6 of 10.0.0.1: private"},
    Forbidden{"::ffff:0:127.0.0.1",
              "IPv4-translated IPv6 of 127.0.0.1: loopback"},
    Forbidden{"::ffff:0:192.168.0.1",
              "IPv4-translated IPv6 of 192.168.0.1: private"},
    Forbidden{"64:ff9b::127.0.0.1",
              "NAT64 (64:ff9b::/96) of 127.0.0.1: loopback"},
    Forbidden{"64:ff9b::a9fe:a9fe",
              "NAT64 (64:ff9b::/96) of 169.254.169.254: link-local"},
    Forbidden{"64:ff9b::10.0.0.1", "of 10.0.0.1: private"},
    Forbidden{"64:ff9b::ffff:ffff", "of 255.255.255.255: limited broadcast"},
    Forbidden{"64:ff9b:1:7f00:0:100::",
              "NAT64 (64:ff9b:1::/48) of 127.0.0.1: loopback"},
    Forbidden{"64:ff9b:1:a9fe:a9:fe00::",
              "NAT64 (64:ff9b:1::/48) of 169.254.169.254: link-local"},
    Forbidden{"64:ff9b:1:a00:0:100::", "of 10.0.0.1: private"},
    // The u-octet is read past whatever it holds.
    Forbidden{"64:ff9b:1:a00:ff00:100::", "of 10.0.0.1: private"},
    Forbidden{"2002:7f00:1::1", "6to4 of 127.0.0.1: loopback"},
    Forbidden{"2002:a9fe:a9fe::1", "6to4 of 169.254.169.254: link-local"},
    Forbidden{"2002:c0a8:101::1", "6to4 of 192.168.1.1: private"},
    Forbidden{"2002:e000:1::1", "6to4 of 224.0.0.1: multicast"},
    Forbidden{"2001:0:808:808::80ff:fffe",
              "Teredo client of 127.0.0.1: loopback"},
    Forbidden{"2001:0:808:808::5601:5601",
              "Teredo client of 169.254.169.254: link-local"},
    Forbidden{"2001:0:a00:1::f7f7:f7f7", "Teredo server of 10.0.0.1: private"}};

inline constexpr Legitimate kLegitimate[] = {
    Legitimate{"8.8.8.8"}, Legitimate{"1.1.1.1"}, Legitimate{"9.9.9.9"},
    // The documentation ranges: the simulator's public addresses.
    Legitimate{"198.51.100.7"}, Legitimate{"203.0.113.9"},
    Legitimate{"192.0.2.1"}, Legitimate{"2001:db8::1"},
    Legitimate{"2001:db8::3479"},
    // Just outside the refused blocks.
    Legitimate{"1.0.0.0"}, Legitimate{"11.0.0.1"}, Legitimate{"172.32.0.1"},
    Legitimate{"100.128.0.1"}, Legitimate{"169.255.0.1"},
    Legitimate{"192.169.0.1"}, Legitimate{"223.255.255.255"},
    Legitimate{"2001:4860:4860::8888"}, Legitimate{"2606:4700:4700::1111"},
    Legitimate{"fe00::1"}, Legitimate{"100:0:0:1::1"},
    // Public IPv4 addresses through IPv6: what an IPv6-only server on a
    // NAT64 network needs; an IPv4-mapped public address goes where the
    // IPv4 address would, so allowing it opens nothing.
    Legitimate{"64:ff9b::808:808"}, Legitimate{"64:ff9b::8.8.8.8"},
    Legitimate{"64:ff9b:1:808:8:800::"}, Legitimate{"2002:808:808::1"},
    Legitimate{"::ffff:8.8.8.8"}, Legitimate{"::ffff:0:8.8.8.8"},
    Legitimate{"::ffff:198.51.100.7"}, Legitimate{"2001:0:808:808::f7f7:f7f7"}};

}  // namespace pinhole::turn::examples

#endif  // PINHOLE_TURN_PEER_ADDRESS_EXAMPLES_H_
