// Fuzz target: a TURN server with one allocation (a permission and channel
// 0x4000 to one peer) takes a sequence of datagrams from the input: from the
// allocation's client, from a stranger, from peers to the relayed address,
// and steps of time. Whatever the input: no crash, every datagram out leaves
// from the server address or the relayed one, and what goes to a client is
// STUN or ChannelData.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "build_defs/fuzz_check.h"
#include "net/datagram.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/server.h"
#include "turn/server_testing.h"

namespace pinhole::turn {
namespace {

void Check(testing::TurnServerHarness& h, const net::TransportAddress& relayed,
           const std::vector<net::Datagram>& out) {
  for (const net::Datagram& d : out) {
    if (d.source == relayed) continue;  // To a peer: any bytes.
    FuzzCheck(d.source.ip() == testing::kServerAddress.ip(),
              "a datagram leaves from the server or its relayed address");
    const bool stun = stun::MessageView::Parse(d.payload).ok();
    const bool channel = stun::ParseChannelData(d.payload).ok();
    FuzzCheck(stun || channel, "clients get STUN or ChannelData");
  }
  while (h.server().PollEvent().has_value()) {
  }
}

}  // namespace
}  // namespace pinhole::turn

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pinhole;  // NOLINT: a fuzz entry point.
  turn::testing::TurnServerHarness h;
  stun::StunClient::Event allocated = h.Exchange(
      stun::Method::kAllocate,
      [](stun::MessageBuilder& b) { b.Add(stun::RequestedTransport{}); });
  FuzzCheck(allocated.status.ok(), "the allocation succeeds");
  const net::TransportAddress relayed =
      allocated.response->view().Get<stun::XorRelayedAddress>()->address;
  const net::TransportAddress peer =
      *net::TransportAddress::Parse("192.0.2.10:6000");
  FuzzCheck(h.Exchange(stun::Method::kChannelBind,
                       [&](stun::MessageBuilder& b) {
                         b.Add(stun::ChannelNumber{0x4000});
                         b.Add(stun::XorPeerAddress{peer});
                       })
                .status.ok(),
            "the channel binds");
  const net::TransportAddress stranger =
      *net::TransportAddress::Parse("203.0.113.99:1234");
  absl::Span<const uint8_t> input(data, size);
  for (int steps = 0; input.size() >= 3 && steps < 64; ++steps) {
    const uint8_t selector = input[0];
    const size_t length =
        std::min<size_t>((size_t{input[1]} << 8) | input[2], input.size() - 3);
    const absl::Span<const uint8_t> chunk = input.subspan(3, length);
    input.remove_prefix(3 + length);
    std::vector<net::Datagram> out;
    switch (selector % 4) {
      case 0:
        out = h.Deliver(turn::testing::kClientAddress,
                        turn::testing::kServerAddress, chunk);
        break;
      case 1:
        out = h.Deliver(selector & 0x80 ? peer : stranger, relayed, chunk);
        break;
      case 2:
        out = h.Deliver(stranger, turn::testing::kServerAddress, chunk);
        break;
      default:
        h.Advance(net::Duration::Seconds(selector));
        break;
    }
    turn::Check(h, relayed, out);
  }
  return 0;
}
