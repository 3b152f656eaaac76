// The answering path allocates once per response: its datagram's payload.
// Parsing, authentication, building (one reused MessageBuilder) and queueing
// the datagram and its event (rings allocated at the first push) touch the
// heap no more. This binary counts every operator new and OpenSSL allocation.
#include <openssl/crypto.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message_builder.h"
#include "stun/server/binding_server.h"
#include "stun/server/binding_server_testing.h"

namespace {
std::atomic<long> allocations{0};

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

// Delivers `request` and drains the server; the allocations it cost.
long AllocationsToAnswer(BindingServer& server,
                         const std::vector<uint8_t>& request) {
  const long before = allocations.load();
  server.HandleDatagram(
      testing::kNow,
      net::DatagramView{testing::Client(), testing::Primary(), request});
  std::optional<net::Datagram> response = server.PollTransmit();
  std::optional<BindingServer::Event> event = server.PollEvent();
  const long used = allocations.load() - before;
  EXPECT_TRUE(response.has_value());
  EXPECT_TRUE(event.has_value() &&
              event->kind == BindingServer::Event::Kind::kAnswered);
  return used;
}

TEST(BindingServerAllocationTest, AnAuthenticatedRfc5780AnswerAllocatesOnce) {
  ASSERT_TRUE(kHooksInstalled);
  BindingServerConfig config = testing::Rfc5780Config();
  config.short_term_users = {{"alice", "wonderland"}};
  BindingServer server = testing::MakeServer(config);
  const IntegrityKey key = IntegrityKey::ShortTerm("wonderland").value();
  MessageBuilder builder = testing::Request();
  builder.Add(ChangeRequest{true, true}).Add(Username{"alice"});
  builder.AddMessageIntegrity(key).AddFingerprint();
  const std::vector<uint8_t> request = testing::Bytes(builder);

  AllocationsToAnswer(server, request);  // Warm up: rings, HMAC state.
  EXPECT_EQ(AllocationsToAnswer(server, request), 1);
  EXPECT_EQ(AllocationsToAnswer(server, request), 1);
}

TEST(BindingServerAllocationTest, APlainAnswerAllocatesOnce) {
  BindingServer server = testing::MakeServer(testing::PlainConfig());
  MessageBuilder builder = testing::Request();
  const std::vector<uint8_t> request = testing::Bytes(builder);
  AllocationsToAnswer(server, request);
  EXPECT_EQ(AllocationsToAnswer(server, request), 1);
}

}  // namespace
}  // namespace pinhole::stun
