#include "sim/tcp/sequence.h"

#include "gtest/gtest.h"

namespace pinhole::sim::tcp {
namespace {

TEST(SequenceTest, ComparesAcrossTheWrap) {
  EXPECT_TRUE(SeqLt(0xfffffff0u, 0x10u));
  EXPECT_TRUE(SeqGt(0x10u, 0xfffffff0u));
  EXPECT_EQ(SeqDiff(0x10u, 0xfffffff0u), 0x20);
  EXPECT_EQ(SeqDiff(0xfffffff0u, 0x10u), -0x20);
  EXPECT_TRUE(SeqLeq(5u, 5u));
  EXPECT_TRUE(SeqGeq(5u, 5u));
  EXPECT_FALSE(SeqLt(5u, 5u));
  EXPECT_FALSE(SeqGt(5u, 5u));
}

TEST(SequenceTest, WindowMembershipWraps) {
  EXPECT_TRUE(SeqInWindow(0xffffffffu, 0xfffffff0u, 0x20));
  EXPECT_TRUE(SeqInWindow(0x0fu, 0xfffffff0u, 0x20));
  EXPECT_FALSE(SeqInWindow(0x10u, 0xfffffff0u, 0x20));
  EXPECT_FALSE(SeqInWindow(0xffffffefu, 0xfffffff0u, 0x20));
  EXPECT_FALSE(SeqInWindow(7u, 7u, 0));
}

}  // namespace
}  // namespace pinhole::sim::tcp
