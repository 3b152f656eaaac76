// Scenario files are untrusted text: parsing and checking any bytes must
// return a scenario or an error, never crash or hang; a scenario that loads
// must be one the plan can lay out.
#include <cstddef>
#include <cstdint>
#include <string>

#include "build_defs/fuzz_check.h"
#include "scenarios/plan.h"
#include "scenarios/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<pinhole::scenarios::Scenario> scenario =
      pinhole::scenarios::ParseScenario("fuzz", text);
  if (!scenario.ok()) {
    pinhole::FuzzCheck(!scenario.status().message().empty(),
                       "an error says what is wrong");
    return 0;
  }
  pinhole::FuzzCheck(pinhole::scenarios::MakePlan(*scenario).ok(),
                     "a loaded scenario has a plan");
  return 0;
}
