// RFC 4787 §4.1 (mapping) × §5 (filtering): all nine combinations, driven with
// hand-built packets. Each case states which destinations share a mapping and
// which inbound sources reach it.
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/middlebox.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_test_util.h"

namespace pinhole::sim {
namespace {

using ::pinhole::sim::testing::Behavior;
using ::pinhole::sim::testing::Dropped;
using ::pinhole::sim::testing::In;
using ::pinhole::sim::testing::kT0;
using ::pinhole::sim::testing::Out;
using ::pinhole::sim::testing::TestNat;
using ::pinhole::sim::testing::Udp;

const net::TransportAddress kHost = Udp("10.0.0.1:5000");
const net::TransportAddress kServer = Udp("192.0.2.1:3478");
// The server's address, another port.
const net::TransportAddress kServerOtherPort = Udp("192.0.2.1:3479");
// Another address.
const net::TransportAddress kOtherHost = Udp("198.51.100.2:3478");

using MatrixParam = std::tuple<NatBehavior::Mapping, NatBehavior::Filtering>;

class NatMatrixTest : public ::testing::TestWithParam<MatrixParam> {
 protected:
  NatBehavior::Mapping mapping() const { return std::get<0>(GetParam()); }
  NatBehavior::Filtering filtering() const { return std::get<1>(GetParam()); }

  TestNat nat_{Behavior(mapping(), filtering())};
};

// RFC 4787 §4.1: EIM reuses the mapping for every destination, ADM for every
// port of one destination address, APDM for one destination address:port.
TEST_P(NatMatrixTest,
       Rfc4787Section4_1_SecondDestinationReusesMappingPerBehavior) {
  const auto first = Out(*nat_.nat, kT0, kHost, kServer);
  ASSERT_EQ(first.verdict, "forward");
  EXPECT_EQ(first.packet.source, Udp("203.0.113.1:5000"));  // Preserved.
  EXPECT_EQ(first.packet.destination, kServer);

  const auto other_port = Out(*nat_.nat, kT0, kHost, kServerOtherPort);
  const auto other_host = Out(*nat_.nat, kT0, kHost, kOtherHost);
  ASSERT_EQ(other_port.verdict, "forward");
  ASSERT_EQ(other_host.verdict, "forward");

  const bool same_for_other_port =
      mapping() != NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
  const bool same_for_other_host =
      mapping() == NatBehavior::MAPPING_ENDPOINT_INDEPENDENT;
  EXPECT_EQ(other_port.packet.source == first.packet.source,
            same_for_other_port);
  EXPECT_EQ(other_host.packet.source == first.packet.source,
            same_for_other_host);
  // The accessor traces use finds the mapping each destination uses.
  EXPECT_EQ(nat_.nat->FindMapping(kT0, kHost, kOtherHost)->external,
            other_host.packet.source);
  EXPECT_EQ(nat_.nat->FindMapping(kT0, kHost, kServerOtherPort)->external,
            other_port.packet.source);
  EXPECT_EQ(nat_.nat->MappingCount(kT0),
            1u + !same_for_other_port + !same_for_other_host);
}

// RFC 4787 §5: after the host has sent to `kServer` only, who reaches its
// mapping, and the reason each refused packet is dropped for.
TEST_P(NatMatrixTest, Rfc4787Section5_InboundPassesOrIsFilteredPerBehavior) {
  const net::TransportAddress mapped =
      Out(*nat_.nat, kT0, kHost, kServer).packet.source;

  const auto reply = In(*nat_.nat, kT0, kServer, mapped);
  EXPECT_EQ(reply.verdict, "forward");
  EXPECT_EQ(reply.packet.destination, kHost);
  EXPECT_EQ(reply.packet.source, kServer);

  std::string from_other_port = "forward";
  std::string from_other_host = "forward";
  if (filtering() == NatBehavior::FILTERING_ADDRESS_DEPENDENT) {
    from_other_host = Dropped(DropReason::kNatFilteredByAddress);
  } else if (filtering() == NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT) {
    from_other_port = Dropped(DropReason::kNatFilteredByPort);
    from_other_host = Dropped(DropReason::kNatFilteredByAddress);
  }
  EXPECT_EQ(In(*nat_.nat, kT0, kServerOtherPort, mapped).verdict,
            from_other_port);
  EXPECT_EQ(In(*nat_.nat, kT0, kOtherHost, mapped).verdict, from_other_host);

  // No mapping at all on another external port, whatever the filtering.
  EXPECT_EQ(In(*nat_.nat, kT0, kServer, Udp("203.0.113.1:5001")).verdict,
            Dropped(DropReason::kNatNoMapping));
}

// RFC 4787 §5: once the host sends to a source, that source passes.
TEST_P(NatMatrixTest, Rfc4787Section5_SendingToASourceOpensTheFilterForIt) {
  const net::TransportAddress mapped =
      Out(*nat_.nat, kT0, kHost, kServer).packet.source;
  const auto reuse = Out(*nat_.nat, kT0, kHost, kOtherHost);
  ASSERT_EQ(reuse.verdict, "forward");
  // The reply to the second destination arrives on that destination's
  // mapping, which is the first one only under EIM.
  EXPECT_EQ(In(*nat_.nat, kT0, kOtherHost, reuse.packet.source).verdict,
            "forward");
  const std::string other_on_first_mapping =
      mapping() == NatBehavior::MAPPING_ENDPOINT_INDEPENDENT ||
              filtering() == NatBehavior::FILTERING_ENDPOINT_INDEPENDENT
          ? "forward"
          : Dropped(DropReason::kNatFilteredByAddress);
  EXPECT_EQ(In(*nat_.nat, kT0, kOtherHost, mapped).verdict,
            other_on_first_mapping);
}

std::string MatrixName(const ::testing::TestParamInfo<MatrixParam>& info) {
  static constexpr const char* kMapping[] = {"", "EndpointIndependentMapping",
                                             "AddressDependentMapping",
                                             "AddressAndPortDependentMapping"};
  static constexpr const char* kFiltering[] = {
      "", "EndpointIndependentFiltering", "AddressDependentFiltering",
      "AddressAndPortDependentFiltering"};
  return std::string(kMapping[std::get<0>(info.param)]) + "_" +
         kFiltering[std::get<1>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4787, NatMatrixTest,
    ::testing::Combine(
        ::testing::Values(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
                          NatBehavior::MAPPING_ADDRESS_DEPENDENT,
                          NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT),
        ::testing::Values(NatBehavior::FILTERING_ENDPOINT_INDEPENDENT,
                          NatBehavior::FILTERING_ADDRESS_DEPENDENT,
                          NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT)),
    MatrixName);

}  // namespace
}  // namespace pinhole::sim
