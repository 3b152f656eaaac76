#include "stun/attribute_type.h"

#include <set>

#include "gtest/gtest.h"

namespace pinhole::stun {
namespace {

TEST(AttributeTypeTest, EveryKnownTypeHasItsOwnSlotAndName) {
  std::set<int> slots;
  std::set<std::string> names;
  for (uint16_t type : internal::kKnownTypes) {
    const int slot = KnownAttributeSlot(type);
    ASSERT_NE(slot, kUnknownAttributeSlot) << type;
    EXPECT_EQ(internal::kKnownTypes[slot], type);
    slots.insert(slot);
    names.insert(AttributeTypeName(type));
  }
  EXPECT_EQ(slots.size(), static_cast<size_t>(kKnownAttributeCount));
  EXPECT_EQ(names.size(), static_cast<size_t>(kKnownAttributeCount));
}

TEST(AttributeTypeTest, EveryOtherTypeIsUnknown) {
  const std::set<uint16_t> known(std::begin(internal::kKnownTypes),
                                 std::end(internal::kKnownTypes));
  for (uint32_t type = 0; type <= 0xFFFF; ++type) {
    if (known.count(type) != 0) continue;
    ASSERT_EQ(KnownAttributeSlot(static_cast<uint16_t>(type)),
              kUnknownAttributeSlot)
        << type;
  }
}

TEST(AttributeTypeTest, NamesAndComprehension) {
  EXPECT_EQ(AttributeTypeName(attr::kXorMappedAddress), "XOR-MAPPED-ADDRESS");
  EXPECT_EQ(AttributeTypeName(attr::kIcmp), "ICMP");
  EXPECT_EQ(AttributeTypeName(0x1234), "0x1234");
  EXPECT_TRUE(IsComprehensionRequired(attr::kUsername));
  EXPECT_TRUE(IsComprehensionRequired(0x7FFF));
  EXPECT_FALSE(IsComprehensionRequired(attr::kSoftware));
  EXPECT_FALSE(IsComprehensionRequired(0x8000));
}

}  // namespace
}  // namespace pinhole::stun
