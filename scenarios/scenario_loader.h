// Loading a scenario file: text format into `Scenario`, then every check
// that can be made before anything runs (names, references, times, presets,
// addresses, link properties), each error naming the file, the line and the
// field, e.g.
//
//   scenarios/hotel.textproto:12:5: networks[1].middleboxes[0].nat_preset:
//   no NAT preset called "fullcone"; the presets are address_restricted_cone,
//   carrier_grade, ...
//
// A scenario that loads is one `World::Build` can build.
#ifndef PINHOLE_SCENARIOS_SCENARIO_LOADER_H_
#define PINHOLE_SCENARIOS_SCENARIO_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/time.h"
#include "scenarios/scenario.pb.h"

namespace pinhole::scenarios {

// Reads and checks the file at `path`. NotFound when it cannot be read;
// InvalidArgument, with every problem found (one per line), otherwise.
absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path);

// The same for `text`; `source` names it in errors.
absl::StatusOr<Scenario> ParseScenario(absl::string_view source,
                                       absl::string_view text);

// Checks a scenario built in code (no line numbers in errors).
absl::Status ValidateScenario(const Scenario& scenario);

// A time or duration field ("20s", "250ms", "1.5s", "2m"); empty gives
// `fallback`. InvalidArgument for anything else or a negative value.
absl::StatusOr<net::Duration> ParseDurationField(absl::string_view text,
                                                 net::Duration fallback);

}  // namespace pinhole::scenarios

#endif  // PINHOLE_SCENARIOS_SCENARIO_LOADER_H_
