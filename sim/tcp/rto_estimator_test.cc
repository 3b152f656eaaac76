#include "sim/tcp/rto_estimator.h"

#include "gtest/gtest.h"
#include "net/time.h"

namespace pinhole::sim::tcp {
namespace {

using net::Duration;

RtoEstimator Linuxish() {
  return RtoEstimator(Duration::Seconds(1), Duration::Milliseconds(200),
                      Duration::Seconds(60));
}

TEST(RtoEstimatorTest, StartsAtTheInitialRto) {
  const RtoEstimator rto = Linuxish();
  EXPECT_EQ(rto.rto(), Duration::Seconds(1));
  EXPECT_FALSE(rto.has_sample());
}

TEST(RtoEstimatorTest, FirstSampleSetsSrttAndHalfOfItAsVariance) {
  RtoEstimator rto = Linuxish();
  rto.AddSample(Duration::Milliseconds(100));
  EXPECT_EQ(rto.srtt(), Duration::Milliseconds(100));
  EXPECT_EQ(rto.rttvar(), Duration::Milliseconds(50));
  EXPECT_EQ(rto.rto(), Duration::Milliseconds(300));  // 100 + 4 * 50.
}

TEST(RtoEstimatorTest, LaterSamplesSmoothPerRfc6298) {
  RtoEstimator rto = Linuxish();
  rto.AddSample(Duration::Milliseconds(100));
  rto.AddSample(Duration::Milliseconds(180));
  // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 57.5; SRTT = 7/8 * 100 + 180/8.
  EXPECT_EQ(rto.rttvar(), Duration::Microseconds(57500));
  EXPECT_EQ(rto.srtt(), Duration::Milliseconds(110));
  EXPECT_EQ(rto.rto(), Duration::Milliseconds(340));
}

TEST(RtoEstimatorTest, ClampsToMinimumAndMaximum) {
  RtoEstimator rto = Linuxish();
  rto.AddSample(Duration::Milliseconds(10));
  EXPECT_EQ(rto.rto(), Duration::Milliseconds(200));
  rto.AddSample(Duration::Seconds(100));
  EXPECT_EQ(rto.rto(), Duration::Seconds(60));
}

TEST(RtoEstimatorTest, BackoffDoublesUpToTheMaximum) {
  RtoEstimator rto = Linuxish();
  rto.Backoff();
  EXPECT_EQ(rto.rto(), Duration::Seconds(2));
  for (int i = 0; i < 10; ++i) rto.Backoff();
  EXPECT_EQ(rto.rto(), Duration::Seconds(60));
  rto.AddSample(Duration::Milliseconds(100));  // A sample undoes backoff.
  EXPECT_EQ(rto.rto(), Duration::Milliseconds(300));
}

TEST(RtoEstimatorTest, SetKeepsTheEstimate) {
  RtoEstimator rto = Linuxish();
  rto.Set(Duration::Seconds(3));
  EXPECT_EQ(rto.rto(), Duration::Seconds(3));
  EXPECT_FALSE(rto.has_sample());
}

}  // namespace
}  // namespace pinhole::sim::tcp
