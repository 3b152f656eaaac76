// `RunScenario`: builds a loaded scenario's world, starts its calls, plays its
// timeline, runs the simulation for the scenario's duration, checks every
// expectation, and (given an output directory) writes what happened:
//
//   OUT/trace.txt       every packet and event (sim/trace.h's text form)
//   OUT/summary.json    the result: expectations, agents, selections, drops
//   OUT/timeline.html   per agent, its candidate pairs' states and its
//                       connection states over simulated time
//   OUT/NAME.pcap       one per capture (scenario.proto `Capture`; by
//                       default every host interface)
//
// The same scenario and seed give byte-identical outputs.
#ifndef PINHOLE_SCENARIOS_RUNNER_H_
#define PINHOLE_SCENARIOS_RUNNER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ice/agent.h"
#include "ice/agent_event.h"
#include "ice/candidate.h"
#include "net/time.h"
#include "scenarios/scenario.pb.h"

namespace pinhole::scenarios {

struct RunOptions {
  uint64_t seed = 1;
  // Where to write the outputs; empty: nowhere.
  std::string output_dir;
  // Stop as soon as every call has connected on both sides or failed on
  // either (the NAT matrix); otherwise run the whole duration.
  bool stop_when_settled = false;
};

// Instants are offsets from the start of the scenario.
struct StateChange {
  net::Duration at;
  ice::ConnectionState state;
};

struct Selection {
  net::Duration at;
  ice::CandidatePairInfo pair;
};

// A candidate pair's state from `at` on, as the timeline shows it.
struct PairChange {
  net::Duration at;
  std::string pair;  // "host 192.168.1.2:49152 -> srflx 203.0.113.2:49152"
  ice::PairState state;
  bool nominated = false;
  bool removed = false;  // Pruned, or stopped once another was nominated.
};

struct AgentReport {
  std::string name;
  std::string host;
  std::string call;
  ice::Role role = ice::Role::kControlling;
  std::vector<std::pair<net::Duration, ice::Candidate>> candidates;
  std::vector<StateChange> states;
  std::vector<Selection> selections;
  std::vector<PairChange> pairs;
  std::optional<net::Duration> connected_at;  // First connected or completed.
  uint64_t messages_asked = 0;                // By `send` events.
  uint64_t messages_sent = 0;                 // Accepted by the agent.
  uint64_t messages_received = 0;
  uint64_t messages_corrupted = 0;
  ice::AgentStats stats;
};

struct ExpectationResult {
  std::string expectation;  // What was expected, in words.
  bool met = false;
  std::string outcome;  // What happened, with simulated times.
};

struct RunResult {
  std::string description;
  uint64_t seed = 0;
  net::Duration ran_for;
  uint64_t events = 0;
  std::vector<AgentReport> agents;
  std::vector<ExpectationResult> expectations;
  std::map<std::string, uint64_t> drops;  // By reason name.
  // The timeline's events as they happened: ("link_down home-uplink").
  std::vector<std::pair<net::Duration, std::string>> events_applied;
  std::string trace_sha256;
  std::vector<std::string> outputs;  // Files written.

  bool passed() const;
  const AgentReport* agent(const std::string& name) const;
};

// The seed a run of `scenario` uses unless told otherwise: its own, or 1.
uint64_t DefaultSeed(const Scenario& scenario);

// Runs `scenario`, which must have passed the loader. Errors: the world could
// not be built, or an output could not be written.
absl::StatusOr<RunResult> RunScenario(const Scenario& scenario,
                                      const RunOptions& options);

// "12.345s" (milliseconds, three decimals).
std::string FormatOffset(net::Duration offset);
// "relay(tcp)/host": the pair's candidate types, local first, with the
// transport to the TURN server of a relayed local candidate.
std::string PairTypes(const ice::CandidatePairInfo& pair);

}  // namespace pinhole::scenarios

#endif  // PINHOLE_SCENARIOS_RUNNER_H_
