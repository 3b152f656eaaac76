#include "stun/opaque_string.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace pinhole::stun {
namespace {

TEST(OpaqueStringTest, AsciiPasswordsAreUnchanged) {
  EXPECT_EQ(PrepareOpaqueString("VOkJxbRl1RmTxUk/WvJxBt").value(),
            "VOkJxbRl1RmTxUk/WvJxBt");
  EXPECT_EQ(PrepareOpaqueString("with space").value(), "with space");
}

TEST(OpaqueStringTest, CaseIsPreserved) {
  EXPECT_EQ(PrepareOpaqueString("PassWORD").value(), "PassWORD");
}

// RFC 8265 §4.2.1: non-ASCII spaces map to U+0020.
TEST(OpaqueStringTest, NonAsciiSpacesBecomeAsciiSpace) {
  EXPECT_EQ(PrepareOpaqueString("a\xC2\xA0"
                                "b")
                .value(),
            "a b");  // U+00A0.
  EXPECT_EQ(PrepareOpaqueString("a\xE3\x80\x80"
                                "b")
                .value(),
            "a b");  // U+3000.
}

TEST(OpaqueStringTest, NonAsciiLettersPassThrough) {
  EXPECT_EQ(PrepareOpaqueString("\xE3\x83\x9E\xE3\x83\x88").value(),
            "\xE3\x83\x9E\xE3\x83\x88");
}

TEST(OpaqueStringTest, EmptyIsRejected) {
  EXPECT_EQ(PrepareOpaqueString("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OpaqueStringTest, ControlCharactersAreRejected) {
  EXPECT_FALSE(PrepareOpaqueString("a\tb").ok());
  EXPECT_FALSE(PrepareOpaqueString(absl::string_view("a\0b", 3)).ok());
  EXPECT_FALSE(PrepareOpaqueString("a\x7F").ok());
  EXPECT_FALSE(PrepareOpaqueString("a\xC2\x85").ok());  // U+0085 (C1).
}

TEST(OpaqueStringTest, MalformedUtf8IsRejected) {
  EXPECT_FALSE(PrepareOpaqueString("\xC0\xAF").ok());          // Overlong.
  EXPECT_FALSE(PrepareOpaqueString("\xED\xA0\x80").ok());      // Surrogate.
  EXPECT_FALSE(PrepareOpaqueString("\xF4\x90\x80\x80").ok());  // > U+10FFFF.
  EXPECT_FALSE(PrepareOpaqueString("\xE3\x83").ok());          // Truncated.
  EXPECT_FALSE(PrepareOpaqueString("\x80").ok());              // Lone tail.
}

TEST(Utf8Test, CountsCharactersNotBytes) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("\xE3\x83\x9E\xE3\x83\x88"), 2u);
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

}  // namespace
}  // namespace pinhole::stun
