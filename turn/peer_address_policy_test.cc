#include "turn/peer_address_policy.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "turn/peer_address_examples.h"

namespace pinhole::turn {
namespace {

using ::testing::HasSubstr;

net::IpAddress Ip(const char* text) {
  absl::StatusOr<net::IpAddress> ip = net::IpAddress::Parse(text);
  EXPECT_TRUE(ip.ok()) << text << ": " << ip.status();
  return ip.value_or(net::IpAddress());
}

net::IpPrefix Prefix(const char* text) {
  absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::Parse(text);
  EXPECT_TRUE(prefix.ok()) << text << ": " << prefix.status();
  return prefix.value_or(net::IpPrefix::Default(net::AddressFamily::kIpv4));
}

// The server of the tables below: public addresses from the documentation
// ranges, as the simulator gives them.
constexpr const char* kOwnV4 = examples::kOwnIpv4;
constexpr const char* kOwnV6 = examples::kOwnIpv6;

PeerAddressPolicy ServerPolicy(PeerAddressPolicy::Config config = {}) {
  config.own_addresses = {Ip(kOwnV4), Ip(kOwnV6)};
  return PeerAddressPolicy(std::move(config));
}

// STUN caps a reason phrase at 128 characters (RFC 8489 §14.8).
constexpr size_t kMaxReasonPhrase = 127;

// The spellings the tables use, built from the layouts of the header so the
// hand-written text is checked against them.
net::IpAddress Nat64LocalUse48(const char* v4_text) {
  const net::IpAddress ip = Ip(v4_text);
  const absl::Span<const uint8_t> v4 = ip.bytes();
  std::array<uint8_t, 16> b = {0, 0x64, 0xff, 0x9b, 0, 1};
  b[6] = v4[0];
  b[7] = v4[1];
  b[9] = v4[2];  // b[8] is the u-octet, always zero.
  b[10] = v4[3];
  return net::IpAddress::FromV6Bytes(b);
}

net::IpAddress Teredo(const char* server_text, const char* client_text) {
  const net::IpAddress server_ip = Ip(server_text);
  const net::IpAddress client_ip = Ip(client_text);
  const absl::Span<const uint8_t> server = server_ip.bytes();
  const absl::Span<const uint8_t> client = client_ip.bytes();
  std::array<uint8_t, 16> b = {0x20, 0x01, 0, 0};
  for (int i = 0; i < 4; ++i) {
    b[4 + i] = server[i];
    b[12 + i] = static_cast<uint8_t>(~client[i]);
  }
  return net::IpAddress::FromV6Bytes(b);
}

TEST(PeerAddressPolicySpellingsTest, TablesSpellTheLayoutsOfTheHeader) {
  EXPECT_EQ(Ip("64:ff9b:1:7f00:0:100::"), Nat64LocalUse48("127.0.0.1"));
  EXPECT_EQ(Ip("64:ff9b:1:a9fe:a9:fe00::"), Nat64LocalUse48("169.254.169.254"));
  EXPECT_EQ(Ip("64:ff9b:1:a00:0:100::"), Nat64LocalUse48("10.0.0.1"));
  EXPECT_EQ(Ip("64:ff9b:1:808:8:800::"), Nat64LocalUse48("8.8.8.8"));
  EXPECT_EQ(Ip("2001:0:808:808::80ff:fffe"), Teredo("8.8.8.8", "127.0.0.1"));
  EXPECT_EQ(Ip("2001:0:808:808::5601:5601"),
            Teredo("8.8.8.8", "169.254.169.254"));
  EXPECT_EQ(Ip("2001:0:a00:1::f7f7:f7f7"), Teredo("10.0.0.1", "8.8.8.8"));
  EXPECT_EQ(Ip("2001:0:808:808::f7f7:f7f7"), Teredo("8.8.8.8", "8.8.8.8"));
  EXPECT_EQ(Ip("64:ff9b::a9fe:a9fe"), Ip("64:ff9b::169.254.169.254"));
}

// A test name for a table row: the address with its punctuation replaced.
template <typename Row>
std::string RowName(const ::testing::TestParamInfo<Row>& info) {
  std::string name = absl::StrCat("row", info.index, "_");
  for (const char* c = info.param.peer; *c != '\0'; ++c) {
    name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
  }
  return name;
}

using examples::Forbidden;

class ForbiddenPeerTest : public ::testing::TestWithParam<Forbidden> {};

TEST_P(ForbiddenPeerTest, IsRefusedWithTheRuleNamed) {
  const PeerVerdict verdict = ServerPolicy().Check(Ip(GetParam().peer));
  EXPECT_FALSE(verdict.allowed) << GetParam().peer;
  EXPECT_THAT(verdict.reason, HasSubstr(GetParam().reason)) << GetParam().peer;
  EXPECT_LE(verdict.reason.size(), kMaxReasonPhrase) << verdict.reason;
}

INSTANTIATE_TEST_SUITE_P(Ipv4, ForbiddenPeerTest,
                         ::testing::ValuesIn(examples::kForbiddenIpv4),
                         RowName<Forbidden>);

INSTANTIATE_TEST_SUITE_P(Ipv6, ForbiddenPeerTest,
                         ::testing::ValuesIn(examples::kForbiddenIpv6),
                         RowName<Forbidden>);

INSTANTIATE_TEST_SUITE_P(Ipv4InIpv6, ForbiddenPeerTest,
                         ::testing::ValuesIn(examples::kForbiddenIpv4InIpv6),
                         RowName<Forbidden>);

using examples::Legitimate;

class LegitimatePeerTest : public ::testing::TestWithParam<Legitimate> {};

TEST_P(LegitimatePeerTest, IsAllowed) {
  const PeerVerdict verdict = ServerPolicy().Check(Ip(GetParam().peer));
  EXPECT_TRUE(verdict.allowed) << GetParam().peer << ": " << verdict.reason;
  EXPECT_EQ(verdict.reason, "no rule refuses it");
}

INSTANTIATE_TEST_SUITE_P(Public, LegitimatePeerTest,
                         ::testing::ValuesIn(examples::kLegitimate),
                         RowName<Legitimate>);

// --- Precedence.

PeerAddressPolicy::Config Rules(std::vector<const char*> allow,
                                std::vector<const char*> deny) {
  PeerAddressPolicy::Config config;
  for (const char* text : allow) config.allow.push_back(Prefix(text));
  for (const char* text : deny) config.deny.push_back(Prefix(text));
  return config;
}

TEST(PeerAddressPolicyTest, WithoutConfigurationOnlyTheDefaultsApply) {
  const PeerAddressPolicy policy;
  EXPECT_FALSE(policy.Check(Ip("127.0.0.1")).allowed);
  EXPECT_FALSE(policy.Check(Ip("::ffff:10.0.0.1")).allowed);
  EXPECT_TRUE(policy.Check(Ip(kOwnV4)).allowed);  // No own addresses known.
  EXPECT_TRUE(policy.Check(Ip("8.8.8.8")).allowed);
}

TEST(PeerAddressPolicyTest, AnAllowOfLoopbackLetsLoopbackTestsRelay) {
  const PeerAddressPolicy policy = ServerPolicy(Rules({"127.0.0.0/8"}, {}));
  PeerVerdict verdict = policy.Check(Ip("127.0.0.1"));
  EXPECT_TRUE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "allowed by --allow-peer 127.0.0.0/8");
  // Through IPv6 spellings too, and the reason names the allow.
  verdict = policy.Check(Ip("::ffff:127.0.0.1"));
  EXPECT_TRUE(verdict.allowed);
  EXPECT_EQ(verdict.reason,
            "IPv4-mapped IPv6 of 127.0.0.1: allowed by --allow-peer "
            "127.0.0.0/8");
  EXPECT_TRUE(policy.Check(Ip("64:ff9b::127.0.0.1")).allowed);
  // The IPv6 loopback is another family's rule.
  EXPECT_FALSE(policy.Check(Ip("::1")).allowed);
  EXPECT_FALSE(policy.Check(Ip("10.0.0.1")).allowed);
}

TEST(PeerAddressPolicyTest, TheMostSpecificDenyBeatsABroaderAllow) {
  const PeerAddressPolicy policy =
      ServerPolicy(Rules({"10.0.0.0/8"}, {"10.1.0.0/16"}));
  PeerVerdict verdict = policy.Check(Ip("10.1.2.3"));
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "denied by --deny-peer 10.1.0.0/16");
  verdict = policy.Check(Ip("10.2.0.1"));
  EXPECT_TRUE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "allowed by --allow-peer 10.0.0.0/8");
}

