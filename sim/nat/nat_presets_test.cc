// Every NAT preset parses, validates, and says what its name promises.
#include "sim/nat/nat_presets.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_settings.h"

namespace pinhole::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NatPresetsTest, NamesAreSortedAndComplete) {
  EXPECT_THAT(
      NatPresetNames(),
      ElementsAre("address_restricted_cone", "carrier_grade", "full_cone",
                  "linux_masquerade", "port_restricted_cone", "symmetric"));
}

TEST(NatPresetsTest, EveryPresetParsesAndValidates) {
  for (const std::string& name : NatPresetNames()) {
    const absl::StatusOr<NatBehavior> behavior = NatPreset(name);
    ASSERT_TRUE(behavior.ok()) << name << ": " << behavior.status();
    EXPECT_TRUE(ResolveNatBehavior(*behavior).ok()) << name;
  }
}

TEST(NatPresetsTest, UnknownNameListsThePresets) {
  const absl::StatusOr<NatBehavior> behavior = NatPreset("cone");
  ASSERT_FALSE(behavior.ok());
  EXPECT_EQ(behavior.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(behavior.status().message(),
              HasSubstr("no NAT preset called \"cone\"; the presets are "
                        "address_restricted_cone, carrier_grade"));
}

// The classic names, in RFC 4787 vocabulary (§4.1 mapping, §5 filtering).
TEST(NatPresetsTest, ClassicNamesMapToRfc4787Behaviours) {
  struct Expected {
    const char* name;
    NatBehavior::Mapping mapping;
    NatBehavior::Filtering filtering;
  };
  const Expected kExpected[] = {
      {"full_cone", NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
       NatBehavior::FILTERING_ENDPOINT_INDEPENDENT},
      {"address_restricted_cone", NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
       NatBehavior::FILTERING_ADDRESS_DEPENDENT},
      {"port_restricted_cone", NatBehavior::MAPPING_ENDPOINT_INDEPENDENT,
       NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT},
      {"symmetric", NatBehavior::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
       NatBehavior::FILTERING_ADDRESS_AND_PORT_DEPENDENT},
  };
  for (const Expected& e : kExpected) {
    const absl::StatusOr<NatBehavior> behavior = NatPreset(e.name);
    ASSERT_TRUE(behavior.ok()) << behavior.status();
    EXPECT_EQ(behavior->mapping(), e.mapping) << e.name;
    EXPECT_EQ(behavior->filtering(), e.filtering) << e.name;
  }
}

TEST(NatPresetsTest, LinuxMasqueradeHasConntrackUdpTimeouts) {
  const absl::StatusOr<NatBehavior> behavior = NatPreset("linux_masquerade");
  ASSERT_TRUE(behavior.ok()) << behavior.status();
  EXPECT_EQ(behavior->udp_mapping_lifetime_seconds(), 30u);
  EXPECT_EQ(behavior->udp_replied_lifetime_seconds(), 180u);
  EXPECT_EQ(behavior->port_assignment(), NatBehavior::PORT_PRESERVATION);
}

// RFC 6888 REQ-2 (paired pooling) and REQ-4 (per-subscriber limit).
TEST(NatPresetsTest, CarrierGradeIsPairedWithAPerSubscriberLimit) {
  const absl::StatusOr<NatBehavior> behavior = NatPreset("carrier_grade");
  ASSERT_TRUE(behavior.ok()) << behavior.status();
  EXPECT_EQ(behavior->mapping(), NatBehavior::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(behavior->address_pooling(), NatBehavior::ADDRESS_POOLING_PAIRED);
  EXPECT_GT(behavior->max_mappings_per_internal_address(), 0u);
  EXPECT_EQ(behavior->hairpinning(), NatBehavior::HAIRPINNING_EXTERNAL_SOURCE);
}

}  // namespace
}  // namespace pinhole::sim
