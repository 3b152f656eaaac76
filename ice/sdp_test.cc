#include "ice/sdp.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ice/candidate.h"
#include "net/ip_address.h"
#include "net/transport_address.h"

namespace pinhole::ice {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

net::TransportAddress Address(const char* text) {
  return *net::TransportAddress::Parse(text);
}

Candidate Parse(absl::string_view line) {
  absl::StatusOr<Candidate> candidate = ParseCandidateAttribute(line);
  EXPECT_TRUE(candidate.ok()) << line << ": " << candidate.status();
  return candidate.value_or(Candidate());
}

absl::Status ParseStatus(absl::string_view line) {
  absl::StatusOr<Candidate> candidate = ParseCandidateAttribute(line);
  EXPECT_FALSE(candidate.ok()) << line << " parsed as " << *candidate;
  return candidate.status();
}

std::string ParseError(absl::string_view line) {
  absl::Status status = ParseStatus(line);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

// A valid line with one field replaced: the fields are foundation,
// component, transport, priority, address, port, "typ", type.
std::string HostLineWith(int index, absl::string_view value) {
  std::vector<std::string> fields = {"1",         "1",    "udp", "2130706431",
                                     "192.0.2.1", "5000", "typ", "host"};
  fields[index] = std::string(value);
  std::string line = "candidate:";
  for (size_t i = 0; i < fields.size(); ++i) {
    absl::StrAppend(&line, i == 0 ? "" : " ", fields[i]);
  }
  return line;
}

// --- Real-world lines.

TEST(ParseCandidateAttributeTest, BrowserServerReflexiveCandidate) {
  const Candidate c = Parse(
      "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr "
      "192.168.1.2 rport 46154 generation 0 ufrag EsAw network-cost 999");
  EXPECT_EQ(c.foundation, "842163049");
  EXPECT_EQ(c.component, 1u);
  EXPECT_EQ(c.priority, 1677729535u);
  EXPECT_EQ(c.type, CandidateType::kServerReflexive);
  EXPECT_EQ(c.address, Address("203.0.113.7:46154/udp"));
  EXPECT_EQ(c.related, Address("192.168.1.2:46154/udp"));
  EXPECT_EQ(c.tcp_type, TcpType::kNone);
  EXPECT_EQ(c.generation, 0u);
  EXPECT_EQ(c.ufrag, "EsAw");
  EXPECT_EQ(c.base, net::TransportAddress());
}

TEST(ParseCandidateAttributeTest, BrowserHostCandidateWithSdpPrefixAndCrLf) {
  const Candidate c = Parse(
      "a=candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host "
      "generation 0 ufrag EsAw network-id 1 network-cost 10\r\n");
  EXPECT_EQ(c.foundation, "1467250027");
  EXPECT_EQ(c.priority, 2122260223u);
  EXPECT_EQ(c.type, CandidateType::kHost);
  EXPECT_EQ(c.address, Address("192.168.0.196:46243"));
  EXPECT_FALSE(c.related.has_value());
  EXPECT_EQ(c.generation, 0u);
  EXPECT_EQ(c.ufrag, "EsAw");
}

TEST(ParseCandidateAttributeTest, Ipv6HostCandidate) {
  const Candidate c = Parse(
      "candidate:3216447296 2 udp 2122262782 2001:DB8:85a3:0:0:8a2e:370:7334 "
      "58481 typ host generation 0 network-id 2");
  EXPECT_EQ(c.component, 2u);
  EXPECT_EQ(c.address.ip(),
            *net::IpAddress::Parse("2001:db8:85a3::8a2e:370:7334"));
  EXPECT_EQ(c.address.port(), 58481);
  EXPECT_EQ(c.address.protocol(), net::TransportProtocol::kUdp);
}

TEST(ParseCandidateAttributeTest, UpperCaseTransportAsFirefoxWrites) {
  const Candidate host =
      Parse("candidate:0 1 UDP 2122252543 198.51.100.4 51010 typ host");
  EXPECT_EQ(host.address, Address("198.51.100.4:51010/udp"));
  EXPECT_FALSE(host.generation.has_value());
  EXPECT_TRUE(host.ufrag.empty());

  const Candidate relay = Parse(
      "candidate:5 1 UDP 8265471 203.0.113.50 62354 typ relay raddr "
      "203.0.113.50 rport 62354");
  EXPECT_EQ(relay.type, CandidateType::kRelayed);
  EXPECT_EQ(relay.related, Address("203.0.113.50:62354/udp"));
}

TEST(ParseCandidateAttributeTest, TcpCandidatesWithTcpType) {
  const Candidate active = Parse(
      "candidate:1191 1 tcp 1518280447 192.168.1.2 9 typ host tcptype active "
      "generation 0 network-id 1");
  EXPECT_EQ(active.address, Address("192.168.1.2:9/tcp"));
  EXPECT_EQ(active.tcp_type, TcpType::kActive);

  const Candidate passive = Parse(
      "candidate:2 1 TCP 2105524479 2001:db8::4 50312 typ host tcptype "
      "passive");
  EXPECT_EQ(passive.address, Address("[2001:db8::4]:50312/tcp"));
  EXPECT_EQ(passive.tcp_type, TcpType::kPassive);

  const Candidate so = Parse(
      "candidate:3 1 tcp 1694498815 203.0.113.7 40000 typ srflx raddr "
      "192.168.1.2 rport 40000 tcptype so");
  EXPECT_EQ(so.tcp_type, TcpType::kSimultaneousOpen);
  EXPECT_EQ(so.related, Address("192.168.1.2:40000/tcp"));

  // RFC 6544 candidates should carry tcptype; one without it still parses.
  EXPECT_EQ(Parse("candidate:4 1 tcp 1 192.0.2.1 9 typ host").tcp_type,
            TcpType::kNone);
}

TEST(ParseCandidateAttributeTest, KeywordsAndTypesIgnoreCaseAndExtraSpaces) {
  const Candidate c = Parse(
      "candidate:a+b/C 1 Udp 1862270975 192.0.2.9 7  TYP PRFLX  RADDR "
      "192.0.2.1 RPORT 7 Generation 3 ");
  EXPECT_EQ(c.foundation, "a+b/C");
  EXPECT_EQ(c.type, CandidateType::kPeerReflexive);
  EXPECT_EQ(c.related, Address("192.0.2.1:7"));
  EXPECT_EQ(c.generation, 3u);
}

TEST(ParseCandidateAttributeTest, SkipsUnknownExtensions) {
  const Candidate c = Parse(
      "candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host network-id 3 "
      "network-cost 50 x-future ~!@#$%^&*() generation 7");
  EXPECT_EQ(c.generation, 7u);
  EXPECT_EQ(c, Parse("candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host "
                     "generation 7"));
}

TEST(ParseCandidateAttributeTest, AcceptsTheLimitsOfEachField) {
  const Candidate c = Parse(
      "candidate:0123456789abcdefghijklmnopqrstuv 256 udp 2147483647 "
      "255.255.255.255 65535 typ host generation 4294967295");
  EXPECT_EQ(c.foundation.size(), 32u);
  EXPECT_EQ(c.component, 256u);
  EXPECT_EQ(c.priority, 2147483647u);
  EXPECT_EQ(c.address.port(), 65535);
  EXPECT_EQ(c.generation, 4294967295u);
  EXPECT_EQ(Parse(HostLineWith(3, "1")).priority, 1u);
  EXPECT_EQ(Parse(HostLineWith(5, "0")).address.port(), 0);
  EXPECT_EQ(Parse(HostLineWith(1, "007")).component, 7u);
}

// --- Formatting and round trips.

TEST(FormatCandidateAttributeTest, WritesWhatBrowsersWrite) {
  Candidate srflx;
  srflx.foundation = "842163049";
  srflx.component = 1;
  srflx.priority = 1677729535;
  srflx.type = CandidateType::kServerReflexive;
  srflx.address = Address("203.0.113.7:46154");
  srflx.related = Address("192.168.1.2:46154");
  srflx.generation = 0;
  srflx.ufrag = "EsAw";
  EXPECT_EQ(FormatCandidateAttribute(srflx),
            "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx "
            "raddr 192.168.1.2 rport 46154 generation 0 ufrag EsAw");

  Candidate tcp;
  tcp.foundation = "2";
  tcp.priority = CandidatePriority(126, 65535, 1);
  tcp.address = Address("[2001:db8::4]:9/tcp");
  tcp.tcp_type = TcpType::kActive;
  EXPECT_EQ(FormatCandidateAttribute(tcp),
            "candidate:2 1 tcp 2130706431 2001:db8::4 9 typ host tcptype "
            "active");
}

TEST(FormatCandidateAttributeTest, RoundTrips) {
  Candidate host;
  host.foundation = "x/y+z";
  host.component = 2;
  host.priority = 2130706430;
  host.address = Address("[::ffff:192.0.2.1]:5000");

  Candidate relay;
  relay.foundation = "99";
  relay.component = 256;
  relay.priority = 16777215;
  relay.type = CandidateType::kRelayed;
  relay.address = Address("198.51.100.1:49152/tcp");
  relay.related = Address("203.0.113.7:40000/tcp");
  relay.tcp_type = TcpType::kPassive;
  relay.generation = 4294967295;
  relay.ufrag = std::string(256, 'u');

  Candidate prflx;
  prflx.foundation = "f";
  prflx.priority = 1;
  prflx.type = CandidateType::kPeerReflexive;
  prflx.address = Address("[2001:db8::1]:0");
  prflx.related = Address("[fe80::1]:65535");
  prflx.generation = 1;

  for (const Candidate& c : {host, relay, prflx}) {
    const std::string line = FormatCandidateAttribute(c);
    EXPECT_EQ(Parse(line), c) << line;
    EXPECT_EQ(Parse(absl::StrCat("a=", line, "\r\n")), c) << line;
  }
}

TEST(FormatCandidateAttributeTest, ParsedLinesFormatToTheirCanonicalForm) {
  const Candidate c = Parse(
      "a=candidate:7 01 UDP 2130706431 2001:DB8:0:0::1 05000 typ HOST "
      "network-cost 10 generation 00");
  EXPECT_EQ(FormatCandidateAttribute(c),
            "candidate:7 1 udp 2130706431 2001:db8::1 5000 typ host "
            "generation 0");
}

// --- Malformed candidate lines.

TEST(ParseCandidateAttributeTest, RejectsEmptyAndNonCandidateLines) {
  EXPECT_THAT(ParseError(""), HasSubstr("expected \"candidate:\""));
  EXPECT_THAT(ParseError("a="), HasSubstr("expected \"candidate:\""));
  EXPECT_THAT(ParseError("a=ice-ufrag:EsAw"),
              HasSubstr("expected \"candidate:\", found \"ice-ufrag:EsAw\""));
  EXPECT_THAT(ParseError("candidate 1 1 udp 1 192.0.2.1 1 typ host"),
              HasSubstr("expected \"candidate:\""));
}

TEST(ParseCandidateAttributeTest, RejectsMissingFields) {
  EXPECT_THAT(ParseError("candidate:"), HasSubstr("missing foundation"));
  EXPECT_THAT(ParseError("candidate:1"), HasSubstr("missing component-id"));
  EXPECT_THAT(ParseError("candidate:1 1"), HasSubstr("missing transport"));
  EXPECT_THAT(ParseError("candidate:1 1 udp"), HasSubstr("missing priority"));
  EXPECT_THAT(ParseError("candidate:1 1 udp 2130706431"),
              HasSubstr("missing connection-address"));
  EXPECT_THAT(ParseError("candidate:1 1 udp 2130706431 192.0.2.1"),
              HasSubstr("missing port"));
  EXPECT_THAT(ParseError("candidate:1 1 udp 2130706431 192.0.2.1 5000"),
              HasSubstr("missing \"typ\" after the port"));
  EXPECT_THAT(ParseError("candidate:1 1 udp 2130706431 192.0.2.1 5000 typ"),
              HasSubstr("missing candidate type after \"typ\""));
  EXPECT_THAT(ParseError("candidate:1 1 udp 2130706431 192.0.2.1 5000 host"),
              HasSubstr("expected \"typ\" after the port, found \"host\""));
}

TEST(ParseCandidateAttributeTest, RejectsBadFoundation) {
  EXPECT_THAT(ParseError(HostLineWith(0, std::string(33, 'a'))),
              AllOf(HasSubstr("foundation"), HasSubstr("33 characters long"),
                    HasSubstr("at most 32")));
  EXPECT_THAT(ParseError(HostLineWith(0, "abc-def")),
              AllOf(HasSubstr("foundation \"abc-def\" has '-'"),
                    HasSubstr("not an ice-char")));
  EXPECT_THAT(ParseError(HostLineWith(0, "a=b")), HasSubstr("'='"));
  EXPECT_THAT(ParseError(HostLineWith(0, "caf\xc3\xa9")),
              HasSubstr("printable ASCII"));
}

TEST(ParseCandidateAttributeTest, RejectsBadComponent) {
  EXPECT_THAT(ParseError(HostLineWith(1, "0")),
              HasSubstr("component-id \"0\" is out of range 1-256"));
  EXPECT_THAT(ParseError(HostLineWith(1, "257")),
              HasSubstr("component-id \"257\" is out of range 1-256"));
  EXPECT_THAT(ParseError(HostLineWith(1, "0001")),
              HasSubstr("more than 3 digits"));
  EXPECT_THAT(ParseError(HostLineWith(1, "1x")),
              HasSubstr("component-id \"1x\" is not a decimal number"));
  EXPECT_THAT(ParseError(HostLineWith(1, "-1")),
              HasSubstr("not a decimal number"));
}

TEST(ParseCandidateAttributeTest, RejectsBadTransport) {
  EXPECT_THAT(ParseError(HostLineWith(2, "sctp")),
              HasSubstr("transport \"sctp\" is neither UDP nor TCP"));
  EXPECT_THAT(ParseError(HostLineWith(2, "tls")),
              HasSubstr("neither UDP nor TCP"));
  EXPECT_THAT(ParseError(HostLineWith(2, "udp/tls")),
              HasSubstr("neither UDP nor TCP"));
}

TEST(ParseCandidateAttributeTest, RejectsBadPriority) {
  EXPECT_THAT(
      ParseError(HostLineWith(3, "4294967296")),
      HasSubstr("priority \"4294967296\" is out of range 1-2147483647"));
  // Fits 32 bits, but RFC 8445 §5.1.2.1 caps priorities at 2^31 − 1.
  EXPECT_THAT(ParseError(HostLineWith(3, "2147483648")),
              HasSubstr("out of range 1-2147483647"));
  EXPECT_THAT(ParseError(HostLineWith(3, "0")), HasSubstr("out of range"));
  EXPECT_THAT(ParseError(HostLineWith(3, "99999999999999999999999")),
              HasSubstr("more than 10 digits"));
  EXPECT_THAT(ParseError(HostLineWith(3, "2130706431x")),
              HasSubstr("not a decimal number"));
  EXPECT_THAT(ParseError(HostLineWith(3, "0x7f")),
              HasSubstr("not a decimal number"));
}

TEST(ParseCandidateAttributeTest, RejectsBadAddress) {
  EXPECT_THAT(ParseError(HostLineWith(4, "192.0.2.256")),
              AllOf(HasSubstr("bad connection-address"),
                    HasSubstr("out of range 0-255")));
  EXPECT_THAT(ParseError(HostLineWith(4, "2001:db8:::1")),
              HasSubstr("bad connection-address"));
  EXPECT_THAT(ParseError(HostLineWith(4, "[2001:db8::1]")),
              HasSubstr("bad connection-address"));
  EXPECT_THAT(ParseError(HostLineWith(4, "fe80::1%eth0")), HasSubstr("zone"));
  EXPECT_THAT(ParseError(HostLineWith(4, "192.0.2.1:5000")),
              HasSubstr("bad connection-address"));
}

TEST(ParseCandidateAttributeTest, RefusesNamesAsUnimplemented) {
  absl::Status mdns = ParseStatus(
      HostLineWith(4, "1f5c3e4a-6b7d-4c8e-9f0a-1b2c3d4e5f60.local"));
  EXPECT_EQ(mdns.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(mdns.message(),
              AllOf(HasSubstr("connection-address"), HasSubstr("mDNS"),
                    HasSubstr(".local"), HasSubstr("does not resolve names")));
  EXPECT_THAT(ParseStatus(HostLineWith(4, "Host.LOCAL.")).message(),
              HasSubstr("mDNS"));

  absl::Status fqdn = ParseStatus(HostLineWith(4, "turn.example.org"));
  EXPECT_EQ(fqdn.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(fqdn.message(),
              AllOf(HasSubstr("\"turn.example.org\" is a domain name"),
                    HasSubstr("does not resolve names")));

  absl::Status raddr = ParseStatus(
      "candidate:1 1 udp 1 192.0.2.1 5000 typ srflx raddr host.local rport 1");
  EXPECT_EQ(raddr.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(raddr.message(), HasSubstr("raddr"));
}

TEST(ParseCandidateAttributeTest, RejectsBadPort) {
  EXPECT_THAT(ParseError(HostLineWith(5, "65536")),
              HasSubstr("port \"65536\" is out of range 0-65535"));
  EXPECT_THAT(ParseError(HostLineWith(5, "123456")),
              HasSubstr("more than 5 digits"));
  EXPECT_THAT(ParseError(HostLineWith(5, "5000x")),
              HasSubstr("port \"5000x\" is not a decimal number"));
}

TEST(ParseCandidateAttributeTest, RejectsUnknownType) {
  EXPECT_THAT(ParseError(HostLineWith(7, "relayed")),
              HasSubstr("unknown candidate type \"relayed\" (expected host, "
                        "srflx, prflx or relay)"));
}

TEST(ParseCandidateAttributeTest, RejectsRelatedAddressHalves) {
  const std::string srflx = "candidate:1 1 udp 1 203.0.113.7 5000 typ srflx";
  EXPECT_THAT(ParseError(srflx + " raddr 192.0.2.1"),
              HasSubstr("raddr without rport"));
  EXPECT_THAT(ParseError(srflx + " raddr 192.0.2.1 generation 0"),
              HasSubstr("raddr without rport"));
  EXPECT_THAT(ParseError(srflx + " raddr"),
              HasSubstr("missing address after raddr"));
  EXPECT_THAT(ParseError(srflx + " raddr 192.0.2.1 rport"),
              HasSubstr("missing port after rport"));
  EXPECT_THAT(ParseError(srflx + " rport 5000"),
              HasSubstr("rport without raddr"));
  EXPECT_THAT(ParseError(srflx + " raddr 192.0.2.300 rport 5000"),
              HasSubstr("bad raddr"));
  EXPECT_THAT(ParseError(srflx + " raddr 192.0.2.1 rport 70000"),
              HasSubstr("rport \"70000\" is out of range"));
  EXPECT_THAT(
      ParseError(srflx + " generation 0 raddr 192.0.2.1 rport 5000"),
      HasSubstr("raddr \"192.0.2.1\" must come right after the candidate "
                "type"));
}

TEST(ParseCandidateAttributeTest, RejectsBadExtensions) {
  const std::string udp = HostLineWith(0, "1");
  const std::string tcp = HostLineWith(2, "tcp");
  EXPECT_THAT(ParseError(udp + " tcptype active"),
              HasSubstr("tcptype \"active\" on a UDP candidate"));
  EXPECT_THAT(ParseError(tcp + " tcptype listen"),
              HasSubstr("unknown tcptype \"listen\""));
  EXPECT_THAT(ParseError(tcp + " tcptype active tcptype passive"),
              HasSubstr("\"tcptype\" appears twice"));
  EXPECT_THAT(ParseError(udp + " generation"),
              HasSubstr("extension \"generation\" has no value"));
  EXPECT_THAT(ParseError(udp + " network-cost"),
              HasSubstr("extension \"network-cost\" has no value"));
  EXPECT_THAT(ParseError(udp + " generation 1 generation 2"),
              HasSubstr("\"generation\" appears twice"));
  EXPECT_THAT(ParseError(udp + " generation 4294967296"),
              HasSubstr("generation \"4294967296\" is out of range"));
  EXPECT_THAT(ParseError(udp + " generation 0x"),
              HasSubstr("not a decimal number"));
  EXPECT_THAT(ParseError(udp + " ufrag abc"),
              HasSubstr("ufrag \"abc\" is 3 characters long; RFC 8839 "
                        "allows 4 to 256"));
  EXPECT_THAT(ParseError(udp + " ufrag ab-cd"), HasSubstr("not an ice-char"));
  EXPECT_THAT(ParseError(udp + " ufrag abcd ufrag abcd"),
              HasSubstr("appears twice"));
}

TEST(ParseCandidateAttributeTest, RejectsControlBytesAndOverlongLines) {
  constexpr char kNul[] = "candidate:1 1 udp 1 192.0.2.1 1\0 typ host";
  EXPECT_THAT(
      ParseError(absl::string_view(kNul, sizeof(kNul) - 1)),
      AllOf(HasSubstr("'\\x00' at offset 31"), HasSubstr("printable ASCII")));
  EXPECT_THAT(ParseError(HostLineWith(0, "1\t2")), HasSubstr("'\\t'"));
  EXPECT_THAT(ParseError(HostLineWith(0, "1") + " x-pad " +
                         std::string(kMaxIceLineLength, 'p')),
              HasSubstr("longer than the 4096 allowed"));
}

TEST(ParseCandidateAttributeTest, ErrorsQuoteShortenedInput) {
  const std::string message =
      ParseError(HostLineWith(0, std::string(3000, 'f')));
  EXPECT_THAT(message, HasSubstr("fff...\""));
  EXPECT_LT(message.size(), 200u);
  EXPECT_THAT(ParseError(HostLineWith(5, std::string(1000, '9'))),
              HasSubstr("more than 5 digits"));
}

// --- ICE parameters and credentials.

TEST(ValidateCredentialsTest, EnforcesRfc8839LengthsAndCharacters) {
  const std::string pwd22(22, 'p');
  EXPECT_TRUE(ValidateCredentials("EsAw", pwd22).ok());
  EXPECT_TRUE(
      ValidateCredentials(std::string(256, 'u'), std::string(256, 'p')).ok());
  EXPECT_TRUE(ValidateCredentials("a+/9", "P2uYro0UCOQ4zxjKXaW+/B").ok());

  EXPECT_THAT(ValidateCredentials("abc", pwd22).message(),
              HasSubstr("ice-ufrag \"abc\" is 3 characters long; RFC 8839 "
                        "allows 4 to 256"));
  EXPECT_THAT(ValidateCredentials(std::string(257, 'u'), pwd22).message(),
              HasSubstr("is 257 characters long"));
  EXPECT_THAT(ValidateCredentials("ab_c", pwd22).message(),
              HasSubstr("ice-ufrag \"ab_c\" has '_' at offset 2"));
  EXPECT_EQ(ValidateCredentials("", pwd22).code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_THAT(ValidatePwd(std::string(21, 'p')).message(),
              HasSubstr("ice-pwd is 21 characters long; RFC 8839 allows 22 to "
                        "256"));
  EXPECT_THAT(ValidatePwd(std::string(257, 'p')).message(),
              HasSubstr("ice-pwd is 257 characters long"));
  EXPECT_THAT(ValidateCredentials("EsAw", "").message(),
              HasSubstr("ice-pwd is 0 characters long"));
}

TEST(ValidateCredentialsTest, NeverQuotesThePassword) {
  const std::string secret = "sup3rSecretPassw0rd-with-dashes";
  const absl::Status status = ValidatePwd(secret);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("'-' at offset 19"), Not(HasSubstr("sup3r"))));
  EXPECT_THAT(ValidatePwd("short").message(), Not(HasSubstr("short")));
}

TEST(ParseIceLineTest, ReadsAPeersSignallingLineByLine) {
  const std::vector<std::string> lines = {
      "a=ice-ufrag:EsAw",
      "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n",
      "a=ice-options:trickle ice2",
      "a=candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host "
      "generation 0",
      "a=candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx "
      "raddr 192.168.0.196 rport 46243 generation 0",
      "a=end-of-candidates\n",
  };
  IceParameters remote;
  std::vector<IceLineKind> kinds;
  std::vector<Candidate> candidates;
  for (const std::string& line : lines) {
    absl::StatusOr<IceLine> parsed = ParseIceLine(line, remote);
    ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.status();
    kinds.push_back(parsed->kind);
    if (parsed->kind == IceLineKind::kCandidate) {
      candidates.push_back(parsed->candidate);
    }
  }
  EXPECT_THAT(kinds, ElementsAre(IceLineKind::kUfrag, IceLineKind::kPwd,
                                 IceLineKind::kOptions, IceLineKind::kCandidate,
                                 IceLineKind::kCandidate,
                                 IceLineKind::kEndOfCandidates));
  EXPECT_EQ(remote.ufrag, "EsAw");
  EXPECT_EQ(remote.pwd, "P2uYro0UCOQ4zxjKXaWCBui1");
  EXPECT_TRUE(remote.trickle);
  EXPECT_THAT(remote.other_options, ElementsAre("ice2"));
  EXPECT_FALSE(remote.lite);
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].type, CandidateType::kHost);
  EXPECT_EQ(candidates[1].related, Address("192.168.0.196:46243"));
  EXPECT_TRUE(ValidateCredentials(remote.ufrag, remote.pwd).ok());
}

TEST(ParseIceLineTest, LaterLinesReplaceEarlierOnes) {
  IceParameters p;
  ASSERT_TRUE(ParseIceLine("ice-ufrag:aaaa", p).ok());
  ASSERT_TRUE(ParseIceLine("ice-ufrag:bbbb", p).ok());
  EXPECT_EQ(p.ufrag, "bbbb");
  ASSERT_TRUE(ParseIceLine("ice-options:trickle renomination", p).ok());
  ASSERT_TRUE(ParseIceLine("ice-options:ice2", p).ok());
  EXPECT_FALSE(p.trickle);
  EXPECT_THAT(p.other_options, ElementsAre("ice2"));
  absl::StatusOr<IceLine> lite = ParseIceLine("a=ice-lite", p);
  ASSERT_TRUE(lite.ok());
  EXPECT_EQ(lite->kind, IceLineKind::kLite);
  EXPECT_TRUE(p.lite);
}

TEST(ParseIceLineTest, RejectsMalformedLinesAndLeavesParametersAlone) {
  IceParameters p;
  p.ufrag = "keep";
  p.pwd = std::string(22, 'k');
  p.trickle = true;
  const IceParameters before = p;
  const auto error = [&](absl::string_view line) {
    absl::StatusOr<IceLine> parsed = ParseIceLine(line, p);
    EXPECT_FALSE(parsed.ok()) << line;
    EXPECT_EQ(p, before) << line;
    return std::string(parsed.status().message());
  };
  EXPECT_THAT(error(""), HasSubstr("empty line; expected ice-ufrag"));
  EXPECT_THAT(error("a=\r\n"), HasSubstr("empty line"));
  EXPECT_THAT(error("a=mid:0"),
              AllOf(HasSubstr("not an ICE attribute: \"mid:0\""),
                    HasSubstr("end-of-candidates")));
  EXPECT_THAT(error("a=ICE-UFRAG:abcd"), HasSubstr("not an ICE attribute"));
  EXPECT_THAT(error("a=ice-ufrag:abc"), HasSubstr("3 characters long"));
  EXPECT_THAT(error("a=ice-ufrag"), HasSubstr("0 characters long"));
  EXPECT_THAT(error("a=ice-ufrag:ab cd"), HasSubstr("' '"));
  EXPECT_THAT(error("a=ice-pwd:tooShortSecret"),
              AllOf(HasSubstr("ice-pwd is 14 characters long"),
                    Not(HasSubstr("tooShortSecret"))));
  EXPECT_THAT(error("a=ice-options:"), HasSubstr("without an option tag"));
  EXPECT_THAT(error("a=ice-options:   "), HasSubstr("without an option tag"));
  EXPECT_THAT(error("a=ice-options:trickle ice_2"),
              HasSubstr("tag \"ice_2\" has '_'"));
  EXPECT_THAT(error("a=ice-lite:yes"),
              HasSubstr("ice-lite takes no value, found \":yes\""));
  EXPECT_THAT(error("a=end-of-candidates:now"),
              HasSubstr("end-of-candidates takes no value"));
  EXPECT_THAT(error("a=candidate:1 1 udp 1 192.0.2.1 65536 typ host"),
              HasSubstr("candidate attribute: port \"65536\""));
  EXPECT_EQ(ParseIceLine("a=candidate:1 1 udp 1 x.local 5 typ host", p)
                .status()
                .code(),
            absl::StatusCode::kUnimplemented);
}

TEST(FormatIceParametersTest, WritesOneAttributePerLineAndRoundTrips) {
  IceParameters p;
  EXPECT_TRUE(FormatIceParameters(p).empty());

  p.ufrag = "EsAw";
  p.pwd = "P2uYro0UCOQ4zxjKXaWCBui1";
  p.trickle = true;
  p.other_options = {"ice2", "renomination"};
  p.lite = true;
  const std::vector<std::string> lines = FormatIceParameters(p);
  EXPECT_THAT(lines,
              ElementsAre("ice-ufrag:EsAw", "ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
                          "ice-options:trickle ice2 renomination", "ice-lite"));
  IceParameters read;
  for (const std::string& line : lines) {
    ASSERT_TRUE(ParseIceLine(absl::StrCat("a=", line), read).ok()) << line;
  }
  EXPECT_EQ(read, p);

  IceParameters only_trickle;
  only_trickle.trickle = true;
  EXPECT_THAT(FormatIceParameters(only_trickle),
              ElementsAre("ice-options:trickle"));
}

TEST(EndOfCandidatesTest, FormatsAndParses) {
  IceParameters p;
  absl::StatusOr<IceLine> parsed =
      ParseIceLine(absl::StrCat("a=", kEndOfCandidatesAttribute), p);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->kind, IceLineKind::kEndOfCandidates);
  EXPECT_EQ(p, IceParameters());
}

TEST(IceLineKindNameTest, NamesTheAttributes) {
  EXPECT_EQ(IceLineKindName(IceLineKind::kUfrag), "ice-ufrag");
  EXPECT_EQ(IceLineKindName(IceLineKind::kPwd), "ice-pwd");
  EXPECT_EQ(IceLineKindName(IceLineKind::kOptions), "ice-options");
  EXPECT_EQ(IceLineKindName(IceLineKind::kLite), "ice-lite");
  EXPECT_EQ(IceLineKindName(IceLineKind::kCandidate), "candidate");
  EXPECT_EQ(IceLineKindName(IceLineKind::kEndOfCandidates),
            "end-of-candidates");
}

}  // namespace
}  // namespace pinhole::ice
