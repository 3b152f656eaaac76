// `BehindNat`: the smallest network a NAT-traversal test needs. One client
// behind one NAT (or, with no NAT, directly on the Internet), and one server
// with two IPv4 addresses (what an RFC 5780 STUN server needs):
//
//   client 192.168.1.2 --lan 5 ms-- nat (outside 203.0.113.1) --wan 10 ms--
//     router --dc 5 ms-- server 198.51.100.1 and 198.51.100.2
//
// Without a NAT the client is 203.0.113.10, at the end of the wan link. With
// a carrier-grade NAT as well (NAT444), the home NAT's outside is
// 100.64.0.2 (RFC 6598 shared address space) on a 5 ms isp link to the CGN,
// whose outside is 203.0.113.1 on the wan link.
// Links are lossless with fixed latencies (no jitter), so a test can derive
// every instant: client to server is 20 ms one way behind the NAT, 15 ms
// without, 25 ms through both NATs. Both hosts speak TCP (sim/tcp) as well as
// UDP. The NAT draws its ports from the stream "nat", the CGN from "cgn".
// Test-only.
#ifndef PINHOLE_SIM_TESTING_BEHIND_NAT_H_
#define PINHOLE_SIM_TESTING_BEHIND_NAT_H_

#include <cstdint>
#include <memory>
#include <optional>

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

struct BehindNatOptions {
  uint64_t seed = 1;
  // The client's NAT; none when unset.
  std::optional<NatBehavior> nat;
  // A carrier-grade NAT outside the client's NAT (which must then be set).
  std::optional<NatBehavior> cgn;
};

class BehindNat {
 public:
  static constexpr net::Duration kLanLatency = net::Duration::Milliseconds(5);
  static constexpr net::Duration kWanLatency = net::Duration::Milliseconds(10);
  static constexpr net::Duration kDcLatency = net::Duration::Milliseconds(5);
  static constexpr net::Duration kIspLatency = net::Duration::Milliseconds(5);

  static net::IpAddress ClientIp();   // 192.168.1.2 (203.0.113.10)
  static net::IpAddress NatIp();      // 203.0.113.1, the outermost NAT
  static net::IpAddress HomeNatIp();  // 100.64.0.2, the home NAT behind a CGN
  static net::IpAddress ServerIp();   // 198.51.100.1
  static net::IpAddress ServerAlternateIp();  // 198.51.100.2

  static absl::StatusOr<std::unique_ptr<BehindNat>> Create(
      const BehindNatOptions& options = {});
  BehindNat(const BehindNat&) = delete;
  BehindNat& operator=(const BehindNat&) = delete;

  Simulator& sim() { return sim_; }
  Host& client() { return *client_; }
  Host& server() { return *server_; }
  // Null without a NAT; `cgn()` null without a carrier-grade NAT.
  Nat* nat() { return nat_.get(); }
  Nat* cgn() { return cgn_.get(); }
  // The client's address: ClientIp() behind the NAT, 203.0.113.10 without.
  net::IpAddress client_ip() const { return client_ip_; }
  // One way, client to server.
  net::Duration ClientToServer() const;

 private:
  explicit BehindNat(const BehindNatOptions& options);
  absl::Status Build();
  // The NATs between the client and the wan link; returns the client's link.
  absl::StatusOr<Link*> BuildNats();

  const BehindNatOptions options_;
  Simulator sim_;
  net::DeterministicRandom nat_random_;
  net::DeterministicRandom cgn_random_;
  net::IpAddress client_ip_;
  std::unique_ptr<Nat> nat_, cgn_;
  std::unique_ptr<Link> lan_, isp_, wan_, dc_;
  std::unique_ptr<MiddleboxNode> nat_node_, cgn_node_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Host> client_, server_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_TESTING_BEHIND_NAT_H_
