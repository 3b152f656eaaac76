// BindingServer::Create: every configuration mistake is refused with a clear
// message.
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/transport_address.h"
#include "stun/server/binding_server.h"
#include "stun/server/binding_server_testing.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::Addr;
using ::pinhole::stun::testing::Ip;
using ::pinhole::stun::testing::PlainConfig;
using ::pinhole::stun::testing::Rfc5780Config;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The error Create() returns for `config`; OK when it succeeds.
absl::Status CreateError(const BindingServerConfig& config) {
  return BindingServer::Create(config).status();
}

void ExpectRefused(const BindingServerConfig& config,
                   const std::string& fragment) {
  const absl::Status status = CreateError(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(fragment));
}

TEST(BindingServerConfigTest, AcceptsPlainAndRfc5780Configurations) {
  EXPECT_TRUE(CreateError(PlainConfig()).ok());
  EXPECT_TRUE(CreateError(Rfc5780Config()).ok());
  BindingServerConfig v6;
  v6.primary = Addr("[2001:db8::1]:3478");
  v6.alternate_ip = Ip("2001:db8::2");
  v6.alternate_port = 3479;
  EXPECT_TRUE(CreateError(v6).ok());
  BindingServerConfig wildcard;
  wildcard.primary = Addr("0.0.0.0:3478");
  EXPECT_TRUE(CreateError(wildcard).ok());
}

TEST(BindingServerConfigTest, LocalAddressesOfAPlainServer) {
  absl::StatusOr<BindingServer> server = BindingServer::Create(PlainConfig());
  ASSERT_TRUE(server.ok());
  EXPECT_THAT(server->LocalAddresses(), ElementsAre(Addr("192.0.2.1:3478")));
}

TEST(BindingServerConfigTest, RefusesOnlyOneOfAlternateIpAndPort) {
  BindingServerConfig ip_only = PlainConfig();
  ip_only.alternate_ip = Ip("192.0.2.2");
  ExpectRefused(ip_only, "both alternate_ip and alternate_port");
  BindingServerConfig port_only = PlainConfig();
  port_only.alternate_port = 3479;
  ExpectRefused(port_only, "both alternate_ip and alternate_port");
}

TEST(BindingServerConfigTest, RefusesAlternateOfAnotherFamily) {
  BindingServerConfig config = Rfc5780Config();
  config.alternate_ip = Ip("2001:db8::2");
  ExpectRefused(config, "not of the primary's family");
}

TEST(BindingServerConfigTest, RefusesAlternateEqualToPrimary) {
  BindingServerConfig same_ip = Rfc5780Config();
  same_ip.alternate_ip = Ip("192.0.2.1");
  ExpectRefused(same_ip, "is the primary IP");
  BindingServerConfig same_port = Rfc5780Config();
  same_port.alternate_port = 3478;
  ExpectRefused(same_port, "is the primary port");
}

TEST(BindingServerConfigTest, AcceptsTcpWithoutRfc5780) {
  BindingServerConfig tcp = PlainConfig();
  tcp.primary = Addr("192.0.2.1:3478/tcp");
  EXPECT_TRUE(ValidateBindingServerConfig(tcp).ok());
}

TEST(BindingServerConfigTest, RefusesUnusableAddresses) {
  BindingServerConfig tls = PlainConfig();
  tls.primary = Addr("192.0.2.1:3478/tls");
  ExpectRefused(tls, "is TLS");
  BindingServerConfig tcp_rfc5780 = Rfc5780Config();
  tcp_rfc5780.primary = Addr("192.0.2.1:3478/tcp");
  ExpectRefused(tcp_rfc5780, "over UDP only");
  BindingServerConfig port_zero = PlainConfig();
  port_zero.primary = Addr("192.0.2.1:0");
  ExpectRefused(port_zero, "port 0");
  BindingServerConfig alternate_port_zero = Rfc5780Config();
  alternate_port_zero.alternate_port = 0;
  ExpectRefused(alternate_port_zero, "alternate port is 0");
  BindingServerConfig wildcard = Rfc5780Config();
  wildcard.primary = Addr("0.0.0.0:3478");
  ExpectRefused(wildcard, "specified primary and alternate IPs");
}

TEST(BindingServerConfigTest, RefusesOverlongSoftware) {
  BindingServerConfig config = PlainConfig();
  config.software = std::string(128, 'x');
  ExpectRefused(config, "SOFTWARE");
}

TEST(BindingServerConfigTest, RefusesBadShortTermUsers) {
  BindingServerConfig empty_name = PlainConfig();
  empty_name.short_term_users = {{"", "secret"}};
  ExpectRefused(empty_name, "empty username");
  BindingServerConfig twice = PlainConfig();
  twice.short_term_users = {{"alice", "a"}, {"bob", "b"}, {"alice", "c"}};
  ExpectRefused(twice, "\"alice\" appears twice");
  BindingServerConfig bad_password = PlainConfig();
  bad_password.short_term_users = {{"alice", "bell\x07"}};
  ExpectRefused(bad_password, "alice");
  BindingServerConfig long_name = PlainConfig();
  long_name.short_term_users = {{std::string(509, 'u'), "secret"}};
  ExpectRefused(long_name, "508");
}

}  // namespace
}  // namespace pinhole::stun
