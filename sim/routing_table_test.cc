#include "sim/routing_table.h"

#include <optional>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace pinhole::sim {
namespace {

net::IpPrefix P(const char* text) { return *net::IpPrefix::Parse(text); }
net::IpAddress A(const char* text) { return *net::IpAddress::Parse(text); }

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
