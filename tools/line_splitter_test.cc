#include "tools/line_splitter.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace pinhole::tools {
namespace {

using Lines = std::vector<std::string>;

TEST(LineSplitterTest, LinesEndWithLfOrCrLf) {
  LineSplitter splitter(100);
  EXPECT_EQ(splitter.Append("a=ice-ufrag:abcd\r\na=ice-pwd:x\n\nlast"),
            (Lines{"a=ice-ufrag:abcd", "a=ice-pwd:x", ""}));
  EXPECT_EQ(splitter.Finish(), std::optional<std::string>("last"));
  EXPECT_EQ(splitter.Finish(), std::nullopt);
}

TEST(LineSplitterTest, LinesSplitAcrossAppendsComeWhole) {
  LineSplitter splitter(100);
  EXPECT_EQ(splitter.Append("a=can"), Lines{});
  EXPECT_EQ(splitter.Append("didate:1 1 udp"), Lines{});
  EXPECT_EQ(splitter.Append("\r"), Lines{});
  EXPECT_EQ(splitter.Append("\nnext\n"),
            (Lines{"a=candidate:1 1 udp", "next"}));
  EXPECT_EQ(splitter.Finish(), std::nullopt);
}

TEST(LineSplitterTest, LinesAtTheLimitAreKept) {
  LineSplitter splitter(4);
  EXPECT_EQ(splitter.Append("abcd\nefgh\r\n"), (Lines{"abcd", "efgh"}));
  EXPECT_EQ(splitter.Append("ijkl\r"), Lines{});
  EXPECT_EQ(splitter.Append("\n"), Lines{"ijkl"});
}

TEST(LineSplitterTest, LongLinesAreCutOnceAndTheirRestSkipped) {
  LineSplitter splitter(4);
  EXPECT_EQ(splitter.Append("abcdefgh"), Lines{"abcde"});
  EXPECT_EQ(splitter.Append(std::string(100000, 'x')), Lines{});
  EXPECT_EQ(splitter.Append("yy\nok\n"), Lines{"ok"});
  // A CR at the limit that turns out not to end the line.
  EXPECT_EQ(splitter.Append("abcd\r"), Lines{});
  EXPECT_EQ(splitter.Append("e\nok\n"), (Lines{"abcd\r", "ok"}));
  // A cut line the stream ends in leaves nothing for Finish.
  EXPECT_EQ(splitter.Append("abcdefgh"), Lines{"abcde"});
  EXPECT_EQ(splitter.Finish(), std::nullopt);
}

}  // namespace
}  // namespace pinhole::tools
