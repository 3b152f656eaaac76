// Test support for the TURN server core: relayed sockets that live in a set,
// and a harness that exchanges requests between a `stun::StunClient` and a
// `TurnServer` at exact instants, with the peers' datagrams under the test's
// control.
#ifndef PINHOLE_TURN_SERVER_TESTING_H_
#define PINHOLE_TURN_SERVER_TESTING_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/error_code.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "turn/relay_sockets.h"
#include "turn/server.h"
#include "turn/server_config.h"

namespace pinhole::turn::testing {

// Sockets as a set of addresses; `refuse` makes chosen addresses unavailable
// (another process holds them).
class FakeRelaySockets : public RelaySockets {
 public:
  absl::Status Open(const net::TransportAddress& address,
                    bool dont_fragment) override {
    if (refuse.count(address) != 0 || open.count(address) != 0) {
      return absl::AlreadyExistsError(address.ToString());
    }
    open[address] = dont_fragment;
    return absl::OkStatus();
  }
  void Close(const net::TransportAddress& address) override {
    open.erase(address);
  }

  std::map<net::TransportAddress, bool> open;  // → dont_fragment.
  std::set<net::TransportAddress> refuse;
};

inline const net::TransportAddress kServerAddress =
    *net::TransportAddress::Parse("198.51.100.1:3478");
inline const net::IpAddress kRelayIpv4 = *net::IpAddress::Parse("198.51.100.1");
inline const net::IpAddress kRelayIpv6 = *net::IpAddress::Parse("2001:db8::1");
inline const net::TransportAddress kClientAddress =
    *net::TransportAddress::Parse("203.0.113.5:50000");

// alice:secret and bob:hunter2 in realm "pinhole.test", relaying from
// 198.51.100.1 (IPv4 only).
inline TurnServerConfig DefaultTestConfig() {
  TurnServerConfig config;
  config.realm = "pinhole.test";
  config.users = {{"alice", "secret"}, {"bob", "hunter2"}};
  config.relay_ipv4 = kRelayIpv4;
  return config;
}

class TurnServerHarness {
 public:
  explicit TurnServerHarness(TurnServerConfig config = DefaultTestConfig(),
                             uint64_t seed = 1)
      : server_random_(seed), client_random_(seed + 1000) {
    absl::StatusOr<std::unique_ptr<TurnServer>> server =
        TurnServer::Create(std::move(config), server_random_, relays_);
    create_status_ = server.status();
    if (server.ok()) server_ = *std::move(server);
    client_ = std::make_unique<stun::StunClient>(client_random_);
  }

  const absl::Status& create_status() const { return create_status_; }
  TurnServer& server() { return *server_; }
  FakeRelaySockets& relays() { return relays_; }
  stun::StunClient& client() { return *client_; }
  net::Time now() const { return now_; }
  void AdvanceTo(net::Time t) {
    now_ = t;
    server_->HandleTimeout(now_);
  }
  void Advance(net::Duration d) { AdvanceTo(now_ + d); }

  // A fresh client (forgets realm and nonce).
  void ResetClient() {
    client_ = std::make_unique<stun::StunClient>(client_random_);
  }

  struct Options {
    net::TransportAddress from = kClientAddress;
    net::TransportAddress server = kServerAddress;
    std::string username = "alice";
    std::string password = "secret";
    bool authenticate = true;
  };

  // Runs one request through the client to the server and back, with no
  // loss, until the client reports its end.
  stun::StunClient::Event Exchange(
      stun::Method method, absl::AnyInvocable<void(stun::MessageBuilder&)> add,
      const Options& options) {
    stun::StunClient::Request request;
    request.local = options.from;
    request.server = options.server;
    request.method = method;
    request.add_attributes = std::move(add);
    if (options.authenticate) {
      request.long_term =
          stun::LongTermCredential{options.username, options.password};
    }
    absl::StatusOr<stun::StunClient::RequestId> id =
        client_->Start(now_, std::move(request));
    if (!id.ok()) return stun::StunClient::Event{0, id.status(), {}, {}};
    for (int round = 0; round < 16; ++round) {
      while (std::optional<net::Datagram> out = client_->PollTransmit()) {
        server_->HandleDatagram(
            now_,
            net::DatagramView{out->source, out->destination, out->payload});
      }
      while (std::optional<net::Datagram> back = server_->PollTransmit()) {
        if (back->destination == options.from) {
          client_->HandleDatagram(
              now_, net::DatagramView{back->source, back->destination,
                                      back->payload});
        } else {
          other_.push_back(*std::move(back));
        }
      }
      if (std::optional<stun::StunClient::Event> event = client_->PollEvent()) {
        return *std::move(event);
      }
    }
    return stun::StunClient::Event{
        0, absl::InternalError("no end to the exchange"), {}, {}};
  }
  stun::StunClient::Event Exchange(
      stun::Method method,
      absl::AnyInvocable<void(stun::MessageBuilder&)> add = {}) {
    return Exchange(method, std::move(add), Options{});
  }

  // Delivers raw bytes to the server and returns what it sends back (to
  // anyone), in order.
  std::vector<net::Datagram> Deliver(const net::TransportAddress& from,
                                     const net::TransportAddress& to,
                                     absl::Span<const uint8_t> bytes) {
    server_->HandleDatagram(now_, net::DatagramView{from, to, bytes});
    std::vector<net::Datagram> out(other_.begin(), other_.end());
    other_.clear();
    while (std::optional<net::Datagram> d = server_->PollTransmit()) {
      out.push_back(*std::move(d));
    }
    return out;
  }

  // Every event the server queued since the last call.
  std::vector<TurnServer::Event> Events() {
    std::vector<TurnServer::Event> events;
    while (std::optional<TurnServer::Event> e = server_->PollEvent()) {
      events.push_back(*std::move(e));
    }
    return events;
  }

 private:
  net::Time now_ = net::Time::FromNanosecondsSinceEpoch(1'000'000'000'000);
  net::DeterministicRandom server_random_;
  net::DeterministicRandom client_random_;
  FakeRelaySockets relays_;
  absl::Status create_status_;
  std::unique_ptr<TurnServer> server_;
  std::unique_ptr<stun::StunClient> client_;
  std::deque<net::Datagram> other_;
};

// The error code of a failed exchange's response, or 0.
inline int ErrorCodeOf(const stun::StunClient::Event& event) {
  if (!event.response.has_value()) return 0;
  absl::StatusOr<stun::ErrorCode> code =
      event.response->view().Get<stun::ErrorCode>();
  return code.ok() ? code->code : 0;
}

}  // namespace pinhole::turn::testing

#endif  // PINHOLE_TURN_SERVER_TESTING_H_
