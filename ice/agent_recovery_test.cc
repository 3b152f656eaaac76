// Consent freshness (RFC 7675) and ICE restart (RFC 8445 §9) during a call:
// a cut link or a rebooted NAT ends consent within 30 s, sending stops, and
// a restart brings the call back; a restart on a healthy call keeps the data
// flowing on the old pair until the new one is selected.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ice/agent.h"
#include "ice/testing/ice_pair.h"
#include "ice/testing/nat_profiles.h"
#include "net/time.h"
#include "sim/nat/nat.h"

namespace pinhole::ice {
namespace {

using testing::IcePair;
using testing::IcePairOptions;
using testing::NatProfile;

std::unique_ptr<IcePair> Connected(const char* left, const char* right) {
  IcePairOptions options;
  testing::ApplyLeft(testing::ProfileNamed(left), options);
  testing::ApplyRight(testing::ProfileNamed(right), options);
  absl::StatusOr<std::unique_ptr<IcePair>> pair = IcePair::Create(options);
  EXPECT_TRUE(pair.ok()) << pair.status();
  if (!pair.ok()) return nullptr;
  EXPECT_TRUE((*pair)->Start().ok());
  EXPECT_TRUE((*pair)->RunUntilConnected(net::Duration::Seconds(10)));
  return *std::move(pair);
}

std::vector<uint8_t> Payload(uint8_t tag) { return {0x80, tag}; }

bool Failed(const Agent& agent) {
  return agent.state() == ConnectionState::kFailed;
}

// Both sides restart and reconnect, and data crosses again.
void RestartAndRecover(IcePair& pair) {
  const size_t left_before = pair.left_record().data.size();
  const size_t right_before = pair.right_record().data.size();
  ASSERT_TRUE(pair.Restart().ok());
  ASSERT_TRUE(pair.RunUntilConnected(net::Duration::Seconds(10)));
  EXPECT_TRUE(pair.SendLeft(Payload(7)).ok());
  EXPECT_TRUE(pair.SendRight(Payload(8)).ok());
  pair.RunFor(net::Duration::Milliseconds(300));
  EXPECT_EQ(pair.right_record().data.size(), right_before + 1);
  EXPECT_EQ(pair.left_record().data.size(), left_before + 1);
}

TEST(AgentRecoveryTest, ACutLinkLosesConsentWithin30sAndARestartRecovers) {
  std::unique_ptr<IcePair> pair =
      Connected("port_restricted", "port_restricted");
  ASSERT_NE(pair, nullptr);
  pair->RunFor(net::Duration::Seconds(20));  // Consent checks go on.
  EXPECT_GT(pair->left().stats().consent_checks_sent, 2u);
  EXPECT_EQ(pair->left().state(), ConnectionState::kCompleted)
      << pair->left().gathering_complete() << " "
      << pair->right().gathering_complete();

  const net::Time cut = pair->Now();
  pair->network().left_wan().SetUp(false);
  // Consent is lost on both sides no later than 30 s after the last answer,
  // which came before the cut; disconnected comes first.
  ASSERT_TRUE(pair->RunUntil(
      [&] { return Failed(pair->left()) && Failed(pair->right()); },
      net::Duration::Seconds(31)));
  EXPECT_LE(pair->Now() - cut, net::Duration::Seconds(30));
  EXPECT_GE(pair->Now() - cut, net::Duration::Seconds(24));
  bool disconnected_first = false;
  for (const AgentEvent& event : pair->left_record().events) {
    if (event.kind != AgentEvent::Kind::kStateChanged) continue;
    if (event.state == ConnectionState::kDisconnected) {
      disconnected_first = true;
    }
  }
  EXPECT_TRUE(disconnected_first);
  // Sending stops (RFC 7675 §5.1).
  const absl::Status refused = pair->SendLeft(Payload(1));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;

  pair->network().left_wan().SetUp(true);
  RestartAndRecover(*pair);
}

TEST(AgentRecoveryTest, ANatRebootLosesConsentWithin30sAndARestartRecovers) {
  // Through the relay: the right agent's checks reach the left one at the
  // mapping its symmetric NAT made toward the relay, which the reboot erases.
  std::unique_ptr<IcePair> pair = Connected("symmetric", "symmetric");
  ASSERT_NE(pair, nullptr);
  EXPECT_EQ(pair->RightPairTypes().substr(0, 6), "relay/");
  pair->RunFor(net::Duration::Seconds(10));
  const net::Time reboot = pair->Now();
  pair->network().left_nat()->Reboot();
  ASSERT_TRUE(pair->RunUntil([&] { return Failed(pair->right()); },
                             net::Duration::Seconds(31)));
  EXPECT_LE(pair->Now() - reboot, net::Duration::Seconds(30));
  EXPECT_EQ(pair->SendRight(Payload(1)).code(),
            absl::StatusCode::kFailedPrecondition);
  RestartAndRecover(*pair);
}

TEST(AgentRecoveryTest, ARestartKeepsDataOnTheOldPairUntilTheNewOne) {
  std::unique_ptr<IcePair> pair = Connected("full_cone", "symmetric");
  ASSERT_NE(pair, nullptr);
  const CandidatePairInfo before = *pair->left().selected_pair(1);
  const std::string old_ufrag = pair->left().local_credentials().ufrag;
  ASSERT_TRUE(pair->Restart().ok());
  EXPECT_NE(pair->left().local_credentials().ufrag, old_ufrag);
  // Between the restart and the new selection, data still crosses.
  EXPECT_FALSE(pair->left().selected_pair(1).has_value());
  ASSERT_TRUE(pair->SendLeft(Payload(3)).ok());
  ASSERT_TRUE(pair->SendRight(Payload(4)).ok());
  ASSERT_TRUE(pair->RunUntilConnected(net::Duration::Seconds(10)));
  pair->RunFor(net::Duration::Milliseconds(300));
  ASSERT_EQ(pair->right_record().data.size(), 1u);
  ASSERT_EQ(pair->left_record().data.size(), 1u);
  // The new pair is of the new session: candidates of the next generation.
  const CandidatePairInfo after = *pair->left().selected_pair(1);
  EXPECT_EQ(after.local.generation, before.local.generation.value_or(0) + 1);
  EXPECT_EQ(after.remote.ufrag, pair->right().local_credentials().ufrag);
}

}  // namespace
}  // namespace pinhole::ice
