#include "ice/testing/ice_scenario.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ice/agent.h"
#include "ice/testing/ice_pair.h"
#include "ice/testing/nat_profiles.h"
#include "net/random.h"
#include "net/time.h"
#include "openssl/sha.h"
#include "sim/link.h"
#include "sim/loss_model.h"

namespace pinhole::ice::testing {
namespace {

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string EventLine(const char* side, net::Time at, const AgentEvent& e) {
  std::string line = absl::StrCat(side, " ", at.NanosecondsSinceEpoch());
  switch (e.kind) {
    case AgentEvent::Kind::kLocalCandidate:
      absl::StrAppend(&line, " candidate ", e.candidate.ToString());
      break;
    case AgentEvent::Kind::kGatheringComplete:
      absl::StrAppend(&line, " gathered ", e.status.ToString());
      break;
    case AgentEvent::Kind::kStateChanged:
      absl::StrAppend(&line, " state ", ConnectionStateName(e.state));
      break;
    case AgentEvent::Kind::kSelectedPair:
      absl::StrAppend(&line, " selected ", e.component, " ",
                      e.pair.local.ToString(), " -> ",
                      e.pair.remote.ToString());
      break;
    case AgentEvent::Kind::kRoleChanged:
      absl::StrAppend(&line, " role ", RoleName(e.role));
      break;
    case AgentEvent::Kind::kData:
      absl::StrAppend(
          &line, " data ",
          absl::BytesToHexString(absl::string_view(
              reinterpret_cast<const char*>(e.data.data()), e.data.size())));
      break;
  }
  return line;
}

}  // namespace

IceScenarioOutcome RunIceScenario(uint64_t seed) {
  IceScenarioOutcome outcome;
  IcePairOptions options;
  options.seed = seed;
  std::vector<NatProfile> profiles = MatrixProfiles();
  ApplyLeft(profiles[4], options);   // symmetric
  ApplyRight(profiles[3], options);  // port_restricted
  options.signalling_delay = net::Duration::Milliseconds(30);
  absl::StatusOr<std::unique_ptr<IcePair>> created = IcePair::Create(options);
  if (!created.ok()) return outcome;
  IcePair& pair = **created;
  sim::LinkConfig lossy = pair.network().left_wan().config(sim::LinkEnd::kA);
  lossy.loss = sim::LossModel::Independent(net::Ratio::Percent(10));
  lossy.jitter = net::Duration::Milliseconds(4);
  (void)pair.network().left_wan().SetConfig(lossy);

  if (!pair.Start().ok()) return outcome;
  outcome.connected = pair.RunUntilConnected(net::Duration::Seconds(60));
  for (int i = 0; i < 30 && outcome.connected; ++i) {
    (void)pair.SendLeft({0x80, static_cast<uint8_t>(i), 0x01});
    (void)pair.SendRight({0x80, static_cast<uint8_t>(i), 0x02});
    pair.RunFor(net::Duration::Milliseconds(20));
  }
  pair.RunFor(net::Duration::Seconds(12));  // Consent checks.
  if (outcome.connected && pair.Restart().ok()) {
    outcome.reconnected = pair.RunUntilConnected(net::Duration::Seconds(60));
    for (int i = 0; i < 10; ++i) {
      (void)pair.SendLeft({0x80, static_cast<uint8_t>(i), 0x03});
      pair.RunFor(net::Duration::Milliseconds(20));
    }
  }
  pair.RunFor(net::Duration::Seconds(1));

  outcome.trace = pair.network().sim().trace().ToText();
  outcome.trace_sha256 = pair.network().sim().trace().Sha256Hex();
  // Events in the order each side saw them; the instants interleave them.
  for (const auto& [side, record] :
       {std::pair<const char*, SideRecord*>{"left", &pair.left_record()},
        std::pair<const char*, SideRecord*>{"right", &pair.right_record()}}) {
    for (size_t i = 0; i < record->events.size(); ++i) {
      absl::StrAppend(
          &outcome.events,
          EventLine(side, record->event_times[i], record->events[i]), "\n");
    }
    outcome.received += static_cast<int>(record->data.size());
  }
  outcome.events_sha256 = Sha256Hex(outcome.events);
  // The left agent's generator: every credential, tie-breaker and
  // transaction ID it drew shows in where it stands now.
  outcome.next_draw = pair.network().left().random().NextUint64();
  return outcome;
}

}  // namespace pinhole::ice::testing
