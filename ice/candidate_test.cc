#include "ice/candidate.h"

#include <cstdint>
#include <sstream>

#include "gtest/gtest.h"
#include "net/transport_address.h"

namespace pinhole::ice {
namespace {

net::TransportAddress Address(const char* text) {
  return *net::TransportAddress::Parse(text);
}

TEST(CandidateTest, TypesAndTcpTypesHaveTheirSdpNames) {
  EXPECT_EQ(CandidateTypeName(CandidateType::kHost), "host");
  EXPECT_EQ(CandidateTypeName(CandidateType::kServerReflexive), "srflx");
  EXPECT_EQ(CandidateTypeName(CandidateType::kPeerReflexive), "prflx");
  EXPECT_EQ(CandidateTypeName(CandidateType::kRelayed), "relay");
  EXPECT_EQ(TcpTypeName(TcpType::kNone), "");
  EXPECT_EQ(TcpTypeName(TcpType::kActive), "active");
  EXPECT_EQ(TcpTypeName(TcpType::kPassive), "passive");
  EXPECT_EQ(TcpTypeName(TcpType::kSimultaneousOpen), "so");
}

TEST(CandidateTest, TypePreferencesAreTheRecommendedOnes) {
  const TypePreferences preferences;
  EXPECT_EQ(preferences.For(CandidateType::kHost), 126u);
  EXPECT_EQ(preferences.For(CandidateType::kPeerReflexive), 110u);
  EXPECT_EQ(preferences.For(CandidateType::kServerReflexive), 100u);
  EXPECT_EQ(preferences.For(CandidateType::kRelayed), 0u);

  TypePreferences custom;
  custom.relayed = 5;
  EXPECT_EQ(custom.For(CandidateType::kRelayed), 5u);
}

TEST(CandidateTest, PriorityFollowsRfc8445Formula) {
  // 126·2^24 + 65535·2^8 + (256 − 1).
  EXPECT_EQ(CandidatePriority(126, 65535, 1), 2130706431u);
  EXPECT_EQ(CandidatePriority(126, 65535, 2), 2130706430u);
  EXPECT_EQ(CandidatePriority(126, 65535, 256), 2130706176u);
  // 110·2^24 + 65535·2^8 + 255.
  EXPECT_EQ(CandidatePriority(110, 65535, 1), 1862270975u);
  // 100·2^24 + 30·2^8 + 255: a browser's server-reflexive candidate.
  EXPECT_EQ(CandidatePriority(100, 30, 1), 1677729535u);
  // 0·2^24 + 65535·2^8 + 255.
  EXPECT_EQ(CandidatePriority(0, 65535, 1), 16777215u);
  EXPECT_EQ(CandidatePriority(0, 0, 256), 0u);
}

TEST(CandidateTest, PriorityOrdersTypesBeforeLocalPreferenceBeforeComponent) {
  const TypePreferences p;
  EXPECT_GT(CandidatePriority(p.host, 0, 256),
            CandidatePriority(p.peer_reflexive, 65535, 1));
  EXPECT_GT(CandidatePriority(p.peer_reflexive, 0, 256),
            CandidatePriority(p.server_reflexive, 65535, 1));
  EXPECT_GT(CandidatePriority(p.server_reflexive, 0, 256),
            CandidatePriority(p.relayed, 65535, 1));
  EXPECT_GT(CandidatePriority(p.host, 1, 256), CandidatePriority(p.host, 0, 1));
}

TEST(CandidateTest, PriorityClampsArgumentsOutOfRange) {
  EXPECT_EQ(CandidatePriority(255, 65535, 1), CandidatePriority(126, 65535, 1));
  EXPECT_EQ(CandidatePriority(126, 1 << 20, 1),
            CandidatePriority(126, 65535, 1));
  EXPECT_EQ(CandidatePriority(126, 65535, 0), CandidatePriority(126, 65535, 1));
  EXPECT_EQ(CandidatePriority(126, 65535, 300),
            CandidatePriority(126, 65535, 256));
}

TEST(CandidateTest, PairPriorityFollowsRfc8445Formula) {
  // G < D: 2^32·10 + 2·20 + 0.
  EXPECT_EQ(PairPriority(10, 20), 42949673000u);
  // G > D: 2^32·10 + 2·20 + 1.
  EXPECT_EQ(PairPriority(20, 10), 42949673001u);
  // G == D: 2^32·7 + 2·7 + 0.
  EXPECT_EQ(PairPriority(7, 7), 30064771086u);
  // Host against host: 2^32·2130706431 + 2·2130706431, beyond 32 bits.
  EXPECT_EQ(PairPriority(2130706431, 2130706431), 9151314442783293438u);
  // Relayed (controlling) against host: 2^32·16777215 + 2·2130706431 + 0.
  EXPECT_EQ(PairPriority(16777215, 2130706431), 72057594004373502u);
  EXPECT_EQ(PairPriority(2130706431, 16777215), 72057594004373503u);
  // The largest priority RFC 8445 allows, 2^31 − 1, on both sides.
  EXPECT_EQ(PairPriority(0x7fffffff, 0x7fffffff),
            (uint64_t{0x7fffffff} << 32) + 2 * uint64_t{0x7fffffff});
}

TEST(CandidateTest, PairPriorityDependsOnWhoControls) {
  // The same two candidates rank the same from both agents' side: each agent
  // passes the controlling agent's candidate first.
  EXPECT_NE(PairPriority(100, 200), PairPriority(200, 100));
  EXPECT_LT(PairPriority(100, 200), PairPriority(200, 100));
  EXPECT_LT(PairPriority(1, 0x7fffffff), PairPriority(2, 2));
}

TEST(CandidateTest, ToStringNamesTypeAddressComponentAndPriority) {
  Candidate host;
  host.foundation = "1";
  host.component = 1;
  host.priority = 2130706431;
  host.address = Address("192.0.2.1:5000");
  EXPECT_EQ(host.ToString(), "host 192.0.2.1:5000/udp c1 p2130706431");

  Candidate srflx = host;
  srflx.type = CandidateType::kServerReflexive;
  srflx.component = 2;
  srflx.priority = 1694498814;
  srflx.address = Address("[2001:db8::7]:46154");
  srflx.related = Address("[fd00::2]:46154");
  EXPECT_EQ(
      srflx.ToString(),
      "srflx [2001:db8::7]:46154/udp c2 p1694498814 raddr [fd00::2]:46154");

  Candidate tcp = host;
  tcp.address = Address("192.0.2.1:9/tcp");
  tcp.tcp_type = TcpType::kActive;
  EXPECT_EQ(tcp.ToString(),
            "host 192.0.2.1:9/tcp c1 p2130706431 tcptype active");

  std::ostringstream os;
  os << host;
  EXPECT_EQ(os.str(), host.ToString());
}

TEST(CandidateTest, EqualityComparesEveryField) {
  Candidate a;
  a.foundation = "abc";
  a.address = Address("192.0.2.1:5000");
  Candidate b = a;
  EXPECT_EQ(a, b);
  b.generation = 0;
  EXPECT_NE(a, b);
  b = a;
  b.base = Address("192.0.2.1:5001");
  EXPECT_NE(a, b);
  b = a;
  b.related = a.address;
  EXPECT_NE(a, b);
  b = a;
  b.ufrag = "EsAw";
  EXPECT_NE(a, b);
  b = a;
  b.tcp_type = TcpType::kPassive;
  EXPECT_NE(a, b);
  b = a;
  b.priority = 1;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace pinhole::ice
