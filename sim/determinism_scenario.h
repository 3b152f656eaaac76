// A small, busy topology used to check that a simulation is a function of its
// seed: same seed, byte-identical trace, in this process or any other.
//
//   alice 10.0.1.2 --access-- router --core-- box (pass-through) --edge-- bob
//                                                                198.51.100.2
//
// - access: 5 ms, jitter 3 ms with reordering, 5% independent loss, 2 Mbit/s
//   with an 8 KiB queue, 1% duplication;
// - core: 10 ms, jitter 2 ms without reordering, Gilbert-Elliott loss;
// - edge: 3 ms, goes down from 150 ms to 170 ms.
// alice sends 100 datagrams of random sizes, one every 2 ms (timer-driven,
// through the net::Network seam), to bob's echo socket; bob echoes each back.
#ifndef PINHOLE_SIM_DETERMINISM_SCENARIO_H_
#define PINHOLE_SIM_DETERMINISM_SCENARIO_H_

#include <cstdint>
#include <string>

namespace pinhole::sim {

struct ScenarioOutcome {
  std::string trace;         // Trace::ToText().
  std::string trace_sha256;  // Trace::Sha256Hex().
  uint64_t next_draw = 0;    // alice's next random draw after the run.
  int echoes_received = 0;   // By alice.
};

ScenarioOutcome RunDeterminismScenario(uint64_t seed);

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_DETERMINISM_SCENARIO_H_
