// The parse path allocates nothing: parsing, finding and decoding attributes,
// and checking integrity (with a key already used once) never touch the heap.
// This binary counts every operator new.
#include <openssl/crypto.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/testing/allocation_counter.h"
#include "stun/testing/hex.h"
#include "stun/testing/rfc5769_vectors.h"

namespace pinhole::stun {
namespace {

namespace vectors = ::pinhole::stun::testing;

TEST(ParseAllocationTest, ParsingAndCheckingABindingRequestAllocatesNothing) {
  const std::vector<uint8_t> bytes = testing::FromHex(vectors::kSampleRequest);
  const IntegrityKey key =
      IntegrityKey::ShortTerm(vectors::kShortTermPassword).value();
  {
    // Warm up: the key builds its HMAC state on first use.
    const MessageView message = MessageView::Parse(bytes).value();
    ASSERT_TRUE(VerifyMessageIntegrity(message, key).ok());
  }
  const long before = testing::AllocationCount();
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok());
  EXPECT_TRUE(message->Get<Username>().ok());
  EXPECT_TRUE(message->Get<Priority>().ok());
  EXPECT_TRUE(message->Get<IceControlled>().ok());
  EXPECT_TRUE(message->Get<Software>().ok());
  EXPECT_FALSE(message->Has(attr::kUseCandidate));
  for (const RawAttribute attribute : message->attributes()) {
    EXPECT_NE(attribute.type, 0);
  }
  EXPECT_TRUE(VerifyMessageIntegrity(*message, key).ok());
  EXPECT_TRUE(VerifyFingerprint(*message).ok());
  EXPECT_EQ(testing::AllocationCount() - before, 0);
}

TEST(ParseAllocationTest,
     ParsingAResponseWithXorMappedAddressAllocatesNothing) {
  const std::vector<uint8_t> bytes =
      testing::FromHex(vectors::kSampleIpv6Response);
  const long before = testing::AllocationCount();
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok());
  EXPECT_TRUE(message->Get<XorMappedAddress>().ok());
  EXPECT_EQ(testing::AllocationCount() - before, 0);
}

TEST(ParseAllocationTest, TheCounterSeesAllocations) {
  const long before = testing::AllocationCount();
  auto* vector = new std::vector<int>(100);
  delete vector;
  EXPECT_GE(testing::AllocationCount() - before, 2);
  const long before_openssl = testing::AllocationCount();
  OPENSSL_free(OPENSSL_malloc(16));
  EXPECT_EQ(testing::AllocationCount() - before_openssl, 1);
}

}  // namespace
}  // namespace pinhole::stun
