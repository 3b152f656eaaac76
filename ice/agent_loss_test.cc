// ICE under independent loss: 10 % and 30 % of the packets to and from the
// left peer are lost (on its wan link, both directions; a check's round trip
// then survives with 81 % or 49 % chance, a relayed one too). Agents that
// connect without loss still connect, through retransmitted checks, over
// several seeds, and their data crosses.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ice/agent.h"
#include "ice/testing/ice_pair.h"
#include "ice/testing/nat_profiles.h"
#include "net/random.h"
#include "net/time.h"
#include "sim/link.h"
#include "sim/loss_model.h"

namespace pinhole::ice {
namespace {

using testing::IcePair;
using testing::IcePairOptions;
using testing::NatProfile;

void SetLoss(sim::Link& link, int percent) {
  sim::LinkConfig config = link.config(sim::LinkEnd::kA);
  config.loss = sim::LossModel::Independent(net::Ratio::Percent(percent));
  ASSERT_TRUE(link.SetConfig(config).ok());
}

struct Case {
  const char* left;
  const char* right;
  int loss_percent;
};

class AgentLossTest
    : public ::testing::TestWithParam<std::tuple<Case, uint64_t>> {};

TEST_P(AgentLossTest, StillConnects) {
  const auto& [c, seed] = GetParam();
  IcePairOptions options;
  options.seed = seed;
  testing::ApplyLeft(testing::ProfileNamed(c.left), options);
  testing::ApplyRight(testing::ProfileNamed(c.right), options);
  absl::StatusOr<std::unique_ptr<IcePair>> created = IcePair::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  IcePair& pair = **created;
  SetLoss(pair.network().left_wan(), c.loss_percent);
  ASSERT_TRUE(pair.Start().ok());
  ASSERT_TRUE(pair.RunUntilConnected(net::Duration::Seconds(60)))
      << "seed " << seed << ": left "
      << ConnectionStateName(pair.left().state()) << ", right "
      << ConnectionStateName(pair.right().state());
  EXPECT_FALSE(pair.LeftPairTypes().empty());
  // Data crosses the lossy path: of 50 datagrams each way, some arrive, and
  // no more than were sent (a 30 % loss drops all 50 with chance 1e-26).
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(pair.SendLeft({0x80, static_cast<uint8_t>(i)}).ok());
    ASSERT_TRUE(pair.SendRight({0x80, static_cast<uint8_t>(i)}).ok());
    pair.RunFor(net::Duration::Milliseconds(20));
  }
  pair.RunFor(net::Duration::Milliseconds(500));
  EXPECT_GT(pair.right_record().data.size(), 0u);
  EXPECT_LE(pair.right_record().data.size(), 50u);
  EXPECT_GT(pair.left_record().data.size(), 0u);
  EXPECT_LE(pair.left_record().data.size(), 50u);
  // The loss was real.
  EXPECT_LT(pair.right_record().data.size() + pair.left_record().data.size(),
            100u);
}

constexpr Case kCases[] = {
    {"port_restricted", "port_restricted", 10},
    {"port_restricted", "port_restricted", 30},
    {"open", "symmetric", 10},
    {"open", "symmetric", 30},
    {"symmetric", "full_cone", 10},
    {"symmetric", "full_cone", 30},
    {"symmetric", "symmetric", 10},  // Through the relay.
    {"symmetric", "symmetric", 30},
};

std::string CaseName(
    const ::testing::TestParamInfo<std::tuple<Case, uint64_t>>& info) {
  const Case& c = std::get<0>(info.param);
  return absl::StrCat(c.left, "__", c.right, "__", c.loss_percent, "pct__seed",
                      std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(Loss, AgentLossTest,
                         ::testing::Combine(::testing::ValuesIn(kCases),
                                            ::testing::Values(uint64_t{1},
                                                              uint64_t{2},
                                                              uint64_t{3})),
                         CaseName);

}  // namespace
}  // namespace pinhole::ice
