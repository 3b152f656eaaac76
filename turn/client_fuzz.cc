// Fuzz target: a `TurnClient` fed arbitrary datagrams from its server, and
// arbitrary calls, while allocating or allocated.
//
// Input: one flags byte, then records of an op byte, a 2-byte big-endian
// length and that many bytes. Flags: bit 0 TCP, bit 1 use_channels, bit 2 a
// dual allocation, bit 3 DONT-FRAGMENT, bit 4 no credential, bit 5 allocate
// (401 and success, properly signed) before the records. Ops (mod 11):
//   0  a datagram from the server; 20 bytes or more get the transaction ID
//      of the latest request, so they reach the response paths;
//   1  an answer to one of the last requests, signed with the long-term key:
//      byte 0 picks success or error (bit 0) and the request (the rest);
//      the bytes after it are attributes (type, length, value);
//   2  time passes: bytes 0-1 times 10 ms;
//   3  Send to a peer (byte 0 picks one of four) with the rest as data;
//   4  CreatePermission, 5 BindChannel, 6 RemovePermission (byte 0: peer);
//   7  Release, 8 Allocate, 9 the connection closes;
//   10 a datagram from a peer, which is never the client's.
//
// Invariants: everything sent goes from the local address to the server and
// is a STUN request or indication, or ChannelData on a valid channel (padded
// over TCP); after HandleTimeout(t), NextTimeout() is later than t and an
// allocation expires later than t; the queues stay bounded.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "build_defs/fuzz_check.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/client.h"

namespace pinhole::turn {
namespace {

net::TransportAddress Addr(const char* text) {
  return *net::TransportAddress::Parse(text);
}

struct Request {
  stun::Method method;
  stun::TransactionId id;
};

class Harness {
 public:
  explicit Harness(uint8_t flags)
      : random_(1),
        tcp_((flags & 0x01) != 0),
        key_(
            *stun::IntegrityKey::LongTerm("user", "pinhole.fuzz", "password")) {
    config_.local = tcp_ ? Addr("0.0.0.0:0/tcp") : Addr("192.0.2.1:50000");
    config_.server =
        tcp_ ? Addr("198.51.100.1:3478/tcp") : Addr("198.51.100.1:3478");
    config_.use_channels = (flags & 0x02) != 0;
    config_.additional_ipv6 = (flags & 0x04) != 0;
    config_.dont_fragment = (flags & 0x08) != 0;
    if ((flags & 0x10) == 0) config_.credential = {"user", "password"};
    client_ = *TurnClient::Create(random_, config_);
    FuzzCheck(client_->Allocate(now_).ok(), "allocate");
    Drain();
    if ((flags & 0x20) != 0) Handshake();
  }

  void Run(uint8_t op, absl::Span<const uint8_t> bytes) {
    switch (op % 11) {
      case 0:
        return FromServer(Patched(bytes));
      case 1:
        return FromServer(SignedAnswer(bytes));
      case 2:
        return Advance(bytes);
      case 3:
        client_
            ->Send(now_, PeerOf(bytes),
                   bytes.empty() ? bytes : bytes.subspan(1))
            .IgnoreError();
        break;
      case 4:
        client_->CreatePermission(now_, PeerOf(bytes).ip()).IgnoreError();
        break;
      case 5:
        client_->BindChannel(now_, PeerOf(bytes)).IgnoreError();
        break;
      case 6:
        client_->RemovePermission(PeerOf(bytes).ip());
        break;
      case 7:
        client_->Release(now_);
        break;
      case 8:
        client_->Allocate(now_).IgnoreError();
        break;
      case 9:
        client_->HandleConnectionClosed(now_, config_.server);
        break;
      case 10: {
        const net::TransportAddress local = Local();
        FuzzCheck(!client_->HandleDatagram(
                      now_, net::DatagramView{PeerOf(bytes), local, bytes}),
                  "a datagram from a peer was taken");
        break;
      }
    }
    Drain();
  }

 private:
  net::TransportAddress Local() const {
    return tcp_ ? Addr("192.0.2.1:41000/tcp") : config_.local;
  }

  net::TransportAddress PeerOf(absl::Span<const uint8_t> bytes) const {
    static const char* const kPeers[] = {"192.0.2.77:7000", "192.0.2.77:7001",
                                         "203.0.113.50:9000",
                                         "[2001:db8::9]:7000"};
    return Addr(kPeers[bytes.empty() ? 0 : bytes[0] % 4]);
  }

  void FromServer(const std::vector<uint8_t>& bytes) {
    client_->HandleDatagram(now_,
                            net::DatagramView{config_.server, Local(), bytes});
    Drain();
  }

  std::vector<uint8_t> Patched(absl::Span<const uint8_t> bytes) const {
    std::vector<uint8_t> datagram(bytes.begin(), bytes.end());
    if (datagram.size() >= stun::kHeaderSize && !requests_.empty()) {
      std::copy(requests_.back().id.begin(), requests_.back().id.end(),
                datagram.begin() + 8);
    }
    return datagram;
  }

