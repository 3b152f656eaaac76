#include "net/time.h"

#include <cstdint>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace pinhole::net {
namespace {

TEST(DurationTest, UnitsAreExactIntegerNanoseconds) {
  EXPECT_EQ(Duration::Microseconds(1).ToNanoseconds(), 1000);
  EXPECT_EQ(Duration::Milliseconds(500).ToNanoseconds(), 500'000'000);
  EXPECT_EQ(Duration::Seconds(39).ToMilliseconds(), 39'000);
  EXPECT_EQ(Duration::Minutes(10), Duration::Seconds(600));
  EXPECT_EQ(Duration::Hours(1), Duration::Seconds(3600));
  EXPECT_EQ(Duration(), Duration::Zero());
}

TEST(DurationTest, ConversionsTruncateTowardsZero) {
  EXPECT_EQ(Duration::Nanoseconds(1999).ToMicroseconds(), 1);
  EXPECT_EQ(Duration::Nanoseconds(-1999).ToMicroseconds(), -1);
  EXPECT_EQ(Duration::Milliseconds(1999).ToSeconds(), 1);
}

TEST(DurationTest, ArithmeticIsExact) {
  // RFC 8489 §6.2.1 retransmissions: 500 ms doubling; the seventh request goes
  // at 31.5 s.
  Duration rto = Duration::Milliseconds(500);
  Duration sent_at;
  for (int i = 1; i < 7; ++i, rto *= 2) sent_at += rto;
  EXPECT_EQ(sent_at, Duration::Milliseconds(31'500));
  EXPECT_EQ(Duration::Seconds(1) / 3, Duration::Nanoseconds(333'333'333));
  EXPECT_EQ(Duration::Seconds(10) / Duration::Milliseconds(3), 3333);
  EXPECT_EQ(Duration::Seconds(10) % Duration::Milliseconds(3),
            Duration::Milliseconds(1));
  EXPECT_EQ(-Duration::Seconds(1) + Duration::Milliseconds(1500),
            Duration::Milliseconds(500));
  EXPECT_EQ(3 * Duration::Milliseconds(50), Duration::Milliseconds(150));
  EXPECT_LT(Duration::Microseconds(999), Duration::Milliseconds(1));
}

TEST(DurationTest, ConvertsToAndFromAbsl) {
  EXPECT_EQ(Duration::Milliseconds(1500).ToAbsl(), absl::Milliseconds(1500));
  EXPECT_EQ(Duration::FromAbsl(absl::Microseconds(7)),
            Duration::Microseconds(7));
  // Sub-nanosecond precision is truncated towards zero.
  EXPECT_EQ(Duration::FromAbsl(absl::Nanoseconds(5) + absl::Nanoseconds(1) / 2),
            Duration::Nanoseconds(5));
  EXPECT_EQ(Duration::FromAbsl(absl::InfiniteDuration()).ToNanoseconds(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Duration::FromAbsl(-absl::InfiniteDuration()).ToNanoseconds(),
            std::numeric_limits<int64_t>::min());
}

TEST(DurationTest, PrintsReadably) {
  EXPECT_EQ(Duration::Milliseconds(1500).ToString(), "1.5s");
  EXPECT_EQ(Duration::Milliseconds(250).ToString(), "250ms");
  EXPECT_EQ((-Duration::Microseconds(3)).ToString(), "-3us");
  EXPECT_EQ(Duration::Zero().ToString(), "0");
}

TEST(TimeTest, InstantsAndSpansCombine) {
  const Time start = Time::FromNanosecondsSinceEpoch(1000'000'000'000);
  const Time later = start + Duration::Milliseconds(250);
  EXPECT_EQ(later - start, Duration::Milliseconds(250));
  EXPECT_EQ(later - Duration::Milliseconds(250), start);
  EXPECT_LT(start, later);
  EXPECT_EQ(later.SinceEpoch(),
            Duration::Seconds(1000) + Duration::Milliseconds(250));
  Time t = start;
  t += Duration::Seconds(1);
  t -= Duration::Milliseconds(1);
  EXPECT_EQ(t - start, Duration::Milliseconds(999));
}

TEST(TimeTest, PrintsFixedWidthSeconds) {
  EXPECT_EQ(Time::Epoch().ToString(), "0.000000000");
  EXPECT_EQ(Time::FromNanosecondsSinceEpoch(1000'000'500'000).ToString(),
            "1000.000500000");
  EXPECT_EQ(Time::FromNanosecondsSinceEpoch(-500'000'000).ToString(),
            "-0.500000000");
  EXPECT_EQ(Time::FromNanosecondsSinceEpoch(std::numeric_limits<int64_t>::min())
                .ToString(),
            "-9223372036.854775808");
}

TEST(TimeTest, HashesByValue) {
  absl::flat_hash_set<Time> instants = {
      Time::FromNanosecondsSinceEpoch(5),
      Time::FromNanosecondsSinceEpoch(5) + Duration::Zero()};
  EXPECT_EQ(instants.size(), 1u);
}

}  // namespace
}  // namespace pinhole::net
