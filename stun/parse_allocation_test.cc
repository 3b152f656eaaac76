// The parse path allocates nothing: parsing, finding and decoding attributes,
// and checking integrity (with a key already used once) never touch the heap.
// This binary counts every operator new.
#include <openssl/crypto.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/testing/hex.h"
#include "stun/testing/rfc5769_vectors.h"

namespace {
std::atomic<long> allocations{0};

// OpenSSL allocates through its own hooks, not operator new: count those too.
void* CountingMalloc(size_t size, const char*, int) {
  ++allocations;
  return std::malloc(size);
}
void* CountingRealloc(void* p, size_t size, const char*, int) {
  ++allocations;
  return std::realloc(p, size);
}
void CountingFree(void* p, const char*, int) { std::free(p); }

// Must run before OpenSSL allocates anything.
const bool kHooksInstalled =
    CRYPTO_set_mem_functions(CountingMalloc, CountingRealloc, CountingFree) ==
    1;
}  // namespace

void* operator new(size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

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
  const long before = allocations.load();
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
  EXPECT_EQ(allocations.load() - before, 0);
}

TEST(ParseAllocationTest,
     ParsingAResponseWithXorMappedAddressAllocatesNothing) {
  const std::vector<uint8_t> bytes =
      testing::FromHex(vectors::kSampleIpv6Response);
  const long before = allocations.load();
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  ASSERT_TRUE(message.ok());
  EXPECT_TRUE(message->Get<XorMappedAddress>().ok());
  EXPECT_EQ(allocations.load() - before, 0);
}

TEST(ParseAllocationTest, TheCounterSeesAllocations) {
  ASSERT_TRUE(kHooksInstalled);
  const long before = allocations.load();
  auto* vector = new std::vector<int>(100);
  delete vector;
  EXPECT_GE(allocations.load() - before, 2);
  const long before_openssl = allocations.load();
  OPENSSL_free(OPENSSL_malloc(16));
  EXPECT_EQ(allocations.load() - before_openssl, 1);
}

}  // namespace
}  // namespace pinhole::stun
