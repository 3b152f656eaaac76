// The ICE determinism scenario: a symmetric NAT facing a port-restricted
// cone with 10 % loss and jitter on one side, so checks are retransmitted,
// peer-reflexive candidates are learned and the relay is selected; then data
// both ways, an ICE restart and more data. Its outcome, for one seed, must be
// byte-identical from run to run and from process to process. Test-only.
#ifndef PINHOLE_ICE_TESTING_ICE_SCENARIO_H_
#define PINHOLE_ICE_TESTING_ICE_SCENARIO_H_

#include <cstdint>
#include <string>

namespace pinhole::ice::testing {

struct IceScenarioOutcome {
  std::string trace;          // The simulator's packet trace, as text.
  std::string trace_sha256;   // Of `trace`.
  std::string events;         // Both agents' events, one line each.
  std::string events_sha256;  // Of `events`.
  uint64_t next_draw = 0;     // The simulator's next random draw.
  bool connected = false;
  bool reconnected = false;  // After the restart.
  int received = 0;          // Data datagrams delivered, both ways.
};

IceScenarioOutcome RunIceScenario(uint64_t seed);

}  // namespace pinhole::ice::testing

#endif  // PINHOLE_ICE_TESTING_ICE_SCENARIO_H_
