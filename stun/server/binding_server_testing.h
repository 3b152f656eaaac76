// Test helpers for BindingServer: addresses, configurations, requests, and
// one call that delivers a datagram and collects what the server queued.
#ifndef PINHOLE_STUN_SERVER_BINDING_SERVER_TESTING_H_
#define PINHOLE_STUN_SERVER_BINDING_SERVER_TESTING_H_

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/testing/addresses.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/server/binding_server.h"

namespace pinhole::stun::testing {

using net::testing::Addr;
using net::testing::Ip;

inline constexpr TransactionId kId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                      0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
inline constexpr net::Time kNow = net::Time::FromNanosecondsSinceEpoch(
    net::Duration::Seconds(1000).ToNanoseconds());

inline net::TransportAddress Client() { return Addr("198.51.100.7:40000"); }
inline net::TransportAddress Primary() { return Addr("192.0.2.1:3478"); }

// A server on Primary() alone.
inline BindingServerConfig PlainConfig() {
  BindingServerConfig config;
  config.primary = Primary();
  return config;
}

// Primary() plus the alternate 192.0.2.2 and port 3479.
inline BindingServerConfig Rfc5780Config() {
  BindingServerConfig config = PlainConfig();
  config.alternate_ip = Ip("192.0.2.2");
  config.alternate_port = 3479;
  return config;
}

inline BindingServer MakeServer(BindingServerConfig config) {
  absl::StatusOr<BindingServer> server = BindingServer::Create(config);
  if (!server.ok()) std::abort();
  return *std::move(server);
}

inline MessageBuilder Request(const TransactionId& id = kId) {
  return MessageBuilder({Method::kBinding, MessageClass::kRequest}, id);
}

inline std::vector<uint8_t> Bytes(MessageBuilder& builder) {
  absl::StatusOr<std::vector<uint8_t>> bytes = builder.Finish();
  if (!bytes.ok()) std::abort();
  return *std::move(bytes);
}

// What the server queued in answer to one datagram.
struct Exchange {
  std::vector<net::Datagram> transmits;
  std::vector<BindingServer::Event> events;

  // The single response: aborts the test binary when there is not exactly
  // one (tests check `transmits.size()` first for a readable failure).
  const net::Datagram& response() const {
    if (transmits.size() != 1) std::abort();
    return transmits[0];
  }
  // The response parsed; a view into `transmits`.
  MessageView message() const {
    absl::StatusOr<MessageView> view = MessageView::Parse(response().payload);
    if (!view.ok()) std::abort();
    return *view;
  }
  const BindingServer::Event& event() const {
    if (events.size() != 1) std::abort();
    return events[0];
  }
};

// Hands `payload` to the server as sent from `from` to `to`, then drains it.
inline Exchange Deliver(BindingServer& server,
                        absl::Span<const uint8_t> payload,
                        const net::TransportAddress& from = Client(),
                        const net::TransportAddress& to = Primary()) {
  server.HandleDatagram(kNow, net::DatagramView{from, to, payload});
  Exchange exchange;
  while (std::optional<net::Datagram> datagram = server.PollTransmit()) {
    exchange.transmits.push_back(*std::move(datagram));
  }
  while (std::optional<BindingServer::Event> event = server.PollEvent()) {
    exchange.events.push_back(*std::move(event));
  }
  return exchange;
}

}  // namespace pinhole::stun::testing

#endif  // PINHOLE_STUN_SERVER_BINDING_SERVER_TESTING_H_
