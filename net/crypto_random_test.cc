#include "net/crypto_random.h"

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace pinhole::net {
namespace {

// Each expectation below fails for a working CSPRNG with probability below
// 2^-60.

TEST(CryptoRandomTest, DrawsDoNotRepeat) {
  CryptoRandom random;
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random.NextUint64());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(CryptoRandomTest, TwoInstancesDrawIndependently) {
  CryptoRandom a, b;
  EXPECT_NE(a.NextUint64(), b.NextUint64());
}

TEST(CryptoRandomTest, FillsEveryByte) {
  // A 96-bit STUN transaction ID, many times over: every byte position takes
  // many values.
  CryptoRandom random;
  std::array<std::set<uint8_t>, 12> values_at;
  for (int i = 0; i < 256; ++i) {
    std::array<uint8_t, 12> id;
    random.Fill(absl::MakeSpan(id));
    for (size_t j = 0; j < id.size(); ++j) values_at[j].insert(id[j]);
  }
  // 256 uniform bytes take at least 100 distinct values except with probability
  // far below 2^-60.
  for (const auto& values : values_at) EXPECT_GT(values.size(), 100u);
}

TEST(CryptoRandomTest, DistributionsWorkOnTop) {
  CryptoRandom random;
  for (int i = 0; i < 1000; ++i) {
    const int64_t port = random.UniformInRange(49152, 65535);
    ASSERT_GE(port, 49152);
    ASSERT_LE(port, 65535);
  }
  std::vector<uint8_t> large(100'000, 0);
  random.Fill(absl::MakeSpan(large));
  int zeros = 0;
  for (uint8_t b : large) zeros += b == 0;
  EXPECT_LT(zeros, 1000);  // Expected about 390.
}

}  // namespace
}  // namespace pinhole::net
