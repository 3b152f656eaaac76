// Fuzz target: arbitrary bytes as a datagram to two RFC 5780 servers, one
// with short-term authentication (user "alice", password "wonderland") and
// one without, arriving on each of the four served addresses. Whatever the
// input: no crash, at most one response per datagram, every response parses
// as STUN and leaves from a served address, and every datagram is counted
// exactly once.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "build_defs/fuzz_check.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/message.h"
#include "stun/server/binding_server.h"

namespace pinhole::stun {
namespace {

net::TransportAddress Addr(const char* text) {
  absl::StatusOr<net::TransportAddress> address =
      net::TransportAddress::Parse(text);
  FuzzCheck(address.ok(), "test address parses");
  return *address;
}

BindingServer MakeServer(bool with_auth) {
  BindingServerConfig config;
  config.primary = Addr("192.0.2.1:3478");
  config.alternate_ip = net::IpAddress::FromV4Value(0xC0000202);  // 192.0.2.2
  config.alternate_port = 3479;
  if (with_auth) config.short_term_users = {{"alice", "wonderland"}};
  absl::StatusOr<BindingServer> server = BindingServer::Create(config);
  FuzzCheck(server.ok(), "the fuzz configuration is valid");
  return *std::move(server);
}

void Exercise(BindingServer& server, absl::Span<const uint8_t> bytes) {
  const std::vector<net::TransportAddress> local = server.LocalAddresses();
  const net::TransportAddress client = Addr("198.51.100.7:40000");
  for (const net::TransportAddress& arrival : local) {
    const uint64_t before = server.stats().datagrams;
    server.HandleDatagram(net::Time::Epoch(),
                          net::DatagramView{client, arrival, bytes});
    int responses = 0;
    while (std::optional<net::Datagram> out = server.PollTransmit()) {
      ++responses;
      FuzzCheck(MessageView::Parse(out->payload).ok(), "a response parses");
      bool served = false;
      for (const net::TransportAddress& address : local) {
        served = served || address == out->source;
      }
      FuzzCheck(served, "a response leaves from a served address");
      FuzzCheck(out->destination.ip() == client.ip(),
                "a response goes to the client's IP");
    }
    FuzzCheck(responses <= 1, "at most one response per datagram");
    int events = 0;
    while (server.PollEvent().has_value()) ++events;
    FuzzCheck(events == 1, "one event per datagram");
    const BindingServer::Stats& stats = server.stats();
    FuzzCheck(stats.datagrams == before + 1, "the datagram is counted");
    FuzzCheck(
        stats.successes + stats.errors + stats.indications + stats.dropped ==
            stats.datagrams,
        "every datagram counts once");
  }
}

}  // namespace
}  // namespace pinhole::stun

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using pinhole::stun::BindingServer;
  static BindingServer* const with_auth =
      new BindingServer(pinhole::stun::MakeServer(true));
  static BindingServer* const without_auth =
      new BindingServer(pinhole::stun::MakeServer(false));
  const absl::Span<const uint8_t> bytes(data, size);
  pinhole::stun::Exercise(*with_auth, bytes);
  pinhole::stun::Exercise(*without_auth, bytes);
  return 0;
}
