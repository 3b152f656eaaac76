// The golden values below were computed with an independent implementation of
// xoshiro256**, SplitMix64 and the SHA-256 stream derivation. They pin the
// generator: any process, on any machine, with the same seed and stream name,
// must draw exactly these numbers. If this test fails, every recorded seed and
// golden trace in Pinhole has silently changed meaning.
#include "net/deterministic_random.h"

#include <array>
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pinhole::net {
namespace {

using ::testing::ElementsAre;

std::vector<uint64_t> Draw(Random& random, int n) {
  std::vector<uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(random.NextUint64());
  return out;
}

TEST(DeterministicRandomTest, MatchesTheReferenceXoshiro256StarStar) {
  // The reference implementation's output from the state {1, 2, 3, 4}.
  DeterministicRandom random = DeterministicRandom::FromState({1, 2, 3, 4});
  EXPECT_THAT(Draw(random, 4),
              ElementsAre(11520u, 0u, 1509978240u, 1215971899390074240u));
}

TEST(DeterministicRandomTest, GoldenSequenceFromSeed) {
  DeterministicRandom zero(0);
  EXPECT_THAT(Draw(zero, 5), ElementsAre(0x99ec5f36cb75f2b4, 0xbf6e1f784956452a,
                                         0x1a5f849d4933e6e0, 0x6aa594f1262d2d2c,
                                         0xbba5ad4a1f842e59));
  DeterministicRandom forty_two(42);
  EXPECT_THAT(
      Draw(forty_two, 5),
      ElementsAre(0x15780b2e0c2ec716, 0x6104d9866d113a7e, 0xae17533239e499a1,
                  0xecb8ad4703b360a1, 0xfde6dc7fe2ec5e64));
}

TEST(DeterministicRandomTest, GoldenStreams) {
  DeterministicRandom home = DeterministicRandom::Stream(42, "nat/home");
  EXPECT_THAT(Draw(home, 3), ElementsAre(0x1b853e6ee7cc5c59, 0xe51f2fa8809c09bb,
                                         0x024b543a73dd3485));
  DeterministicRandom carrier = DeterministicRandom::Stream(42, "nat/carrier");
  EXPECT_THAT(
      Draw(carrier, 3),
      ElementsAre(0x110c9348e41b5d4b, 0x520b25a8603acc0d, 0xde0c05340a4bf867));
  DeterministicRandom other_seed = DeterministicRandom::Stream(7, "nat/home");
  EXPECT_THAT(
      Draw(other_seed, 3),
      ElementsAre(0x12b81c00ce06f7b1, 0xd56c8a3d67fc7d02, 0xccd5e37e5d193471));
}

TEST(DeterministicRandomTest, GoldenDistributions) {
  // Uniform() and Fill() on top of the generator are pinned too: NAT port
  // choice and jitter draw through them.
  DeterministicRandom dice(42);
  std::vector<uint64_t> rolls;
  for (int i = 0; i < 12; ++i) rolls.push_back(dice.Uniform(6));
  EXPECT_THAT(rolls, ElementsAre(0, 2, 4, 5, 5, 4, 4, 5, 4, 3, 4, 1));

  DeterministicRandom bytes_source(42);
  std::array<uint8_t, 10> bytes;
  bytes_source.Fill(absl::MakeSpan(bytes));
  EXPECT_THAT(bytes, ElementsAre(22, 199, 46, 12, 46, 11, 120, 21, 126, 58));
}

TEST(DeterministicRandomTest, SameSeedAndNameGiveTheSameStream) {
  DeterministicRandom a = DeterministicRandom::Stream(99, "host/alice/ice");
  DeterministicRandom b = DeterministicRandom::Stream(99, "host/alice/ice");
  EXPECT_EQ(Draw(a, 1000), Draw(b, 1000));
}

TEST(DeterministicRandomTest, DifferentNamesOrSeedsGiveDifferentStreams) {
  DeterministicRandom alice_stream =
      DeterministicRandom::Stream(99, "host/alice");
  const std::vector<uint64_t> alice = Draw(alice_stream, 64);
  DeterministicRandom bob = DeterministicRandom::Stream(99, "host/bob");
  DeterministicRandom alice_other_seed =
      DeterministicRandom::Stream(100, "host/alice");
  // Names that differ only by a prefix must not collide either.
  DeterministicRandom alice_prefix =
      DeterministicRandom::Stream(99, "host/alic");
  for (DeterministicRandom* other : {&bob, &alice_other_seed, &alice_prefix}) {
    const std::vector<uint64_t> drawn = Draw(*other, 64);
    int equal = 0;
    for (size_t i = 0; i < drawn.size(); ++i) equal += drawn[i] == alice[i];
    EXPECT_EQ(equal, 0);
  }
}

TEST(DeterministicRandomTest, DrawingFromOneStreamLeavesAnotherUntouched) {
  DeterministicRandom a1 = DeterministicRandom::Stream(5, "a");
  DeterministicRandom b1 = DeterministicRandom::Stream(5, "b");
  Draw(a1, 100);
  DeterministicRandom b2 = DeterministicRandom::Stream(5, "b");
  EXPECT_EQ(Draw(b1, 10), Draw(b2, 10));
}

TEST(DeterministicRandomTest, AllZeroStateIsReplaced) {
  DeterministicRandom zero_state = DeterministicRandom::FromState({0, 0, 0, 0});
  DeterministicRandom seed_zero(0);
  EXPECT_EQ(Draw(zero_state, 4), Draw(seed_zero, 4));
}

}  // namespace
}  // namespace pinhole::net
