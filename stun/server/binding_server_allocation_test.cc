// The answering path allocates once per response: its datagram's payload.
// Parsing, authentication, building (one reused MessageBuilder) and queueing
// the datagram and its event (rings that grow on first use) touch the heap
// no more. This binary counts every operator new and OpenSSL allocation.
#include <cstdint>
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
#include "stun/testing/allocation_counter.h"

namespace pinhole::stun {
namespace {

// Delivers `request` and drains the server; the allocations it cost.
long AllocationsToAnswer(BindingServer& server,
                         const std::vector<uint8_t>& request) {
  const long before = testing::AllocationCount();
  server.HandleDatagram(
      testing::kNow,
      net::DatagramView{testing::Client(), testing::Primary(), request});
  std::optional<net::Datagram> response = server.PollTransmit();
  std::optional<BindingServer::Event> event = server.PollEvent();
  const long used = testing::AllocationCount() - before;
  EXPECT_TRUE(response.has_value());
  EXPECT_TRUE(event.has_value() &&
              event->kind == BindingServer::Event::Kind::kAnswered);
  return used;
}

TEST(BindingServerAllocationTest, AnAuthenticatedRfc5780AnswerAllocatesOnce) {
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