TEST(PeerAddressPolicyTest, TheMostSpecificAllowBeatsABroaderDeny) {
  const PeerAddressPolicy policy =
      ServerPolicy(Rules({"10.1.0.0/16"}, {"10.0.0.0/8"}));
  PeerVerdict verdict = policy.Check(Ip("10.1.2.3"));
  EXPECT_TRUE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "allowed by --allow-peer 10.1.0.0/16");
  verdict = policy.Check(Ip("10.2.0.1"));
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "denied by --deny-peer 10.0.0.0/8");
}

TEST(PeerAddressPolicyTest, ATieGoesToTheDenyWhateverTheOrder) {
  for (const PeerAddressPolicy& policy :
       {ServerPolicy(Rules({"10.1.0.0/16", "8.8.8.0/24"},
                           {"10.1.0.0/16", "8.8.8.0/24"})),
        ServerPolicy(Rules({"8.8.8.0/24", "10.1.0.0/16"},
                           {"8.8.8.0/24", "10.1.0.0/16"}))}) {
    EXPECT_EQ(policy.Check(Ip("10.1.2.3")).reason,
              "denied by --deny-peer 10.1.0.0/16");
    EXPECT_FALSE(policy.Check(Ip("8.8.8.8")).allowed);
    EXPECT_FALSE(policy.Check(Ip("::ffff:8.8.8.8")).allowed);
  }
}

