#include "stun/opaque_string.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pinhole::stun {
namespace {

using ::testing::HasSubstr;

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

// RFC 8265 §4.2.1 step 4: normalisation form C. "e" + COMBINING ACUTE ACCENT
// becomes U+00E9.
TEST(OpaqueStringTest, StringsAreNormalisedToNfc) {
  EXPECT_EQ(PrepareOpaqueString("caf"
                                "e\xCC\x81")
                .value(),
            "caf\xC3\xA9");
  // Compatibility characters are kept (no NFKC): U+2168 ROMAN NUMERAL NINE.
  EXPECT_EQ(PrepareOpaqueString("tr\xE2\x85\xA8").value(), "tr\xE2\x85\xA8");
}

// RFC 5769 §2.4's password contains U+00AD SOFT HYPHEN, a default ignorable
// code point: SASLprep (RFC 5389) deleted it, OpaqueString refuses it.
TEST(OpaqueStringTest, DefaultIgnorableCodePointsAreRefused) {
  const absl::StatusOr<std::string> prepared = PrepareOpaqueString(
      "The\xC2\xAD"
      "M\xC2\xAAtr\xE2\x85\xA8");
  EXPECT_EQ(prepared.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(prepared.status().message()),
              HasSubstr("U+00AD at character 3 is a default ignorable"));
}

TEST(OpaqueStringTest, UnassignedPrivateUseAndNoncharactersAreRefused) {
  EXPECT_THAT(std::string(PrepareOpaqueString("a\xCD\xB8").status().message()),
              HasSubstr("U+0378 at character 1 is unassigned"));
  EXPECT_FALSE(PrepareOpaqueString("\xEE\x80\x80").ok());  // U+E000.
  EXPECT_THAT(
      std::string(PrepareOpaqueString("\xEF\xBF\xBF").status().message()),
      HasSubstr("noncharacter"));                           // U+FFFF.
  EXPECT_FALSE(PrepareOpaqueString("a\xE2\x80\xA8").ok());  // U+2028 (Zl).
}

// RFC 5892 Appendix A, which the FreeformClass inherits.
TEST(OpaqueStringTest, ContextualCharactersFollowTheirRules) {
  EXPECT_TRUE(PrepareOpaqueString("l\xC2\xB7l").ok());  // Middle dot.
  EXPECT_FALSE(PrepareOpaqueString("a\xC2\xB7"
                                   "b")
                   .ok());
  // ZERO WIDTH JOINER after a virama (DEVANAGARI KA, SIGN VIRAMA).
  EXPECT_TRUE(PrepareOpaqueString("\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8D").ok());
  EXPECT_FALSE(PrepareOpaqueString("a\xE2\x80\x8D").ok());
  // KATAKANA MIDDLE DOT needs Hiragana, Katakana or Han nearby.
  EXPECT_TRUE(PrepareOpaqueString("\xE3\x82\xA2\xE3\x83\xBB").ok());
  EXPECT_FALSE(PrepareOpaqueString("a\xE3\x83\xBB").ok());
  // Arabic-Indic digits must not mix with the extended ones.
  EXPECT_TRUE(PrepareOpaqueString("\xD9\xA1\xD9\xA2").ok());
  EXPECT_FALSE(PrepareOpaqueString("\xD9\xA1\xDB\xB2").ok());
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
