#include "sim/tls/seeded_openssl.h"

#include <openssl/rand.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/deterministic_random.h"

namespace pinhole::sim::tls {
namespace {

// What the context's public and private generators give for `seed`.
std::vector<uint8_t> Draw(uint64_t seed) {
  auto openssl =
      SeededOpenSsl::Create(std::make_unique<net::DeterministicRandom>(seed));
  EXPECT_TRUE(openssl.ok()) << openssl.status();
  std::vector<uint8_t> bytes(64);
  EXPECT_EQ(RAND_bytes_ex((*openssl)->libctx(), bytes.data(), 32, 0), 1);
  EXPECT_EQ(RAND_priv_bytes_ex((*openssl)->libctx(), bytes.data() + 32, 32, 0),
            1);
  return bytes;
}

TEST(SeededOpenSslTest, TheSameSeedGivesTheSameBytes) {
  EXPECT_EQ(Draw(7), Draw(7));
}

TEST(SeededOpenSslTest, TheBytesComeFromTheGenerator) {
  std::vector<uint8_t> expected(64);
  net::DeterministicRandom random(7);
  random.Fill(absl::MakeSpan(expected));
  EXPECT_EQ(Draw(7), expected);
  EXPECT_NE(Draw(8), expected);
}

}  // namespace
}  // namespace pinhole::sim::tls
