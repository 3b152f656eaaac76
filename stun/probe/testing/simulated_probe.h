// `RunSimulatedProbe`: one RFC 5780 probe in the simulator, from start to
// verdict. It builds a `sim::BehindNat` network (the client behind the NAT
// given, or none), starts Pinhole's RFC 5780 Binding server on the server
// host (198.51.100.1 and .2, ports 3478 and 3479), binds the probe's sockets
// on the client and runs until the probe reports or the limit passes. What
// the probe tests and the probe benchmark share. Test-only.
#ifndef PINHOLE_STUN_PROBE_TESTING_SIMULATED_PROBE_H_
#define PINHOLE_STUN_PROBE_TESTING_SIMULATED_PROBE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "net/time.h"
#include "sim/nat/nat_behavior.pb.h"
#include "stun/probe/nat_probe.h"
#include "stun/probe/nat_probe_result.pb.h"

namespace pinhole::stun::testing {

struct SimulatedProbeOptions {
  uint64_t seed = 1;
  std::optional<sim::NatBehavior> nat;  // None: the client is on the Internet.
  std::optional<sim::NatBehavior> cgn;  // A carrier-grade NAT outside `nat`.
  NatProbeOptions probe;                // `server` is filled in.
  net::Duration limit = net::Duration::Seconds(60);
  // Bind the probe's sockets to 0.0.0.0 instead of the client's address.
  bool wildcard_sockets = false;
  // The server: RFC 5780 (two IPs, two ports), a plain one (198.51.100.1:3478
  // only), or none at all.
  enum class Server { kRfc5780, kPlain, kNone };
  Server server = Server::kRfc5780;
  // Keep the simulator's trace as text in `SimulatedProbe::trace`.
  bool keep_trace = false;
};

struct SimulatedProbe {
  NatProbeResult result;
  net::Duration elapsed;              // Simulated time, start to verdict.
  std::vector<std::string> progress;  // Every event's message, in order.
  std::string trace;         // The simulator's trace as text, when kept.
  std::string trace_sha256;  // Of the trace, always.
  uint64_t events = 0;       // Simulator events run.
};

// A NAT of the given mapping and filtering that preserves ports (when it
// can), with the RFC's defaults otherwise.
sim::NatBehavior NatOf(sim::NatBehavior::Mapping mapping,
                       sim::NatBehavior::Filtering filtering);

// Errors: the network or server could not be built, or the probe did not
// finish within the limit (DeadlineExceeded).
absl::StatusOr<SimulatedProbe> RunSimulatedProbe(
    const SimulatedProbeOptions& options);

// The progress lines and the result's text, for test failure messages.
std::string Describe(const SimulatedProbe& run);

}  // namespace pinhole::stun::testing

#endif  // PINHOLE_STUN_PROBE_TESTING_SIMULATED_PROBE_H_
