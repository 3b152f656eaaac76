// `TwoNats`: two hosts, each behind its own NAT (or none), and a public
// server: the network of every relay and ICE test between two peers.
//
//   left 192.168.1.2 --lan 5 ms-- left NAT (outside 203.0.113.1) --wan 10 ms--+
//                                                                             router --dc 5 ms-- server
//   right 192.168.2.2 --lan 5 ms-- right NAT (outside 203.0.113.2) --wan 10
//   ms-+          198.51.100.1
//
// Without its NAT a host sits at the end of its wan link, at 203.0.113.10
// (left) or 203.0.113.20 (right). Links are lossless with fixed latencies, so
// every instant can be derived: a host behind its NAT is 20 ms from the
// server one way, 15 ms without. Every host speaks TCP (sim/tcp) as well as
// UDP. The NATs draw their ports from the streams "left-nat" and "right-nat".
// With a CGN (NAT444), the side is 2 ms further from everything. Test-only.
#ifndef PINHOLE_SIM_TESTING_TWO_NATS_H_
#define PINHOLE_SIM_TESTING_TWO_NATS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/middlebox_node.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/router.h"
#include "sim/simulator.h"

namespace pinhole::sim {

struct TwoNatsOptions {
  uint64_t seed = 1;
  std::optional<NatBehavior> left_nat;   // None when unset.
  std::optional<NatBehavior> right_nat;  // None when unset.
  // A carrier-grade NAT between a side's NAT and its wan link (NAT444); needs
  // that side's NAT. The home NAT's outside address is then 100.64.1.1
  // (left) or 100.64.2.1 (right), joined to the CGN by a `kAccessLatency`
  // link, and the CGN's outside address is the side's public one.
  std::optional<NatBehavior> left_cgn;
  std::optional<NatBehavior> right_cgn;
  // Addresses of each host behind its NAT: 192.168.1.2, 192.168.1.3, ...
  // (left) and 192.168.2.2, ... (right), on its one interface; more than one
  // needs that side's NAT. At most 200.
  int left_addresses = 1;
  int right_addresses = 1;
};

class TwoNats {
 public:
  static constexpr net::Duration kLanLatency = net::Duration::Milliseconds(5);
  static constexpr net::Duration kWanLatency = net::Duration::Milliseconds(10);
  static constexpr net::Duration kDcLatency = net::Duration::Milliseconds(5);
  static constexpr net::Duration kAccessLatency =
      net::Duration::Milliseconds(2);

  static net::IpAddress ServerIp();  // 198.51.100.1

  static absl::StatusOr<std::unique_ptr<TwoNats>> Create(
      const TwoNatsOptions& options = {});
  TwoNats(const TwoNats&) = delete;
  TwoNats& operator=(const TwoNats&) = delete;

  Simulator& sim() { return sim_; }
  Host& left() { return *left_.host; }
  Host& right() { return *right_.host; }
  Host& server() { return *server_; }
  // Null for a side without a NAT.
  Nat* left_nat() { return left_.nat.get(); }
  Nat* right_nat() { return right_.nat.get(); }
  Nat* left_cgn() { return left_.cgn.get(); }
  // The links: each side's wan (its NAT or host to the router) and the
  // server's.
  Link& left_wan() { return *left_.wan; }
  Link& right_wan() { return *right_.wan; }
  Link& dc() { return *dc_; }
  Nat* right_cgn() { return right_.cgn.get(); }
  // The hosts' own addresses, and the addresses the Internet sees them at
  // (their NAT's outside address, or their own).
  net::IpAddress left_ip() const { return left_.ip; }
  // All of a host's addresses, `left_ip()` or `right_ip()` first.
  const std::vector<net::IpAddress>& left_ips() const { return left_.ips; }
  const std::vector<net::IpAddress>& right_ips() const { return right_.ips; }
  net::IpAddress right_ip() const { return right_.ip; }
  net::IpAddress left_public_ip() const { return left_.public_ip; }
  net::IpAddress right_public_ip() const { return right_.public_ip; }

 private:
  struct Side {
    Side(net::DeterministicRandom random, net::DeterministicRandom cgn_random)
        : random(random), cgn_random(cgn_random) {}
    net::DeterministicRandom random;
    net::DeterministicRandom cgn_random;
    std::unique_ptr<Nat> cgn;
    std::unique_ptr<Link> access;
    std::unique_ptr<MiddleboxNode> cgn_node;
    net::IpAddress ip;
    std::vector<net::IpAddress> ips;
    net::IpAddress public_ip;
    std::unique_ptr<Nat> nat;
    std::unique_ptr<Link> lan;
    std::unique_ptr<Link> wan;
    std::unique_ptr<MiddleboxNode> node;
    std::unique_ptr<Host> host;
  };

  explicit TwoNats(const TwoNatsOptions& options);
  absl::Status Build();
  absl::Status BuildSide(const char* name,
                         const std::optional<NatBehavior>& nat,
                         const std::optional<NatBehavior>& cgn,
                         const char* cgn_inside_ip, const char* inside_ip,
                         const char* outside_ip, const char* direct_ip,
                         int addresses, Side& side);

  const TwoNatsOptions options_;
  Simulator sim_;
  Side left_;
  Side right_;
  std::unique_ptr<Link> dc_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Host> server_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_TESTING_TWO_NATS_H_
