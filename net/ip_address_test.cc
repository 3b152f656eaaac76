#include "net/ip_address.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/deterministic_random.h"

namespace pinhole::net {
namespace {

using ::testing::HasSubstr;

IpAddress Ip(const char* text) {
  absl::StatusOr<IpAddress> ip = IpAddress::Parse(text);
  EXPECT_TRUE(ip.ok()) << text << ": " << ip.status();
  return ip.value_or(IpAddress());
}

TEST(IpAddressTest, ParsesIpv4) {
  const IpAddress ip = Ip("192.0.2.1");
  EXPECT_TRUE(ip.is_v4());
  EXPECT_EQ(ip.family(), AddressFamily::kIpv4);
  EXPECT_THAT(ip.bytes(), ::testing::ElementsAre(192, 0, 2, 1));
  EXPECT_EQ(ip.v4_value(), 0xc0000201u);
  EXPECT_EQ(ip, IpAddress::FromV4Value(0xc0000201));
  EXPECT_EQ(Ip("0.0.0.0"), IpAddress::V4Any());
  EXPECT_EQ(Ip("255.255.255.255").v4_value(), 0xffffffffu);
}

TEST(IpAddressTest, ParsesIpv6Forms) {
  const IpAddress full = Ip("2001:0db8:0000:0000:0000:ff00:0042:8329");
  EXPECT_TRUE(full.is_v6());
  EXPECT_EQ(full.bytes().size(), 16u);
  EXPECT_EQ(Ip("2001:db8::ff00:42:8329"), full);
  EXPECT_EQ(Ip("2001:DB8::FF00:42:8329"), full);
  EXPECT_EQ(Ip("::"), IpAddress::V6Any());
  EXPECT_EQ(Ip("::1"), IpAddress::V6Loopback());
  EXPECT_EQ(Ip("1::"), Ip("1:0:0:0:0:0:0:0"));
  // "::" may stand for a single zero group (RFC 4291 §2.2), though RFC 5952
  // never prints it so.
  EXPECT_EQ(Ip("1:2:3:4:5:6:7::"), Ip("1:2:3:4:5:6:7:0"));
  EXPECT_EQ(Ip("::2:3:4:5:6:7:8"), Ip("0:2:3:4:5:6:7:8"));
  EXPECT_EQ(Ip("::ffff:192.0.2.1"), Ip("::ffff:c000:201"));
  EXPECT_EQ(Ip("64:ff9b::192.0.2.33"), Ip("64:ff9b::c000:221"));
  EXPECT_EQ(Ip("1:2:3:4:5:6:1.2.3.4"), Ip("1:2:3:4:5:6:102:304"));
}

struct BadInput {
  const char* text;
  const char* reason;  // A fragment the error message must contain.
};

class IpAddressRejectsTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(IpAddressRejectsTest, WithAClearError) {
  const absl::StatusOr<IpAddress> ip = IpAddress::Parse(GetParam().text);
  ASSERT_FALSE(ip.ok()) << GetParam().text << " parsed as " << *ip;
  EXPECT_EQ(ip.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ip.status().message()),
              HasSubstr("invalid IP address"));
  EXPECT_THAT(std::string(ip.status().message()), HasSubstr(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, IpAddressRejectsTest,
    ::testing::Values(BadInput{"", "empty"},
                      // IPv4.
                      BadInput{"256.0.0.1", "out of range"},
                      BadInput{"1.2.3.1000", "out of range"},
                      BadInput{"1.2.3.99999999999", "out of range"},
                      BadInput{"010.0.0.1", "leading zero"},
                      BadInput{"1.2.3.00", "leading zero"},
                      BadInput{"1.2.3", "four dot-separated"},
                      BadInput{"1.2.3.4.5", "four dot-separated"},
                      BadInput{"1..2.3", "empty part"},
                      BadInput{"1.2.3.", "empty part"},
                      BadInput{".1.2.3", "empty part"},
                      BadInput{"1.2.3.-4", "unexpected character"},
                      BadInput{"1.2.3.4 ", "unexpected character"},
                      BadInput{" 1.2.3.4", "unexpected character"},
                      BadInput{"0x7f.0.0.1", "unexpected character"},
                      BadInput{"localhost", "four dot-separated"},
                      // IPv6: groups.
                      BadInput{"1:2:3:4:5:6:7:8:9", "expected 8 groups"},
                      BadInput{"1:2:3:4:5:6:7", "expected 8 groups"},
                      BadInput{"1:2:3:4:5:6:7:8::", "too many groups"},
                      BadInput{"::1:2:3:4:5:6:7:8", "too many groups"},
                      BadInput{"12345::", "more than four hex digits"},
                      BadInput{"g::1", "unexpected character"},
                      BadInput{"1:2:3:4:5:6:7:8 ", "unexpected"},
                      BadInput{":1:2:3:4:5:6:7", "empty group"},
                      BadInput{"1:2:3:4:5:6:7:", "empty group"},
                      BadInput{":", "empty group"},
                      // IPv6: "::".
                      BadInput{"1::2::3", "'::' appears more than once"},
                      BadInput{"::1::", "more than once"},
                      BadInput{":::", "':::' is not valid"},
                      BadInput{"1:::2", "':::' is not valid"},
                      // IPv6: embedded IPv4.
                      BadInput{"::ffff:1.2.3", "bad embedded IPv4"},
                      BadInput{"::ffff:1.2.3.256", "bad embedded IPv4"},
                      BadInput{"::ffff:01.2.3.4", "bad embedded IPv4"},
                      BadInput{"::1.2.3.4:1", "must be the last 32 bits"},
                      BadInput{"1.2.3.4::", "must be the last 32 bits"},
                      BadInput{"1:2:3:4:5:6:7:1.2.3.4", "expected 8 groups"},
                      BadInput{"1:2:3:4:5:6::1.2.3.4", "too many groups"},
                      // Zone identifiers, brackets, ports.
                      BadInput{"fe80::1%eth0", "zone identifiers"},
                      BadInput{"fe80::1%25eth0", "not supported"},
                      BadInput{"[::1]", "unexpected character"},
                      BadInput{"1.2.3.4:80", "last 32 bits"}));

TEST(IpAddressTest, ErrorsQuoteLongInputOnlyInPart) {
  const std::string long_input(10'000, '1');
  const absl::StatusOr<IpAddress> ip = IpAddress::Parse(long_input);
  ASSERT_FALSE(ip.ok());
  EXPECT_LT(ip.status().message().size(), 200u);
  EXPECT_THAT(std::string(ip.status().message()), HasSubstr("..."));
}

TEST(IpAddressTest, FormatsIpv6CanonicallyPerRfc5952) {
  // §4.1 leading zeros, §4.3 lower case.
  EXPECT_EQ(Ip("2001:0DB8:0000:0000:0000:0000:0000:0001").ToString(),
            "2001:db8::1");
  // §4.2.1 the longest run is compressed.
  EXPECT_EQ(Ip("2001:db8:0:0:1:0:0:0").ToString(), "2001:db8:0:0:1::");
  // §4.2.2 a single zero group is not compressed.
  EXPECT_EQ(Ip("2001:db8:0:1:1:1:1:1").ToString(), "2001:db8:0:1:1:1:1:1");
  // §4.2.3 the first of equal runs is compressed.
  EXPECT_EQ(Ip("2001:db8:0:0:1:0:0:1").ToString(), "2001:db8::1:0:0:1");
  EXPECT_EQ(Ip("0:0:0:0:0:0:0:0").ToString(), "::");
  EXPECT_EQ(Ip("0:0:0:0:0:0:0:1").ToString(), "::1");
  EXPECT_EQ(Ip("1:0:0:0:0:0:0:0").ToString(), "1::");
  // §5 mixed notation for IPv4-mapped and IPv4-compatible addresses.
  EXPECT_EQ(Ip("::ffff:c000:201").ToString(), "::ffff:192.0.2.1");
  EXPECT_EQ(Ip("::ffff:0:0").ToString(), "::ffff:0.0.0.0");
  EXPECT_EQ(Ip("::c000:201").ToString(), "::192.0.2.1");
  EXPECT_EQ(Ip("::2").ToString(), "::2");
  EXPECT_EQ(Ip("64:ff9b::c000:221").ToString(), "64:ff9b::c000:221");
}

TEST(IpAddressTest, FormatsLikeInetNtopForManyAddresses) {
  // Random addresses with runs of zero groups in random places, so every branch
  // of the "::" choice and of the mixed notation is exercised against the C
  // library's formatter.
  DeterministicRandom random(5952);
  for (int i = 0; i < 20'000; ++i) {
    std::array<uint8_t, 16> bytes;
    random.Fill(absl::MakeSpan(bytes));
    for (int group = 0; group < 8; ++group) {
      if (random.Bernoulli({1, 2})) bytes[2 * group] = bytes[2 * group + 1] = 0;
    }
    if (random.Bernoulli({1, 8})) bytes[10] = bytes[11] = 0xff;
    const IpAddress ip = IpAddress::FromV6Bytes(bytes);
    char expected[INET6_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET6, bytes.data(), expected, sizeof(expected)),
              nullptr);
    ASSERT_EQ(ip.ToString(), expected);
    ASSERT_EQ(Ip(expected), ip);
  }
}

TEST(IpAddressTest, RoundTripsThroughBytes) {
  for (const char* text : {"192.0.2.1", "2001:db8::1", "::ffff:10.0.0.1"}) {
    const IpAddress ip = Ip(text);
    absl::StatusOr<IpAddress> copy = IpAddress::FromBytes(ip.bytes());
    ASSERT_TRUE(copy.ok());
    EXPECT_EQ(*copy, ip);
    EXPECT_EQ(copy->ToString(), text);
  }
  const std::vector<uint8_t> five(5, 0);
  EXPECT_THAT(std::string(IpAddress::FromBytes(five).status().message()),
              HasSubstr("4 (IPv4) or 16 (IPv6) bytes long, not 5"));
}

TEST(IpAddressTest, Classifies) {
  EXPECT_TRUE(Ip("0.0.0.0").IsUnspecified());
  EXPECT_TRUE(Ip("::").IsUnspecified());
  EXPECT_FALSE(Ip("0.0.0.1").IsUnspecified());
  EXPECT_TRUE(Ip("0.1.2.3").IsThisNetwork());
  EXPECT_FALSE(Ip("1.0.0.0").IsThisNetwork());

  EXPECT_TRUE(Ip("127.0.0.1").IsLoopback());
  EXPECT_TRUE(Ip("127.255.0.9").IsLoopback());
  EXPECT_TRUE(Ip("::1").IsLoopback());
  EXPECT_FALSE(Ip("::2").IsLoopback());
  EXPECT_FALSE(Ip("128.0.0.1").IsLoopback());

  for (const char* text :
       {"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
        "192.168.0.1", "192.168.255.255"}) {
    EXPECT_TRUE(Ip(text).IsPrivate()) << text;
  }
  for (const char* text :
       {"9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0",
        "192.167.255.255", "192.169.0.0", "fd00::1"}) {
    EXPECT_FALSE(Ip(text).IsPrivate()) << text;
  }

  EXPECT_TRUE(Ip("100.64.0.1").IsSharedAddressSpace());
  EXPECT_TRUE(Ip("100.127.255.255").IsSharedAddressSpace());
  EXPECT_FALSE(Ip("100.128.0.0").IsSharedAddressSpace());
  EXPECT_FALSE(Ip("100.63.255.255").IsSharedAddressSpace());

  EXPECT_TRUE(Ip("169.254.169.254").IsLinkLocal());
  EXPECT_TRUE(Ip("fe80::1").IsLinkLocal());
  EXPECT_TRUE(Ip("febf:ffff::1").IsLinkLocal());
  EXPECT_FALSE(Ip("fec0::1").IsLinkLocal());
  EXPECT_FALSE(Ip("169.253.0.1").IsLinkLocal());

  EXPECT_TRUE(Ip("fc00::1").IsUniqueLocal());
  EXPECT_TRUE(Ip("fdff:ffff::1").IsUniqueLocal());
  EXPECT_FALSE(Ip("fe00::1").IsUniqueLocal());
  EXPECT_FALSE(Ip("10.0.0.1").IsUniqueLocal());

  EXPECT_TRUE(Ip("224.0.0.1").IsMulticast());
  EXPECT_TRUE(Ip("239.255.255.250").IsMulticast());
  EXPECT_FALSE(Ip("240.0.0.1").IsMulticast());
  EXPECT_TRUE(Ip("ff02::1").IsMulticast());
  EXPECT_FALSE(Ip("fe02::1").IsMulticast());

  EXPECT_TRUE(Ip("255.255.255.255").IsBroadcast());
  EXPECT_FALSE(Ip("255.255.255.254").IsBroadcast());
}

TEST(IpAddressTest, SeesIpv4InsideIpv6Spellings) {
  EXPECT_TRUE(Ip("::ffff:127.0.0.1").IsV4Mapped());
  EXPECT_FALSE(
      Ip("::ffff:127.0.0.1").IsLoopback());  // As it is, an IPv6 address.
  EXPECT_EQ(Ip("::ffff:127.0.0.1").EmbeddedV4(), Ip("127.0.0.1"));

  EXPECT_TRUE(Ip("::169.254.169.254").IsV4Compatible());
  EXPECT_EQ(Ip("::169.254.169.254").EmbeddedV4(), Ip("169.254.169.254"));
  EXPECT_FALSE(Ip("::").IsV4Compatible());
  EXPECT_FALSE(Ip("::1").IsV4Compatible());
  EXPECT_FALSE(Ip("::ffff:1.2.3.4").IsV4Compatible());

  EXPECT_TRUE(Ip("64:ff9b::10.0.0.1").IsNat64());
  EXPECT_EQ(Ip("64:ff9b::10.0.0.1").EmbeddedV4(), Ip("10.0.0.1"));
  EXPECT_TRUE(Ip("64:ff9b:1:ab::1").IsNat64());
  EXPECT_FALSE(Ip("64:ff9b:2::1").IsNat64());

  EXPECT_EQ(Ip("2001:db8::1").EmbeddedV4(), std::nullopt);
  EXPECT_EQ(Ip("10.0.0.1").EmbeddedV4(), std::nullopt);

  EXPECT_EQ(Ip("192.0.2.1").ToV4Mapped(), Ip("::ffff:192.0.2.1"));
  EXPECT_EQ(Ip("2001:db8::1").ToV4Mapped(), Ip("2001:db8::1"));
}

TEST(IpAddressTest, Masks) {
  EXPECT_EQ(Ip("192.168.37.201").Masked(24), Ip("192.168.37.0"));
  EXPECT_EQ(Ip("172.31.255.255").Masked(12), Ip("172.16.0.0"));
  EXPECT_EQ(Ip("192.168.37.201").Masked(32), Ip("192.168.37.201"));
  EXPECT_EQ(Ip("192.168.37.201").Masked(0), Ip("0.0.0.0"));
  EXPECT_EQ(Ip("2001:db8:aaaa:bbbb::1").Masked(48), Ip("2001:db8:aaaa::"));
  EXPECT_EQ(Ip("2001:db8::1").Masked(200), Ip("2001:db8::1"));
  EXPECT_EQ(Ip("fe80::1").Masked(10), Ip("fe80::"));
}

TEST(IpAddressTest, OrdersIpv4BeforeIpv6ThenByBytes) {
  EXPECT_LT(Ip("255.255.255.255"), Ip("::"));
  EXPECT_LT(Ip("10.0.0.1"), Ip("10.0.0.2"));
  EXPECT_LT(Ip("9.255.255.255"), Ip("10.0.0.0"));
  EXPECT_LT(Ip("2001:db8::1"), Ip("2001:db8::1:0"));
  EXPECT_GT(Ip("::1"), Ip("::"));
  EXPECT_LE(Ip("::1"), Ip("::1"));
  // Same bytes, different family: not equal.
  EXPECT_NE(Ip("0.0.0.0"), Ip("::"));
}

TEST(IpAddressTest, HashesByValue) {
  absl::flat_hash_set<IpAddress> set = {Ip("2001:db8::1"), Ip("2001:DB8:0::1"),
                                        Ip("0.0.0.0"), Ip("::")};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.contains(Ip("2001:db8:0:0:0:0:0:1")));
}

}  // namespace
}  // namespace pinhole::net
