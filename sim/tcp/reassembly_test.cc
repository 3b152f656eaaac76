#include "sim/tcp/reassembly.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace pinhole::sim::tcp {
namespace {

std::vector<uint8_t> Bytes(uint8_t first, size_t count) {
  std::vector<uint8_t> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<uint8_t>(first + i);
  return out;
}

TEST(ReassemblyTest, InOrderBytesComeStraightOut) {
  Reassembly r(100);
  r.Insert(0, Bytes(0, 10));
  EXPECT_EQ(r.TakeInOrder(), Bytes(0, 10));
  EXPECT_EQ(r.next_offset(), 10u);
  EXPECT_TRUE(r.TakeInOrder().empty());
}

TEST(ReassemblyTest, HoldsOutOfOrderBytesUntilTheGapFills) {
  Reassembly r(100);
  r.Insert(20, Bytes(20, 10));
  r.Insert(10, Bytes(10, 5));
  EXPECT_TRUE(r.TakeInOrder().empty());
  EXPECT_EQ(r.buffered_bytes(), 15u);
  r.Insert(0, Bytes(0, 10));
  EXPECT_EQ(r.TakeInOrder(), Bytes(0, 15));
  r.Insert(15, Bytes(15, 5));
  EXPECT_EQ(r.TakeInOrder(), Bytes(15, 15));
  EXPECT_EQ(r.buffered_bytes(), 0u);
  EXPECT_EQ(r.next_offset(), 30u);
}

TEST(ReassemblyTest, OverlapsAndDuplicatesAreTakenOnce) {
  Reassembly r(100);
  r.Insert(5, Bytes(5, 10));
  r.Insert(5, Bytes(5, 10));
  r.Insert(0, Bytes(0, 20));  // Covers the held run on both sides.
  r.Insert(8, Bytes(8, 2));
  EXPECT_EQ(r.TakeInOrder(), Bytes(0, 20));
  r.Insert(0, Bytes(0, 25));  // Partly old.
  EXPECT_EQ(r.TakeInOrder(), Bytes(20, 5));
}

TEST(ReassemblyTest, DropsWhatLiesBeyondTheCapacity) {
  Reassembly r(10);
  r.Insert(5, Bytes(5, 20));
  EXPECT_EQ(r.buffered_bytes(), 5u);  // Offsets 5 to 9 only.
  r.Insert(0, Bytes(0, 5));
  EXPECT_EQ(r.TakeInOrder(), Bytes(0, 10));
}

}  // namespace
}  // namespace pinhole::sim::tcp
