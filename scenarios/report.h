// How a scenario run is shown: the terminal result, the JSON summary and the
// timeline picture (an HTML page of SVG: per agent, its connection states and
// each candidate pair's states over simulated time, with the timeline's
// events marked).
#ifndef PINHOLE_SCENARIOS_REPORT_H_
#define PINHOLE_SCENARIOS_REPORT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "scenarios/runner.h"

namespace pinhole::scenarios {

// Lines for the terminal: each expectation met or not with what happened,
// the verdict, and on failure the seed and `reproduce`, the command that
// runs it again.
std::string ResultText(const RunResult& result, absl::string_view source,
                       absl::string_view reproduce);

// "./bazelw run //tools:pinhole -- run PATH --seed=SEED": the one command
// that runs a scenario again as it just ran.
std::string ReproduceCommand(absl::string_view path, uint64_t seed);

std::string SummaryJson(const RunResult& result);

std::string TimelineHtml(const RunResult& result);

// `text` as a JSON string literal, quotes included.
std::string JsonString(absl::string_view text);
// `text` with &, <, > and " escaped for HTML.
std::string HtmlEscape(absl::string_view text);

}  // namespace pinhole::scenarios

#endif  // PINHOLE_SCENARIOS_REPORT_H_
