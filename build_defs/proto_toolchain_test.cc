// Native proto_library + cc_proto_library build against Debian's protobuf, and
// text format parses with the line-and-column errors that scenario files will
// report.
#include <string>

#include "build_defs/toolchain_check.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace pinhole::build_defs {
namespace {

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    errors += std::to_string(line + 1) + ":" + std::to_string(column + 1) +
              ": " + message;
  }
  std::string errors;
};

TEST(ProtoToolchainTest, TextFormatRoundTrips) {
  ToolchainCheck check;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(name: "stun"
           ports: 3478
           ports: 5349
           nested { enabled: true })pb",
      &check));
  EXPECT_EQ(check.name(), "stun");
  EXPECT_THAT(check.ports(), ::testing::ElementsAre(3478, 5349));
  EXPECT_TRUE(check.nested().enabled());

  ToolchainCheck copy;
  ASSERT_TRUE(copy.ParseFromString(check.SerializeAsString()));
  EXPECT_EQ(copy.DebugString(), check.DebugString());
}

TEST(ProtoToolchainTest, TextFormatErrorsNameLineAndField) {
  CollectErrors errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  ToolchainCheck check;
  EXPECT_FALSE(parser.ParseFromString("name: \"a\"\nport: 1\n", &check));
  EXPECT_THAT(errors.errors, ::testing::StartsWith("2:"));  // Line 2.
  EXPECT_THAT(errors.errors, ::testing::HasSubstr("port"));
}

}  // namespace
}  // namespace pinhole::build_defs
