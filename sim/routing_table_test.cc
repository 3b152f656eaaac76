#include "sim/routing_table.h"

#include <optional>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "sim/ip_prefix.h"

namespace pinhole::sim {
namespace {

IpPrefix P(const char* text) { return *IpPrefix::Parse(text); }
net::IpAddress A(const char* text) { return *net::IpAddress::Parse(text); }

TEST(IpPrefixTest, ParsesAndMasks) {
  EXPECT_EQ(P("10.1.2.3/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(P("2001:db8::1/32").ToString(), "2001:db8::/32");
  EXPECT_EQ(P("192.0.2.7").ToString(), "192.0.2.7/32");
  EXPECT_TRUE(P("10.0.0.0/8").Contains(A("10.255.0.1")));
  EXPECT_FALSE(P("10.0.0.0/8").Contains(A("11.0.0.1")));
  EXPECT_FALSE(P("0.0.0.0/0").Contains(A("::1")));  // Other family.
}

TEST(IpPrefixTest, RefusesBadLengths) {
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(IpPrefix::Parse("::/129").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/-1").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/+8").ok());
  EXPECT_FALSE(IpPrefix::Parse("banana/8").ok());
  EXPECT_FALSE(IpPrefix::Create(A("10.0.0.0"), -1).ok());
}

TEST(RoutingTableTest, LongestPrefixWinsWhateverTheInsertionOrder) {
  RoutingTable table;
  ASSERT_TRUE(table.Add(P("0.0.0.0/0"), 0).ok());
  ASSERT_TRUE(table.Add(P("10.1.2.0/24"), 2).ok());
  ASSERT_TRUE(table.Add(P("10.0.0.0/8"), 1).ok());
  ASSERT_TRUE(table.Add(P("10.1.2.3/32"), 3).ok());
  ASSERT_TRUE(table.Add(P("2001:db8::/32"), 4).ok());
  EXPECT_EQ(table.Lookup(A("10.1.2.3")), 3);
  EXPECT_EQ(table.Lookup(A("10.1.2.4")), 2);
  EXPECT_EQ(table.Lookup(A("10.9.9.9")), 1);
  EXPECT_EQ(table.Lookup(A("192.0.2.1")), 0);
  EXPECT_EQ(table.Lookup(A("2001:db8::5")), 4);
  EXPECT_EQ(table.Lookup(A("2001:db9::5")), std::nullopt);
}

TEST(RoutingTableTest, RefusesTheSamePrefixTwice) {
  RoutingTable table;
  ASSERT_TRUE(table.Add(P("10.0.0.0/8"), 0).ok());
  EXPECT_EQ(table.Add(P("10.9.0.0/8"), 1).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(table.Lookup(A("10.0.0.1")), 0);
}

}  // namespace
}  // namespace pinhole::sim