  std::vector<uint8_t> SignedAnswer(absl::Span<const uint8_t> bytes) const {
    if (bytes.empty() || requests_.empty()) return {};
    const Request& request = requests_[(bytes[0] >> 1) % requests_.size()];
    stun::MessageBuilder builder(
        {request.method, (bytes[0] & 1) != 0
                             ? stun::MessageClass::kErrorResponse
                             : stun::MessageClass::kSuccessResponse},
        request.id);
    bytes.remove_prefix(1);
    while (bytes.size() >= 4) {
      const uint16_t type = static_cast<uint16_t>((bytes[0] << 8) | bytes[1]);
      const size_t length = std::min<size_t>((size_t{bytes[2]} << 8) | bytes[3],
                                             bytes.size() - 4);
      builder.AddRaw(type, bytes.subspan(4, length));
      bytes.remove_prefix(4 + length);
    }
    builder.AddMessageIntegrity(key_).AddFingerprint();
    absl::StatusOr<std::vector<uint8_t>> message = builder.Finish();
    return message.ok() ? *std::move(message) : std::vector<uint8_t>{};
  }

  // A well-behaved server: the 401 challenge, then success.
  void Handshake() {
    if (!config_.credential.username.empty()) {
      stun::MessageBuilder challenge(
          {stun::Method::kAllocate, stun::MessageClass::kErrorResponse},
          requests_.back().id);
      challenge.Add(stun::ErrorCode::Standard(401))
          .Add(stun::Realm{"pinhole.fuzz"})
          .Add(stun::Nonce{"nonce"});
      FromServer(*challenge.Finish());
    }
    stun::MessageBuilder success(
        {stun::Method::kAllocate, stun::MessageClass::kSuccessResponse},
        requests_.back().id);
    success.Add(stun::XorRelayedAddress{Addr("198.51.100.1:49152")});
    if (config_.additional_ipv6) {
      success.Add(stun::XorRelayedAddress{Addr("[2001:db8::1]:49152")});
    }
    success.Add(stun::Lifetime{600})
        .Add(stun::XorMappedAddress{Addr("203.0.113.9:6000")})
        .AddMessageIntegrity(key_)
        .AddFingerprint();
    FromServer(*success.Finish());
  }

  void Advance(absl::Span<const uint8_t> bytes) {
    const int64_t steps =
        bytes.size() >= 2 ? (int64_t{bytes[0]} << 8) | bytes[1] : 1;
    const net::Time until = now_ + net::Duration::Milliseconds(10 * steps);
    for (int i = 0; i < 10000; ++i) {
      const std::optional<net::Time> next = client_->NextTimeout();
      if (!next.has_value() || *next > until) break;
      now_ = std::max(now_, *next);
      client_->HandleTimeout(now_);
      Drain();
      const std::optional<net::Time> after = client_->NextTimeout();
      FuzzCheck(!after.has_value() || *after > now_,
                "HandleTimeout left a deadline it did not act on");
      const std::optional<net::Time> expiry = client_->expiry();
      FuzzCheck(!expiry.has_value() || *expiry > now_,
                "an allocation outlived its expiry");
    }
    now_ = std::max(now_, until);
  }

  void Drain() {
    size_t sent = 0;
    while (std::optional<net::Datagram> datagram = client_->PollTransmit()) {
      FuzzCheck(++sent <= 2 * TurnClient::kMaxQueuedTransmits,
                "the transmit queue grew without bound");
      Check(*datagram);
    }
    size_t events = 0;
    while (client_->PollEvent().has_value()) {
      FuzzCheck(++events <= 2 * TurnClient::kMaxQueuedEvents,
                "the event queue grew without bound");
    }
  }

  void Check(const net::Datagram& datagram) {
    FuzzCheck(datagram.source == config_.local, "sent from elsewhere");
    FuzzCheck(datagram.destination == config_.server, "sent to a non-server");
    absl::Span<const uint8_t> payload = datagram.payload;
    if (!payload.empty() && payload[0] >= 0x40) {
      absl::StatusOr<stun::ChannelDataView> channel_data =
          stun::ParseChannelData(payload);
      FuzzCheck(channel_data.ok(), "sent ChannelData that does not parse");
      FuzzCheck(!tcp_ || payload.size() % 4 == 0,
                "sent unpadded ChannelData over TCP");
      return;
    }
    absl::StatusOr<stun::MessageView> message =
        stun::MessageView::Parse(payload);
    FuzzCheck(message.ok(), "sent a message that does not parse");
    const stun::MessageClass message_class = message->message_class();
    FuzzCheck(message_class == stun::MessageClass::kRequest ||
                  message_class == stun::MessageClass::kIndication,
              "sent a response");
    if (message_class == stun::MessageClass::kRequest) {
      requests_.push_back({message->method(), message->transaction_id()});
      if (requests_.size() > 8) requests_.pop_front();
    }
  }

  net::DeterministicRandom random_;
  const bool tcp_;
  const stun::IntegrityKey key_;
  TurnClientConfig config_;
  std::unique_ptr<TurnClient> client_;
  net::Time now_ = net::Time::FromNanosecondsSinceEpoch(1'000'000'000'000);
  std::deque<Request> requests_;
};

void Run(absl::Span<const uint8_t> input) {
  if (input.empty()) return;
  Harness harness(input[0]);
  input.remove_prefix(1);
  int records = 0;
  while (input.size() >= 3 && ++records <= 2000) {
    const uint8_t op = input[0];
    const size_t length =
        std::min<size_t>((size_t{input[1]} << 8) | input[2], input.size() - 3);
    harness.Run(op, input.subspan(3, length));
    input.remove_prefix(3 + length);
  }
}

}  // namespace
}  // namespace pinhole::turn

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pinhole::turn::Run(absl::MakeConstSpan(data, size));
  return 0;
}
