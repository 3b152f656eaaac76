#include "net/ip_prefix.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"

namespace pinhole::net {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

IpPrefix P(const char* text) {
  absl::StatusOr<IpPrefix> prefix = IpPrefix::Parse(text);
  EXPECT_TRUE(prefix.ok()) << text << ": " << prefix.status();
  return prefix.value_or(IpPrefix::Default(AddressFamily::kIpv4));
}
IpAddress A(const char* text) { return *IpAddress::Parse(text); }

TEST(IpPrefixTest, ParsesAndMasks) {
  EXPECT_EQ(P("10.1.2.3/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(P("2001:db8::1/32").ToString(), "2001:db8::/32");
  EXPECT_EQ(P("192.0.2.7").ToString(), "192.0.2.7/32");
  EXPECT_EQ(P("::1").ToString(), "::1/128");
  EXPECT_EQ(P("0.0.0.0/0"), IpPrefix::Default(AddressFamily::kIpv4));
  EXPECT_EQ(P("::/0"), IpPrefix::Default(AddressFamily::kIpv6));
  EXPECT_EQ(P("172.16.0.0/12").length(), 12);
  EXPECT_EQ(P("fe80::/10").family(), AddressFamily::kIpv6);
  EXPECT_EQ(P("fe80::/10").address(), A("fe80::"));
}

TEST(IpPrefixTest, Contains) {
  EXPECT_TRUE(P("10.0.0.0/8").Contains(A("10.255.0.1")));
  EXPECT_FALSE(P("10.0.0.0/8").Contains(A("11.0.0.1")));
  EXPECT_TRUE(P("172.16.0.0/12").Contains(A("172.31.255.255")));
  EXPECT_FALSE(P("172.16.0.0/12").Contains(A("172.32.0.0")));
  EXPECT_TRUE(P("fe80::/10").Contains(A("febf::1")));
  EXPECT_FALSE(P("fe80::/10").Contains(A("fec0::1")));
  EXPECT_TRUE(P("0.0.0.0/0").Contains(A("255.255.255.255")));
  EXPECT_TRUE(P("192.0.2.7").Contains(A("192.0.2.7")));
  EXPECT_FALSE(P("192.0.2.7").Contains(A("192.0.2.8")));
}

TEST(IpPrefixTest, NeverContainsTheOtherFamily) {
  EXPECT_FALSE(P("0.0.0.0/0").Contains(A("::1")));
  EXPECT_FALSE(P("::/0").Contains(A("10.0.0.1")));
  // An IPv4-mapped address is IPv6: seeing through it is the caller's choice.
  EXPECT_FALSE(P("10.0.0.0/8").Contains(A("::ffff:10.0.0.1")));
}

TEST(IpPrefixTest, RefusesBadLengths) {
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(IpPrefix::Parse("::/129").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/-1").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/+8").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/0008").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/8/8").ok());
  EXPECT_FALSE(IpPrefix::Parse("banana/8").ok());
  EXPECT_FALSE(IpPrefix::Parse("").ok());
  EXPECT_FALSE(IpPrefix::Create(A("10.0.0.0"), -1).ok());
  EXPECT_FALSE(IpPrefix::Create(A("10.0.0.0"), 33).ok());
  EXPECT_TRUE(IpPrefix::Create(A("::"), 128).ok());
}

TEST(IpPrefixTest, Prints) {
  std::ostringstream out;
  out << P("2001:DB8:0::/48");
  EXPECT_EQ(out.str(), "2001:db8::/48");
}

TEST(IpPrefixListTest, ParsesCommaSeparatedEntries) {
  absl::StatusOr<std::vector<IpPrefix>> list =
      IpPrefix::ParseList("10.0.0.0/8, 192.168.0.0/16 ,fc00::/7,198.51.100.7");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(*list, ElementsAre(P("10.0.0.0/8"), P("192.168.0.0/16"),
                                 P("fc00::/7"), P("198.51.100.7/32")));
}

TEST(IpPrefixListTest, EmptyTextIsTheEmptyList) {
  EXPECT_THAT(*IpPrefix::ParseList(""), IsEmpty());
  EXPECT_THAT(*IpPrefix::ParseList("  "), IsEmpty());
}

TEST(IpPrefixListTest, NamesTheBadEntry) {
  absl::StatusOr<std::vector<IpPrefix>> list =
      IpPrefix::ParseList("10.0.0.0/8,10.0.0.0/33");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(list.status().message()),
              HasSubstr("entry 2 \"10.0.0.0/33\""));

  for (const char* text : {"10.0.0.0/8,,fc00::/7", "10.0.0.0/8,", ","}) {
    list = IpPrefix::ParseList(text);
    ASSERT_FALSE(list.ok()) << text;
    EXPECT_THAT(std::string(list.status().message()), HasSubstr("is empty"))
        << text;
  }
}

}  // namespace
}  // namespace pinhole::net
