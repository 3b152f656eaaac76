#include "sim/pcap/internet_checksum.h"

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace pinhole::sim::pcap {
namespace {

TEST(InternetChecksumTest, Rfc1071NumericalExample) {
  // RFC 1071 §3: these bytes sum to 0xddf2; the checksum is its complement.
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0xf2, 0x03,
                                      0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ComputeInternetChecksum(bytes), 0x220d);
}

TEST(InternetChecksumTest, KnownIpv4Header) {
  // 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, DF, total length 0x73, with its
  // checksum field zeroed. By hand: 4500 + 0073 + 0000 + 4000 + 4011 + c0a8 +
  // 0001 + c0a8 + 00c7 = 0x2479c; folded 0x479e; complement 0xb861.
  const std::vector<uint8_t> header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                                       0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
                                       0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(ComputeInternetChecksum(header), 0xb861);

  // With the checksum in place the header verifies: it sums to 0xffff.
  std::vector<uint8_t> filled = header;
  filled[10] = 0xb8;
  filled[11] = 0x61;
  EXPECT_EQ(ComputeInternetChecksum(filled), 0);
}

TEST(InternetChecksumTest, EmptyInputIsAllOnes) {
  EXPECT_EQ(ComputeInternetChecksum({}), 0xffff);
}

TEST(InternetChecksumTest, OddLengthIsPaddedWithZero) {
  // 0x01 is the high byte of the word 0x0100.
  EXPECT_EQ(ComputeInternetChecksum(std::vector<uint8_t>{0x01}), 0xfeff);
  EXPECT_EQ(ComputeInternetChecksum(std::vector<uint8_t>{0x12, 0x34, 0x56}),
            static_cast<uint16_t>(~(0x1234 + 0x5600)));
}

TEST(InternetChecksumTest, CarriesWrapAround) {
  // 0xffff + 0xffff = 0x1fffe, folded 0xffff, complement 0.
  EXPECT_EQ(
      ComputeInternetChecksum(std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff}), 0);
  // 0x8000 + 0x8000 = 0x10000, folded 0x0001, complement 0xfffe.
  EXPECT_EQ(
      ComputeInternetChecksum(std::vector<uint8_t>{0x80, 0x00, 0x80, 0x00}),
      0xfffe);
}

TEST(InternetChecksumTest, SplitAddsEqualOneAdd) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 301; ++i) bytes.push_back(static_cast<uint8_t>(i * 37));
  const uint16_t whole = ComputeInternetChecksum(bytes);
  // Every split, including ones that leave an odd first part.
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    InternetChecksum checksum;
    const absl::Span<const uint8_t> all(bytes);
    checksum.Add(all.subspan(0, cut));
    checksum.Add(all.subspan(cut));
    EXPECT_EQ(checksum.Checksum(), whole) << "cut at " << cut;
  }
  // Three parts of odd length.
  InternetChecksum checksum;
  const absl::Span<const uint8_t> all(bytes);
  checksum.Add(all.subspan(0, 3));
  checksum.Add(all.subspan(3, 5));
  checksum.Add(all.subspan(8));
  EXPECT_EQ(checksum.Checksum(), whole);
}

}  // namespace
}  // namespace pinhole::sim::pcap
