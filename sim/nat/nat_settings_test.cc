// `ResolveNatBehavior`: invalid behaviours fail with errors naming the field;
// unset fields take the RFC-recommended values.
#include "sim/nat/nat_settings.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "sim/nat/nat_behavior.pb.h"

namespace pinhole::sim {
namespace {

using ::testing::HasSubstr;

NatBehavior Minimal() {
  NatBehavior behavior;
  behavior.set_mapping(NatBehavior::MAPPING_ENDPOINT_INDEPENDENT);
  behavior.set_filtering(NatBehavior::FILTERING_ADDRESS_DEPENDENT);
  behavior.set_port_assignment(NatBehavior::PORT_PRESERVATION);
  return behavior;
}

void ExpectInvalid(const NatBehavior& behavior, const char* message) {
  const absl::StatusOr<NatSettings> settings = ResolveNatBehavior(behavior);
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(settings.status().message(), HasSubstr(message));
}

TEST(NatSettingsTest, UnsetFieldsTakeRfcRecommendedDefaults) {
  const absl::StatusOr<NatSettings> s = ResolveNatBehavior(Minimal());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->udp_lifetime, net::Duration::Minutes(5));  // RFC 4787 REQ-5.
  EXPECT_EQ(s->udp_replied_lifetime, net::Duration::Minutes(5));
  EXPECT_FALSE(s->inbound_refreshes_udp);  // REQ-6: outbound.
  EXPECT_TRUE(s->paired_pooling);          // REQ-2.
  EXPECT_EQ(s->hairpinning,
            NatBehavior::HAIRPINNING_EXTERNAL_SOURCE);  // REQ-9.
  // RFC 5382 REQ-5.
  EXPECT_EQ(s->tcp_established_timeout,
            net::Duration::Hours(2) + net::Duration::Minutes(4));
  EXPECT_EQ(s->tcp_transitory_timeout, net::Duration::Minutes(4));
  EXPECT_EQ(s->port_min, 1);
  EXPECT_EQ(s->port_max, 65535);
  EXPECT_EQ(s->preservation_fallback, NatBehavior::PORT_SEQUENTIAL);
  EXPECT_EQ(s->max_mappings, 0u);
}

TEST(NatSettingsTest, ReplyLifetimeDefaultsToTheMappingLifetime) {
  NatBehavior behavior = Minimal();
  behavior.set_udp_mapping_lifetime_seconds(30);
  const absl::StatusOr<NatSettings> s = ResolveNatBehavior(behavior);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->udp_replied_lifetime, net::Duration::Seconds(30));
}

TEST(NatSettingsTest, MappingFilteringAndPortAssignmentMustBeSet) {
  NatBehavior behavior = Minimal();
  behavior.clear_mapping();
  ExpectInvalid(behavior, "NatBehavior.mapping must be set");
  behavior = Minimal();
  behavior.clear_filtering();
  ExpectInvalid(behavior, "NatBehavior.filtering must be set");
  behavior = Minimal();
  behavior.clear_port_assignment();
  ExpectInvalid(behavior, "NatBehavior.port_assignment must be set");
}

TEST(NatSettingsTest, PortRangeMustLieInsideOneTo65535AndNotBeInverted) {
  NatBehavior behavior = Minimal();
  behavior.mutable_port_range()->set_min(0);
  behavior.mutable_port_range()->set_max(100);
  ExpectInvalid(behavior, "port_range 0..100 lies outside 1..65535");
  behavior.mutable_port_range()->set_min(1024);
  behavior.mutable_port_range()->set_max(70000);
  ExpectInvalid(behavior, "port_range 1024..70000 lies outside 1..65535");
  behavior.mutable_port_range()->set_min(5000);
  behavior.mutable_port_range()->set_max(4000);
  ExpectInvalid(behavior, "port_range is inverted: min 5000 > max 4000");
}

TEST(NatSettingsTest, ParityNeedsTwoPorts) {
  NatBehavior behavior = Minimal();
  behavior.set_preserve_port_parity(true);
  behavior.mutable_port_range()->set_min(4000);
  behavior.mutable_port_range()->set_max(4000);
  ExpectInvalid(behavior, "cannot preserve both parities");
}

TEST(NatSettingsTest, PreservationCannotFallBackToPreservation) {
  NatBehavior behavior = Minimal();
  behavior.set_preservation_fallback(NatBehavior::PORT_PRESERVATION);
  ExpectInvalid(behavior,
                "preservation_fallback must be PORT_SEQUENTIAL or "
                "PORT_RANDOM, not PORT_PRESERVATION");
}

TEST(NatSettingsTest, PerSubscriberLimitCannotExceedTheTableLimit) {
  NatBehavior behavior = Minimal();
  behavior.set_max_mappings(10);
  behavior.set_max_mappings_per_internal_address(11);
  ExpectInvalid(behavior,
                "max_mappings_per_internal_address 11 exceeds "
                "max_mappings 10");
}

TEST(NatSettingsTest, UnknownEnumValuesAreRefused) {
  NatBehavior behavior = Minimal();
  behavior.set_hairpinning(static_cast<NatBehavior::Hairpinning>(42));
  ExpectInvalid(behavior, "NatBehavior.hairpinning has unknown value 42");
}

}  // namespace
}  // namespace pinhole::sim
