#include "stun/message_type.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace pinhole::stun {
namespace {

// RFC 8489 §5: the class bits sit at positions 4 and 8 of the type.
TEST(MessageTypeTest, BindingTypesHaveTheirWellKnownValues) {
  EXPECT_EQ((MessageType{Method::kBinding, MessageClass::kRequest}).ToWire(),
            0x0001);
  EXPECT_EQ((MessageType{Method::kBinding, MessageClass::kIndication}).ToWire(),
            0x0011);
  EXPECT_EQ(
      (MessageType{Method::kBinding, MessageClass::kSuccessResponse}).ToWire(),
      0x0101);
  EXPECT_EQ(
      (MessageType{Method::kBinding, MessageClass::kErrorResponse}).ToWire(),
      0x0111);
}

// RFC 8656 §17: Allocate 0x003, Send indication 0x016, Data indication 0x017,
// ChannelBind success 0x109.
TEST(MessageTypeTest, TurnTypesHaveTheirWellKnownValues) {
  EXPECT_EQ((MessageType{Method::kAllocate, MessageClass::kRequest}).ToWire(),
            0x0003);
  EXPECT_EQ(
      (MessageType{Method::kAllocate, MessageClass::kErrorResponse}).ToWire(),
      0x0113);
  EXPECT_EQ((MessageType{Method::kSend, MessageClass::kIndication}).ToWire(),
            0x0016);
  EXPECT_EQ((MessageType{Method::kData, MessageClass::kIndication}).ToWire(),
            0x0017);
  EXPECT_EQ((MessageType{Method::kChannelBind, MessageClass::kSuccessResponse})
                .ToWire(),
            0x0109);
}

TEST(MessageTypeTest, EveryFourteenBitValueRoundTrips) {
  for (uint32_t wire = 0; wire < 0x4000; ++wire) {
    const MessageType type = MessageType::FromWire(static_cast<uint16_t>(wire));
    ASSERT_EQ(type.ToWire(), wire);
  }
}

TEST(MessageTypeTest, HighestMethodKeepsAllTwelveBits) {
  const MessageType type{static_cast<Method>(0x0FFF),
                         MessageClass::kErrorResponse};
  EXPECT_EQ(type.ToWire(), 0x3FFF);
  EXPECT_EQ(MessageType::FromWire(0x3FFF), type);
}

TEST(MessageTypeTest, NamesReadNaturally) {
  EXPECT_EQ(MessageTypeName({Method::kBinding, MessageClass::kRequest}),
            "Binding request");
  EXPECT_EQ(MessageTypeName(
                {Method::kCreatePermission, MessageClass::kErrorResponse}),
            "CreatePermission error response");
  EXPECT_EQ(MethodName(static_cast<Method>(0x0ABC)), "0xABC");
}

}  // namespace
}  // namespace pinhole::stun
