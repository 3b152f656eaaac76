// The distributions of `Random`, checked on a scripted source of bits (so the
// exact draws are known) and statistically on the deterministic generator (so
// the checks are repeatable).
#include "net/random.h"

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "net/deterministic_random.h"
#include "net/time.h"

namespace pinhole::net {
namespace {

// Replays the given words, then fails the test if asked for more (and returns
// all ones, a word no distribution rejects, so a faulty caller cannot loop
// forever).
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<uint64_t> words)
      : words_(words.begin(), words.end()) {}
  uint64_t NextUint64() override {
    ++draws_;
    if (words_.empty()) {
      ADD_FAILURE() << "drew more words than scripted";
      return UINT64_MAX;
    }
    const uint64_t w = words_.front();
    words_.pop_front();
    return w;
  }
  int draws() const { return draws_; }

 private:
  std::deque<uint64_t> words_;
  int draws_ = 0;
};

TEST(RandomTest, UniformTakesTheHighWordOfTheProduct) {
  ScriptedRandom random({1, UINT64_MAX, (uint64_t{1} << 63) + 1});
  EXPECT_EQ(random.Uniform(10), 0u);
  EXPECT_EQ(random.Uniform(10), 9u);
  EXPECT_EQ(random.Uniform(10), 5u);
  EXPECT_EQ(random.draws(), 3);
}

TEST(RandomTest, UniformRejectsTheBiasedLowProducts) {
  // For bound 10, 2^64 mod 10 = 6: the products of x = 0 and x = 2^63 have low
  // words 0 < 6 and are rejected; the next word is used instead.
  ScriptedRandom random({0, uint64_t{1} << 63, UINT64_MAX});
  EXPECT_EQ(random.Uniform(10), 9u);
  EXPECT_EQ(random.draws(), 3);
}

TEST(RandomTest, UniformOfZeroOrOneDrawsAsDocumented) {
  ScriptedRandom random({12345});
  EXPECT_EQ(random.Uniform(0), 0u);
  EXPECT_EQ(random.draws(), 0);
  EXPECT_EQ(random.Uniform(1), 0u);
  EXPECT_EQ(random.draws(), 1);
}

TEST(RandomTest, UniformIsUnbiasedOverSmallBounds) {
  DeterministicRandom random(1);
  constexpr int kDraws = 600'000;
  std::array<int, 6> counts{};
  for (int i = 0; i < kDraws; ++i) ++counts[random.Uniform(6)];
  // Chi-square with 5 degrees of freedom; 20.5 is the 0.001 tail. The seed is
  // fixed, so this is a deterministic check that the method is not visibly
  // biased, not a flaky one.
  double chi_square = 0;
  for (int c : counts)
    chi_square += (c - kDraws / 6.0) * (c - kDraws / 6.0) / (kDraws / 6.0);
  EXPECT_LT(chi_square, 20.5);
}

TEST(RandomTest, UniformInRangeIncludesBothEnds) {
  DeterministicRandom random(2);
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = random.UniformInRange(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    saw_low |= v == -2;
    saw_high |= v == 2;
  }
  EXPECT_TRUE(saw_low);
  EXPECT_TRUE(saw_high);
  EXPECT_EQ(random.UniformInRange(7, 7), 7);
}

TEST(RandomTest, UniformInRangeCoversTheFullInt64Span) {
  ScriptedRandom random({0, UINT64_MAX});
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(random.UniformInRange(kMin, kMax), kMin);
  EXPECT_EQ(random.UniformInRange(kMin, kMax), kMax);
}

TEST(RandomTest, UniformDurationStaysWithinBounds) {
  // RFC 7675 §5.1: consent checks go out every 4-6 s, randomised.
  DeterministicRandom random(3);
  for (int i = 0; i < 1000; ++i) {
    const Duration d =
        random.UniformDuration(Duration::Seconds(4), Duration::Seconds(6));
    ASSERT_GE(d, Duration::Seconds(4));
    ASSERT_LE(d, Duration::Seconds(6));
  }
}

TEST(RandomTest, BernoulliMatchesItsRatio) {
  DeterministicRandom random(4);
  int hits = 0;
  for (int i = 0; i < 100'000; ++i)
    hits += random.Bernoulli(Ratio::Percent(30));
  // Mean 30,000, standard deviation about 145: 1,000 is about seven deviations.
  EXPECT_NEAR(hits, 30'000, 1'000);
}

TEST(RandomTest, CertainAndImpossibleOutcomesDrawNothing) {
  ScriptedRandom random({});
  EXPECT_TRUE(random.Bernoulli(Ratio::Always()));
  EXPECT_TRUE(random.Bernoulli({5, 3}));
  EXPECT_FALSE(random.Bernoulli(Ratio::Never()));
  EXPECT_FALSE(random.Bernoulli({1, 0}));
  EXPECT_EQ(random.draws(), 0);
  EXPECT_EQ(Ratio::PartsPerMillion(250).denominator, 1000'000u);
}

TEST(RandomTest, FillStoresWordsLittleEndian) {
  ScriptedRandom random({0x0807060504030201, 0x0000000000000a09});
  std::array<uint8_t, 10> bytes{};
  random.Fill(absl::MakeSpan(bytes));
  EXPECT_EQ(bytes, (std::array<uint8_t, 10>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(random.draws(), 2);
}

}  // namespace
}  // namespace pinhole::net
