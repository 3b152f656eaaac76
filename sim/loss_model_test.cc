#include "sim/loss_model.h"

#include "gtest/gtest.h"
#include "net/deterministic_random.h"
#include "net/random.h"

namespace pinhole::sim {
namespace {

TEST(LossModelTest, NoneNeverLosesAndDrawsNothing) {
  net::DeterministicRandom random(1);
  net::DeterministicRandom untouched(1);
  LossModel model;
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(model.Lose(random));
  EXPECT_EQ(random.NextUint64(), untouched.NextUint64());
}

// Independent loss of 2% over 200,000 packets with a fixed seed. The standard
// deviation of the observed rate is sqrt(0.02 * 0.98 / 200000) = 0.031
// percentage points; the tolerance is 0.15 points, about five of them.
TEST(LossModelTest, IndependentLossRateMatchesItsProbability) {
  net::DeterministicRandom random = net::DeterministicRandom::Stream(42, "t");
  LossModel model = LossModel::Independent(net::Ratio::Percent(2));
  constexpr int kPackets = 200'000;
  int lost = 0;
  for (int i = 0; i < kPackets; ++i) lost += model.Lose(random);
  EXPECT_NEAR(static_cast<double>(lost) / kPackets, 0.02, 0.0015);
}

// p = 1%, r = 10%, no loss in the good state, 50% in the bad one. The chain
// is bad for p / (p + r) = 1/11 of packets, so the stationary loss rate is
// 0.5 / 11 = 4.545%. Bursts make the estimate noisier than independent loss
// (bad periods last 1/r = 10 packets on average), hence a tolerance of 0.4
// points over a million packets.
TEST(LossModelTest, GilbertElliottLossRateMatchesTheStationaryRate) {
  net::DeterministicRandom random = net::DeterministicRandom::Stream(42, "t");
  LossModel model =
      LossModel::GilbertElliott({.p = net::Ratio::Percent(1),
                                 .r = net::Ratio::Percent(10),
                                 .loss_in_good = net::Ratio::Never(),
                                 .loss_in_bad = net::Ratio::Percent(50)});
  constexpr int kPackets = 1000'000;
  int lost = 0;
  int bad = 0;
  for (int i = 0; i < kPackets; ++i) {
    lost += model.Lose(random);
    bad += model.in_bad_state();
  }
  EXPECT_NEAR(static_cast<double>(lost) / kPackets, 0.5 / 11, 0.004);
  EXPECT_NEAR(static_cast<double>(bad) / kPackets, 1.0 / 11, 0.008);
}

// With certain loss in the bad state and none in the good one, a loss is
// followed by another with probability 1 - r = 90%, while the overall rate is
// only p / (p + r) = 1/11: losses come in bursts.
TEST(LossModelTest, GilbertElliottLossesComeInBursts) {
  net::DeterministicRandom random = net::DeterministicRandom::Stream(7, "t");
  LossModel model = LossModel::GilbertElliott(
      {.p = net::Ratio::Percent(1), .r = net::Ratio::Percent(10)});
  int lost = 0;
  int lost_after_loss = 0;
  bool previous = false;
  constexpr int kPackets = 1000'000;
  for (int i = 0; i < kPackets; ++i) {
    const bool now = model.Lose(random);
    lost += now;
    if (previous) lost_after_loss += now;
    previous = now;
  }
  EXPECT_NEAR(static_cast<double>(lost) / kPackets, 1.0 / 11, 0.008);
  EXPECT_NEAR(static_cast<double>(lost_after_loss) / lost, 0.9, 0.01);
}

}  // namespace
}  // namespace pinhole::sim
