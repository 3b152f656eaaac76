// Prints the outcome of the NAT-chain determinism scenario for one seed:
//
//   nat_chain_scenario_main SEED
//
// one line, "seed=SEED trace_sha256=D client_pcap_sha256=D
// server_pcap_sha256=D next_draw=N responses=N lines=N". The cross-process
// determinism test runs it several times and compares the lines.
#include <cstdint>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "sim/integration/nat_chain_scenario.h"

int main(int argc, char** argv) {
  uint64_t seed = 0;
  if (argc != 2 || !absl::SimpleAtoi(argv[1], &seed)) {
    std::fprintf(stderr, "usage: %s SEED\n", argv[0]);
    return 2;
  }
  const pinhole::sim::NatChainOutcome outcome =
      pinhole::sim::RunNatChainScenario(seed);
  if (!outcome.error.empty()) {
    std::fprintf(stderr, "seed %llu: %s\n",
                 static_cast<unsigned long long>(seed), outcome.error.c_str());
    return 1;
  }
  size_t lines = 0;
  for (char c : outcome.trace) lines += c == '\n';
  std::printf(
      "seed=%llu trace_sha256=%s client_pcap_sha256=%s server_pcap_sha256=%s "
      "next_draw=%llu responses=%d lines=%zu\n",
      static_cast<unsigned long long>(seed), outcome.trace_sha256.c_str(),
      pinhole::sim::Sha256Hex(outcome.client_pcap).c_str(),
      pinhole::sim::Sha256Hex(outcome.server_pcap).c_str(),
      static_cast<unsigned long long>(outcome.next_draw), outcome.responses,
      lines);
  return 0;
}
