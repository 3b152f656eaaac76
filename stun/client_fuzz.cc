// Fuzz target: `StunClient::HandleDatagram` on arbitrary answers to an
// authenticated request in flight. The input is a sequence of datagrams, each
// a 2-byte big-endian length and its bytes; a datagram of 20 bytes or more
// gets the transaction ID of the request in flight (bytes 8 to 19), so the
// fuzzer reaches the matching, integrity and 401/438 retry paths. Whatever
// arrives, every message the client sends must parse, and it must never have
// more than its one request in flight nor send more than the retries it
// allows.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "build_defs/fuzz_check.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/message.h"

namespace pinhole::stun {
namespace {

void Run(absl::Span<const uint8_t> input) {
  const net::TransportAddress local =
      *net::TransportAddress::Parse("192.0.2.1:50000");
  const net::TransportAddress server =
      *net::TransportAddress::Parse("198.51.100.1:3478");
  net::DeterministicRandom random(1);
  StunClient client(random);
  net::Time now = net::Time::FromNanosecondsSinceEpoch(1'000'000'000);
  StunClient::Request request;
  request.local = local;
  request.server = server;
  request.long_term = LongTermCredential{"user", "password"};
  FuzzCheck(client.Start(now, std::move(request)).ok(), "start");
  std::optional<TransactionId> in_flight;
  int messages = 0;
  const auto drain = [&] {
    while (std::optional<net::Datagram> sent = client.PollTransmit()) {
      absl::StatusOr<MessageView> message = MessageView::Parse(sent->payload);
      FuzzCheck(message.ok(), "the client sent a message that does not parse");
      if (in_flight != message->transaction_id()) ++messages;
      in_flight = message->transaction_id();
    }
    while (client.PollEvent().has_value()) in_flight.reset();
    // The first request, one retry after 401 and three after 438.
    FuzzCheck(messages <= 5, "more retries than the client allows");
    FuzzCheck(client.pending() <= 1, "more than one request in flight");
  };
  drain();
  while (input.size() >= 2) {
    const size_t length =
        std::min<size_t>((size_t{input[0]} << 8) | input[1], input.size() - 2);
    std::vector<uint8_t> datagram(input.begin() + 2,
                                  input.begin() + 2 + length);
    input.remove_prefix(2 + length);
    if (datagram.size() >= kHeaderSize && in_flight.has_value()) {
      std::copy(in_flight->begin(), in_flight->end(), datagram.begin() + 8);
    }
    now = now + net::Duration::Milliseconds(10);
    client.HandleTimeout(now);
    client.HandleDatagram(now, net::DatagramView{server, local, datagram});
    drain();
  }
}

}  // namespace
}  // namespace pinhole::stun

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pinhole::stun::Run(absl::MakeConstSpan(data, size));
  return 0;
}