TEST(PeerAddressPolicyTest, AnExplicitDenyRefusesAPublicAddress) {
  const PeerAddressPolicy policy = ServerPolicy(Rules({}, {"8.8.8.8/32"}));
  EXPECT_EQ(policy.Check(Ip("8.8.8.8")).reason,
            "denied by --deny-peer 8.8.8.8/32");
  EXPECT_TRUE(policy.Check(Ip("8.8.4.4")).allowed);
}

TEST(PeerAddressPolicyTest, AnIpv4DenyAppliesThroughEveryIpv6Spelling) {
  const PeerAddressPolicy policy =
      ServerPolicy(Rules({}, {"8.8.8.0/24", "10.0.0.0/8"}));
  for (const char* peer : {"::ffff:8.8.8.8", "::ffff:0:8.8.8.8",
                           "64:ff9b::808:808", "64:ff9b:1:808:8:800::",
                           "2002:808:808::1", "2001:0:808:808::f7f7:f7f7"}) {
    const PeerVerdict verdict = policy.Check(Ip(peer));
    EXPECT_FALSE(verdict.allowed) << peer;
    EXPECT_THAT(verdict.reason,
                HasSubstr("of 8.8.8.8: denied by --deny-peer 8.8.8.0/24"))
        << peer;
  }
  EXPECT_EQ(policy.Check(Ip("::ffff:10.1.2.3")).reason,
            "IPv4-mapped IPv6 of 10.1.2.3: denied by --deny-peer 10.0.0.0/8");
  EXPECT_TRUE(policy.Check(Ip("64:ff9b::1.1.1.1")).allowed);
}

TEST(PeerAddressPolicyTest, AnIpv6DenyRefusesItsPrefix) {
  const PeerAddressPolicy policy =
      ServerPolicy(Rules({}, {"2001:4860::/32", "2002::/16"}));
  EXPECT_EQ(policy.Check(Ip("2001:4860:4860::8888")).reason,
            "denied by --deny-peer 2001:4860::/32");
  // All of 6to4, public or not.
  EXPECT_EQ(policy.Check(Ip("2002:808:808::1")).reason,
            "denied by --deny-peer 2002::/16");
  EXPECT_TRUE(policy.Check(Ip("2606:4700:4700::1111")).allowed);
}

TEST(PeerAddressPolicyTest, AnIpv6AllowNeverLetsAnInternalIpv4Through) {
  const PeerAddressPolicy policy =
      ServerPolicy(Rules({"::ffff:0:0/96", "64:ff9b::/96"}, {}));
  PeerVerdict verdict = policy.Check(Ip("::ffff:10.0.0.1"));
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason,
            "IPv4-mapped IPv6 of 10.0.0.1: private (10.0.0.0/8)");
  EXPECT_FALSE(policy.Check(Ip("64:ff9b::169.254.169.254")).allowed);
  verdict = policy.Check(Ip("64:ff9b::8.8.8.8"));
  EXPECT_TRUE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "allowed by --allow-peer 64:ff9b::/96");
}

TEST(PeerAddressPolicyTest, RulesOfOneFamilyNeverMatchTheOther) {
  const PeerAddressPolicy policy = ServerPolicy(Rules({"0.0.0.0/0"}, {"::/0"}));
  EXPECT_TRUE(policy.Check(Ip("127.0.0.1")).allowed);
  EXPECT_TRUE(policy.Check(Ip("169.254.169.254")).allowed);
  EXPECT_EQ(policy.Check(Ip("::1")).reason, "denied by --deny-peer ::/0");
  // The IPv6 address itself is denied, whatever it carries.
  EXPECT_FALSE(policy.Check(Ip("::ffff:8.8.8.8")).allowed);
}

TEST(PeerAddressPolicyTest, AnAllowOverridesTheServersOwnAddress) {
  const PeerAddressPolicy policy =
      ServerPolicy(Rules({"203.0.113.1/32", "2001:db8::/32"}, {}));
  EXPECT_EQ(policy.Check(Ip(kOwnV4)).reason,
            "allowed by --allow-peer 203.0.113.1/32");
  EXPECT_TRUE(policy.Check(Ip(kOwnV6)).allowed);
  EXPECT_TRUE(policy.Check(Ip("::ffff:203.0.113.1")).allowed);
}

TEST(PeerAddressPolicyTest, AnAllowOfAnotherBlockLeavesTheOwnAddressRefused) {
  const PeerAddressPolicy policy = ServerPolicy(Rules({"10.0.0.0/8"}, {}));
  EXPECT_EQ(policy.Check(Ip(kOwnV4)).reason,
            "the server's own address (203.0.113.1)");
}

TEST(PeerAddressPolicyTest, KeepsItsConfiguration) {
  const PeerAddressPolicy policy =
      ServerPolicy(Rules({"127.0.0.0/8"}, {"10.1.0.0/16"}));
  EXPECT_EQ(policy.config().allow.size(), 1u);
  EXPECT_EQ(policy.config().deny.front(), Prefix("10.1.0.0/16"));
  EXPECT_EQ(policy.config().own_addresses.size(), 2u);
}

}  // namespace
}  // namespace pinhole::turn
