// `NatChain`: the topology of the integration tests, a client behind a home
// NAT behind a carrier-grade NAT (NAT444), a STUN server on the Internet and a
// stranger who was never contacted:
//
//   client 192.168.1.2 --home_lan 1 ms-- [firewall --fw_lan 1 ms--]
//     home_nat (port_restricted_cone; outside 100.64.0.2) --isp 4 ms--
//     cgn (carrier_grade; outside 203.0.113.1) --uplink 10 ms-- router
//   router --server_lan 2 ms-- server 198.51.100.1
//   router --stranger_lan 3 ms-- stranger 192.0.2.66
//
// The firewall (a `FirewallPreset`, inside towards the client) is there only
// when `NatChainOptions::firewall_preset` names one. Every element is named as
// above in the trace; the NATs draw their ports from the streams "nat/home"
// and "nat/cgn". Links have the latencies drawn and no loss unless the
// options replace the isp or uplink configuration.
#ifndef PINHOLE_SIM_INTEGRATION_NAT_CHAIN_H_
#define PINHOLE_SIM_INTEGRATION_NAT_CHAIN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "sim/firewall/firewall.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/middlebox_node.h"
#include "sim/nat/nat.h"
#include "sim/router.h"
#include "sim/simulator.h"

namespace pinhole::sim {

struct NatChainOptions {
  uint64_t seed = 1;
  std::string firewall_preset;  // Empty: no firewall.
  std::string home_nat_preset = "port_restricted_cone";
  std::string cgn_preset = "carrier_grade";
  // Replace the isp and uplink links' configurations (their latencies too).
  std::optional<LinkConfig> isp;
  std::optional<LinkConfig> uplink;
};

class NatChain {
 public:
  static constexpr net::Duration kHomeLanLatency =
      net::Duration::Milliseconds(1);
  static constexpr net::Duration kFwLanLatency = net::Duration::Milliseconds(1);
  static constexpr net::Duration kIspLatency = net::Duration::Milliseconds(4);
  static constexpr net::Duration kUplinkLatency =
      net::Duration::Milliseconds(10);
  static constexpr net::Duration kServerLanLatency =
      net::Duration::Milliseconds(2);
  static constexpr net::Duration kStrangerLanLatency =
      net::Duration::Milliseconds(3);

  static net::IpAddress ClientIp();    // 192.168.1.2
  static net::IpAddress HomeNatIp();   // 100.64.0.2, the home NAT's outside
  static net::IpAddress CgnIp();       // 203.0.113.1, the CGN's outside
  static net::IpAddress ServerIp();    // 198.51.100.1
  static net::IpAddress StrangerIp();  // 192.0.2.66

  static absl::StatusOr<std::unique_ptr<NatChain>> Create(
      const NatChainOptions& options = {});
  NatChain(const NatChain&) = delete;
  NatChain& operator=(const NatChain&) = delete;

  // One way, client to server, without jitter: the sum of the latencies.
  net::Duration ClientToServer() const;

  Simulator& sim() { return sim_; }
  Host& client() { return *client_; }
  Host& server() { return *server_; }
  Host& stranger() { return *stranger_; }
  Nat& home_nat() { return *home_nat_; }
  Nat& cgn() { return *cgn_; }
  // The client's own link (client at end A) and the server's (server at B).
  Link& home_lan() { return *home_lan_; }
  Link& server_lan() { return *server_lan_; }
  Link& isp() { return *isp_; }
  Link& uplink() { return *uplink_; }

 private:
  explicit NatChain(const NatChainOptions& options);
  absl::Status Build();
  absl::Status BuildNats();
  absl::Status BuildLinks();
  absl::Status Wire();

  const NatChainOptions options_;
  Simulator sim_;
  net::DeterministicRandom home_random_;
  net::DeterministicRandom cgn_random_;
  std::unique_ptr<Nat> home_nat_;
  std::unique_ptr<Nat> cgn_;
  std::unique_ptr<Firewall> firewall_;
  std::unique_ptr<Link> home_lan_, fw_lan_, isp_, uplink_, server_lan_,
      stranger_lan_;
  std::unique_ptr<MiddleboxNode> firewall_node_, home_node_, cgn_node_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Host> client_, server_, stranger_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_INTEGRATION_NAT_CHAIN_H_
