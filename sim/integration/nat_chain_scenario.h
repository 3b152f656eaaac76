// The NAT chain (nat_chain.h) made busy, to check that a run is a function
// of its seed: the same seed gives a byte-identical trace and byte-identical
// pcap files, in this process or any other; another seed, another run.
//
// - isp: 4 ms, jitter 3 ms with reordering, 5% independent loss, 2%
//   duplication; uplink: 10 ms, jitter 2 ms, Gilbert-Elliott loss. The CGN's
//   port is drawn at random too.
// - The client sends 60 STUN Binding requests, one every 10 ms (timer-driven,
//   through the net::Network seam), each a new transaction with a random ID;
//   the server answers each.
// - The stranger sends 10 datagrams to the client's first learnt mapping,
//   which the home NAT filters.
// - Captured in memory on the client's interface and at the server's end of
//   its link.
#ifndef PINHOLE_SIM_INTEGRATION_NAT_CHAIN_SCENARIO_H_
#define PINHOLE_SIM_INTEGRATION_NAT_CHAIN_SCENARIO_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace pinhole::sim {

struct NatChainOutcome {
  std::string error;  // Empty when the scenario ran.
  std::string trace;  // Trace::ToText().
  std::string trace_sha256;
  std::string client_pcap;  // The whole files.
  std::string server_pcap;
  uint64_t next_draw = 0;  // The client host's next random draw after the run.
  int responses = 0;       // Binding responses the client received.
};

NatChainOutcome RunNatChainScenario(uint64_t seed);

// SHA-256 of `bytes`, as 64 lower-case hex digits.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_INTEGRATION_NAT_CHAIN_SCENARIO_H_
