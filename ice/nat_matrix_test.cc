// ICE end to end across every pair of the NAT situations of
// ice/testing/nat_profiles.h (7 × 7, the left agent controlling), with a
// STUN and TURN server on the public side, and again with STUN only. Each
// cell asserts the outcome, the selected candidate types on both sides, and
// the simulated time to connected: never below the theoretical minimum of
// RFC 8445's round trips (nat_profiles.h), and at most kSlack above it. Data
// then crosses the selected pair both ways. Without TURN, the cells that
// need a relay fail at exactly the instant the last check gives up.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ice/agent.h"
#include "ice/testing/ice_pair.h"
#include "ice/testing/nat_profiles.h"
#include "net/time.h"

namespace pinhole::ice {
namespace {

using testing::IcePair;
using testing::IcePairOptions;
using testing::NatProfile;

// Above the theoretical minimum: the checks of higher-priority pairs that
// cannot succeed go first, one every Ta (50 ms), so relayed pairs, checked
// last, lose the most.
constexpr net::Duration kSlack = net::Duration::Milliseconds(600);

// A check's transaction gives up 39.5 s after its first send (RFC 8489
// defaults); the last pair to fail was first checked at most this long
// after the start.
constexpr net::Duration kLastCheckStart = net::Duration::Milliseconds(100);

struct Expectation {
  const char* left;
  const char* right;
  // Selected pair types (local/remote) of the left and right agents, with
  // TURN, and with STUN only ("" when they cannot connect).
  const char* left_types;
  const char* right_types;
  const char* left_types_without_turn;
  const char* right_types_without_turn;
};

// Why each cell is what it is: a host pair works when the other side is
// open; a cone NAT (endpoint-independent mapping) gives the server-reflexive
// address the peer checks; a symmetric NAT maps each destination apart, so
// its side is learned as peer-reflexive, and reachable only by a peer whose
// NAT does not filter by port (open, full cone, address-restricted). Two
// port-filtering NATs of which one is symmetric need the relay: the first
// relayed pair to succeed is nominated, one relayed candidate against the
// other's reflexive one, or both relayed candidates (the server joins its
// two allocations inside: the same one hop).
constexpr Expectation kExpectations[] = {
    {"open", "open", "host/host", "host/host", "host/host", "host/host"},
    {"open", "full_cone", "host/srflx", "srflx/host", "host/srflx",
     "srflx/host"},
    {"open", "address_restricted", "host/srflx", "srflx/host", "host/srflx",
     "srflx/host"},
    {"open", "port_restricted", "host/srflx", "srflx/host", "host/srflx",
     "srflx/host"},
    {"open", "symmetric", "host/prflx", "prflx/host", "host/prflx",
     "prflx/host"},
    {"open", "double_cone", "host/srflx", "srflx/host", "host/srflx",
     "srflx/host"},
    {"open", "symmetric_then_cone", "host/prflx", "prflx/host", "host/prflx",
     "prflx/host"},
    {"full_cone", "open", "srflx/host", "host/srflx", "srflx/host",
     "host/srflx"},
    {"full_cone", "full_cone", "srflx/srflx", "srflx/srflx", "srflx/srflx",
     "srflx/srflx"},
    {"full_cone", "address_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"full_cone", "port_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"full_cone", "symmetric", "srflx/prflx", "prflx/srflx", "srflx/prflx",
     "prflx/srflx"},
    {"full_cone", "double_cone", "srflx/srflx", "srflx/srflx", "srflx/srflx",
     "srflx/srflx"},
    {"full_cone", "symmetric_then_cone", "srflx/prflx", "prflx/srflx",
     "srflx/prflx", "prflx/srflx"},
    {"address_restricted", "open", "srflx/host", "host/srflx", "srflx/host",
     "host/srflx"},
    {"address_restricted", "full_cone", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"address_restricted", "address_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"address_restricted", "port_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"address_restricted", "symmetric", "srflx/prflx", "prflx/srflx",
     "srflx/prflx", "prflx/srflx"},
    {"address_restricted", "double_cone", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"address_restricted", "symmetric_then_cone", "srflx/prflx", "prflx/srflx",
     "srflx/prflx", "prflx/srflx"},
    {"port_restricted", "open", "srflx/host", "host/srflx", "srflx/host",
     "host/srflx"},
    {"port_restricted", "full_cone", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"port_restricted", "address_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"port_restricted", "port_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"port_restricted", "symmetric", "relay/relay", "relay/relay", "", ""},
    {"port_restricted", "double_cone", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"port_restricted", "symmetric_then_cone", "srflx/relay", "relay/srflx", "",
     ""},
    {"symmetric", "open", "prflx/host", "host/prflx", "prflx/host",
     "host/prflx"},
    {"symmetric", "full_cone", "prflx/srflx", "srflx/prflx", "prflx/srflx",
     "srflx/prflx"},
    {"symmetric", "address_restricted", "prflx/srflx", "srflx/prflx",
     "prflx/srflx", "srflx/prflx"},
    {"symmetric", "port_restricted", "relay/srflx", "srflx/relay", "", ""},
    {"symmetric", "symmetric", "relay/relay", "relay/relay", "", ""},
    {"symmetric", "double_cone", "relay/srflx", "srflx/relay", "", ""},
    {"symmetric", "symmetric_then_cone", "relay/relay", "relay/relay", "", ""},
    {"double_cone", "open", "srflx/host", "host/srflx", "srflx/host",
     "host/srflx"},
    {"double_cone", "full_cone", "srflx/srflx", "srflx/srflx", "srflx/srflx",
     "srflx/srflx"},
    {"double_cone", "address_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"double_cone", "port_restricted", "srflx/srflx", "srflx/srflx",
     "srflx/srflx", "srflx/srflx"},
    {"double_cone", "symmetric", "relay/relay", "relay/relay", "", ""},
    {"double_cone", "double_cone", "srflx/srflx", "srflx/srflx", "srflx/srflx",
     "srflx/srflx"},
    {"double_cone", "symmetric_then_cone", "relay/relay", "relay/relay", "",
     ""},
    {"symmetric_then_cone", "open", "prflx/host", "host/prflx", "prflx/host",
     "host/prflx"},
    {"symmetric_then_cone", "full_cone", "prflx/srflx", "srflx/prflx",
     "prflx/srflx", "srflx/prflx"},
    {"symmetric_then_cone", "address_restricted", "prflx/srflx", "srflx/prflx",
     "prflx/srflx", "srflx/prflx"},
    {"symmetric_then_cone", "port_restricted", "relay/srflx", "srflx/relay", "",
     ""},
    {"symmetric_then_cone", "symmetric", "relay/relay", "relay/relay", "", ""},
    {"symmetric_then_cone", "double_cone", "relay/srflx", "srflx/relay", "",
     ""},
    {"symmetric_then_cone", "symmetric_then_cone", "relay/relay", "relay/relay",
     "", ""},
};

std::vector<uint8_t> Payload(uint8_t tag) {
  // RTP-like: the first byte is not STUN's (RFC 7983).
  return {0x80, tag, 0x55, 0xAA};
}

class NatMatrixTest
    : public ::testing::TestWithParam<std::tuple<Expectation, bool>> {};

TEST_P(NatMatrixTest, ConnectsAsTheNatsAllow) {
  const auto& [expectation, with_turn] = GetParam();
  const NatProfile left = testing::ProfileNamed(expectation.left);
  const NatProfile right = testing::ProfileNamed(expectation.right);
  IcePairOptions options;
  testing::ApplyLeft(left, options);
  testing::ApplyRight(right, options);
  options.use_turn = with_turn;
  absl::StatusOr<std::unique_ptr<IcePair>> created = IcePair::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  IcePair& pair = **created;
  ASSERT_TRUE(pair.Start().ok());
  const bool connected = pair.RunUntilConnected(net::Duration::Seconds(60));

  const std::string left_types =
      with_turn ? expectation.left_types : expectation.left_types_without_turn;
  const std::string right_types = with_turn
                                      ? expectation.right_types
                                      : expectation.right_types_without_turn;
  if (left_types.empty()) {
    // Nothing can work: both agents fail when their last check gives up,
    // with both sides' candidates all known (end-of-candidates).
    EXPECT_FALSE(connected);
    pair.RunUntil(
        [&] {
          return pair.left_record().failed_at.has_value() &&
                 pair.right_record().failed_at.has_value();
        },
        net::Duration::Seconds(60));
    for (const testing::SideRecord* record :
         {&pair.left_record(), &pair.right_record()}) {
      ASSERT_TRUE(record->failed_at.has_value());
      const net::Duration failed = *record->failed_at - pair.start();
      EXPECT_GE(failed, net::Duration::Milliseconds(39500));
      EXPECT_LE(failed, net::Duration::Milliseconds(39500) + kLastCheckStart);
    }
    EXPECT_EQ(pair.left().state(), ConnectionState::kFailed);
    EXPECT_EQ(pair.right().state(), ConnectionState::kFailed);
    EXPECT_FALSE(pair.SendLeft(Payload(1)).ok());
    return;
  }
  ASSERT_TRUE(connected);
  EXPECT_EQ(pair.LeftPairTypes(), left_types);
  EXPECT_EQ(pair.RightPairTypes(), right_types);
  // Both agents picked the same path: each one's remote is the other's
  // local address.
  const CandidatePairInfo l = *pair.left().selected_pair(1);
  const CandidatePairInfo r = *pair.right().selected_pair(1);
  EXPECT_EQ(l.local.address, r.remote.address);
  EXPECT_EQ(l.remote.address, r.local.address);

  const net::Duration took = *pair.left_record().connected_at - pair.start();
  const net::Duration minimum =
      testing::TheoreticalMinimum(left, right, l.local.type, l.remote.type);
  EXPECT_GE(took, minimum);
  EXPECT_LE(took, minimum + kSlack)
      << "theoretical minimum " << minimum.ToMicroseconds() << " us";

  // Application data both ways over the selected pair.
  ASSERT_TRUE(pair.SendLeft(Payload(1)).ok());
  ASSERT_TRUE(pair.SendRight(Payload(2)).ok());
  pair.RunFor(net::Duration::Milliseconds(300));
  ASSERT_EQ(pair.right_record().data.size(), 1u);
  EXPECT_EQ(pair.right_record().data[0], Payload(1));
  ASSERT_EQ(pair.left_record().data.size(), 1u);
  EXPECT_EQ(pair.left_record().data[0], Payload(2));
}

std::string CellName(
    const ::testing::TestParamInfo<std::tuple<Expectation, bool>>& info) {
  const auto& [expectation, with_turn] = info.param;
  return absl::StrCat(expectation.left, "__", expectation.right,
                      with_turn ? "" : "__no_turn");
}

INSTANTIATE_TEST_SUITE_P(AllPairs, NatMatrixTest,
                         ::testing::Combine(::testing::ValuesIn(kExpectations),
                                            ::testing::Bool()),
                         CellName);

}  // namespace
}  // namespace pinhole::ice
