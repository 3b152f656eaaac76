#include "net/transport_address.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"

namespace pinhole::net {
namespace {

using ::testing::HasSubstr;

TransportAddress Parse(const char* text) {
  absl::StatusOr<TransportAddress> address = TransportAddress::Parse(text);
  EXPECT_TRUE(address.ok()) << text << ": " << address.status();
  return address.value_or(TransportAddress());
}

std::string ParseError(const char* text) {
  absl::StatusOr<TransportAddress> address = TransportAddress::Parse(text);
  EXPECT_FALSE(address.ok()) << text << " parsed as " << *address;
  return std::string(address.status().message());
}

TEST(TransportAddressTest, ParsesHostPortAndProtocol) {
  const TransportAddress stun = Parse("192.0.2.1:3478");
  EXPECT_EQ(stun.ip(), IpAddress::FromV4Value(0xc0000201));
  EXPECT_EQ(stun.port(), 3478);
  EXPECT_EQ(stun.protocol(), TransportProtocol::kUdp);
  EXPECT_EQ(stun.family(), AddressFamily::kIpv4);

  const TransportAddress turns = Parse("[2001:db8::1]:443/tls");
  EXPECT_EQ(turns.ip().ToString(), "2001:db8::1");
  EXPECT_EQ(turns.port(), 443);
  EXPECT_EQ(turns.protocol(), TransportProtocol::kTls);

  EXPECT_EQ(Parse("10.0.0.1:0/TCP").protocol(), TransportProtocol::kTcp);
  EXPECT_EQ(Parse("10.0.0.1:65535").port(), 65535);

  absl::StatusOr<TransportAddress> tcp_default =
      TransportAddress::Parse("10.0.0.1:80", TransportProtocol::kTcp);
  ASSERT_TRUE(tcp_default.ok());
  EXPECT_EQ(tcp_default->protocol(), TransportProtocol::kTcp);
}

TEST(TransportAddressTest, PrintsWhatItParses) {
  for (const char* text : {"192.0.2.1:3478/udp", "[2001:db8::1]:443/tls",
                           "[::ffff:10.0.0.1]:9/tcp", "0.0.0.0:0/udp"}) {
    EXPECT_EQ(Parse(text).ToString(), text);
  }
  EXPECT_EQ(Parse("[2001:DB8:0::1]:5349/tls").ToString(),
            "[2001:db8::1]:5349/tls");
  EXPECT_EQ(Parse("[2001:db8::1]:5349/tls").HostPort(), "[2001:db8::1]:5349");
}

TEST(TransportAddressTest, RejectsMalformedInputWithAClearError) {
  EXPECT_THAT(ParseError(""), HasSubstr("expected ADDRESS:PORT"));
  EXPECT_THAT(ParseError("192.0.2.1"), HasSubstr("expected ADDRESS:PORT"));
  EXPECT_THAT(ParseError("192.0.2.1:"), HasSubstr("missing port"));
  EXPECT_THAT(ParseError("192.0.2.1:65536"), HasSubstr("out of range"));
  EXPECT_THAT(ParseError("192.0.2.1:123456"),
              HasSubstr("not a decimal number"));
  EXPECT_THAT(ParseError("192.0.2.1:08"), HasSubstr("not a decimal number"));
  EXPECT_THAT(ParseError("192.0.2.1:-1"), HasSubstr("not a decimal number"));
  EXPECT_THAT(ParseError("192.0.2.1:3478/sctp"),
              HasSubstr("unknown transport protocol"));
  EXPECT_THAT(ParseError("2001:db8::1:3478"), HasSubstr("must be in brackets"));
  EXPECT_THAT(ParseError("[2001:db8::1]3478"),
              HasSubstr("expected ':PORT' after ']'"));
  EXPECT_THAT(ParseError("[2001:db8::1:3478"), HasSubstr("missing ']'"));
  EXPECT_THAT(ParseError("[192.0.2.1]:3478"),
              HasSubstr("brackets are for IPv6"));
  EXPECT_THAT(ParseError("[fe80::1%eth0]:3478"), HasSubstr("zone identifiers"));
  EXPECT_THAT(ParseError("300.0.0.1:1"), HasSubstr("out of range 0-255"));
  EXPECT_THAT(ParseError("example.org:3478"),
              HasSubstr("invalid transport address"));
}

TEST(TransportAddressTest, ProtocolNames) {
  EXPECT_EQ(TransportProtocolName(TransportProtocol::kUdp), "udp");
  EXPECT_EQ(TransportProtocolName(TransportProtocol::kTcp), "tcp");
  EXPECT_EQ(TransportProtocolName(TransportProtocol::kTls), "tls");
  EXPECT_EQ(*ParseTransportProtocol("TLS"), TransportProtocol::kTls);
  EXPECT_FALSE(ParseTransportProtocol("dtls").ok());
}

TEST(TransportAddressTest, OrdersByAddressThenPortThenProtocol) {
  EXPECT_LT(Parse("10.0.0.1:9000"), Parse("10.0.0.2:1"));
  EXPECT_LT(Parse("10.0.0.1:1/tcp"), Parse("10.0.0.1:2/udp"));
  EXPECT_LT(Parse("10.0.0.1:1/udp"), Parse("10.0.0.1:1/tcp"));
  EXPECT_LT(Parse("255.255.255.255:65535"), Parse("[::]:0"));
  EXPECT_NE(Parse("10.0.0.1:1/udp"), Parse("10.0.0.1:1/tcp"));
}

TEST(TransportAddressTest, HashesByValue) {
  absl::flat_hash_set<TransportAddress> set = {
      Parse("10.0.0.1:1/udp"), Parse("10.0.0.1:1/tcp"), Parse("10.0.0.1:1")};
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace pinhole::net
