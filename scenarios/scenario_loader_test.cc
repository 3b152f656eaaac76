// What a user sees when a scenario file is wrong: every error names the
// file, the line and column, and the field, and says what would be right.
#include "scenarios/scenario_loader.h"

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pinhole::scenarios {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kValid[] = R"pb(
  duration: "10s"
  networks {
    name: "home"
    middleboxes { nat_preset: "full_cone" }
  }
  networks { name: "dc" }
  hosts {
    name: "alice"
    interfaces { network: "home" }
  }
  hosts {
    name: "bob"
    interfaces { network: "dc" }
  }
  stun_servers { name: "stun" host: "bob" }
  agents { name: "alice" host: "alice" stun: "stun" }
  agents { name: "bob" host: "bob" }
  calls { name: "call" controlling: "alice" controlled: "bob" }
)pb";

// The line an appended text's `n`th line (from 1) has after kValid.
std::string LineAfterValid(int n) {
  const int lines =
      static_cast<int>(std::count(kValid, kValid + sizeof(kValid) - 1, '\n'));
  return "s.textproto:" + std::to_string(lines + n) + ":";
}

std::string Error(const std::string& text) {
  absl::StatusOr<Scenario> scenario = ParseScenario("s.textproto", text);
  EXPECT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(scenario.status().message());
}

TEST(ScenarioLoaderTest, AcceptsAValidScenario) {
  absl::StatusOr<Scenario> scenario = ParseScenario("s.textproto", kValid);
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_EQ(scenario->agents_size(), 2);
}

TEST(ScenarioLoaderTest, UnknownFieldNamesFileLineAndColumn) {
  EXPECT_THAT(Error("duration: \"10s\"\nnetworks { nam: \"x\" }\n"),
              AllOf(HasSubstr("s.textproto:2:"), HasSubstr("nam")));
}

TEST(ScenarioLoaderTest, UnknownPresetListsThePresets) {
  const std::string text = std::string(kValid) +
                           "networks {\n  name: \"x\"\n  middleboxes { "
                           "nat_preset: \"fullcone\" }\n}\n";
  EXPECT_THAT(
      Error(text),
      AllOf(HasSubstr(LineAfterValid(3) + "17:"),
            HasSubstr("networks[2].middleboxes[0].nat_preset"),
            HasSubstr("\"fullcone\""), HasSubstr("port_restricted_cone")));
}

TEST(ScenarioLoaderTest, MissingDurationIsRequired) {
  EXPECT_THAT(Error("networks { name: \"home\" }\n"),
              AllOf(HasSubstr("duration"), HasSubstr("required")));
}

TEST(ScenarioLoaderTest, BadDurationSaysHowToWriteOne) {
  EXPECT_THAT(Error(std::string(kValid) +
                    "timeline { at: \"5 sec\" link_down: \"home-uplink\" }\n"),
              AllOf(HasSubstr(LineAfterValid(1)), HasSubstr("timeline[0].at"),
                    HasSubstr("\"20s\"")));
}

TEST(ScenarioLoaderTest, UnknownReferenceListsTheKnownNames) {
  EXPECT_THAT(
      Error(std::string(kValid) +
            "timeline { at: \"1s\" link_down: \"home-up\" }\n"),
      AllOf(HasSubstr("timeline[0].link_down"), HasSubstr("no link called"),
            HasSubstr("home-uplink"), HasSubstr("alice-eth0")));
  EXPECT_THAT(Error(std::string(kValid) +
                    "expect { state { agent: \"carol\" state: CONNECTED } }\n"),
              AllOf(HasSubstr("expect[0].state.agent"),
                    HasSubstr("no agent called \"carol\"")));
}

TEST(ScenarioLoaderTest, ElementNamesMustNotCollide) {
  EXPECT_THAT(
      Error(std::string(kValid) +
            "hosts { name: \"home-lan\" interfaces { network: \"dc\" } }\n"),
      HasSubstr("\"home-lan\""));
}

TEST(ScenarioLoaderTest, NatsTranslateIpv4Only) {
  EXPECT_THAT(
      Error("duration: \"1s\"\nnetworks { name: \"v6\" ip_version: IPV6 "
            "middleboxes { nat_preset: \"full_cone\" } }\n"),
      HasSubstr("NATs translate IPv4 only"));
}

TEST(ScenarioLoaderTest, LiteAgentCannotControl) {
  std::string text = kValid;
  text.replace(text.find("agents { name: \"alice\" host: \"alice\""),
               std::string("agents { name: \"alice\" host: \"alice\"").size(),
               "agents { name: \"alice\" host: \"alice\" lite: true");
  EXPECT_THAT(Error(text), HasSubstr("ICE lite"));
}

TEST(ScenarioLoaderTest, UnknownDropReasonListsTheReasons) {
  EXPECT_THAT(Error(std::string(kValid) +
                    "expect { drop_seen { reason: \"filtered\" } }\n"),
              AllOf(HasSubstr("no drop reason \"filtered\""),
                    HasSubstr("\"NAT: filtered by port\"")));
}

TEST(ScenarioLoaderTest, TurnTransportMustBeListened) {
  EXPECT_THAT(
      Error(std::string(kValid) +
            "turn_servers { name: \"turn\" host: \"bob\" users { name: \"u\" "
            "password: \"p\" } }\nagents { name: \"carol\" host: \"alice\" "
            "turn { server: \"turn\" transport: TLS } }\n"
            "calls { name: \"c2\" controlling: \"carol\" controlled: \"bob\" "
            "}\n"),
      HasSubstr("does not listen on TLS"));
}

TEST(ScenarioLoaderTest, MissingFileIsNotFound) {
  absl::StatusOr<Scenario> scenario =
      LoadScenarioFile("/nonexistent/pinhole.textproto");
  EXPECT_EQ(scenario.status().code(), absl::StatusCode::kNotFound);
}

TEST(ParseDurationFieldTest, ReadsAbseilDurations) {
  EXPECT_EQ(*ParseDurationField("1.5s", net::Duration::Zero()),
            net::Duration::Milliseconds(1500));
  EXPECT_EQ(*ParseDurationField("", net::Duration::Seconds(3)),
            net::Duration::Seconds(3));
  EXPECT_FALSE(ParseDurationField("-1s", net::Duration::Zero()).ok());
  EXPECT_FALSE(ParseDurationField("soon", net::Duration::Zero()).ok());
}

}  // namespace
}  // namespace pinhole::scenarios
