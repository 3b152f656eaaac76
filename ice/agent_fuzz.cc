// Fuzz target: `Agent::HandleDatagram` on arbitrary datagrams from the
// network, with checks in flight. The input is a sequence of records, each a
// control byte, a 2-byte big-endian length and that many bytes:
// - control & 3 == 0: the bytes arrive as they are, from the remote host
//   candidate;
// - 1: they are the attributes area of a Binding request, signed with the
//   agent's own password and a correct USERNAME, so the request handling
//   (role conflicts, peer-reflexive candidates, nomination) is reached; the
//   source port is taken from the control byte (new peer-reflexive
//   addresses);
// - 2: the bytes, with the transaction ID of a check in flight (bytes 8-19),
//   as an answer from the remote candidate;
// - 3: time passes (the control byte's upper bits, in 50 ms steps).
// Whatever arrives, every datagram the agent sends must be a STUN message
// that parses or application data it was asked to send (none here), and the
// agent's bounds must hold.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "build_defs/fuzz_check.h"
#include "ice/agent.h"
#include "ice/candidate.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/text_attributes.h"

namespace pinhole::ice {
namespace {

void Run(absl::Span<const uint8_t> input) {
  const net::TransportAddress local =
      *net::TransportAddress::Parse("192.0.2.1:5000");
  const net::TransportAddress remote =
      *net::TransportAddress::Parse("192.0.2.2:6000");
  net::DeterministicRandom random(1);
  AgentConfig config;
  config.role = Role::kControlled;
  absl::StatusOr<std::unique_ptr<Agent>> created =
      Agent::Create(random, config);
  FuzzCheck(created.ok(), "create");
  Agent& agent = **created;
  net::Time now = net::Time::FromNanosecondsSinceEpoch(1'000'000'000'000);
  FuzzCheck(agent.AddHostAddress(1, local).ok(), "host address");
  FuzzCheck(agent.StartGathering(now).ok(), "gathering");
  const Credentials remote_credentials{"RMTE", "remotepassword0123456789"};
  FuzzCheck(agent.SetRemoteCredentials(now, remote_credentials).ok(),
            "credentials");
  Candidate candidate;
  candidate.foundation = "1";
  candidate.priority = 2130706431;
  candidate.address = remote;
  FuzzCheck(agent.AddRemoteCandidate(now, candidate).ok(), "candidate");
  const stun::IntegrityKey own_key =
      *stun::IntegrityKey::ShortTerm(agent.local_credentials().pwd);
  const std::string username =
      absl::StrCat(agent.local_credentials().ufrag, ":RMTE");

  std::optional<stun::TransactionId> in_flight;
  const auto drain = [&] {
    for (int i = 0; i < 10000; ++i) {
      std::optional<net::Datagram> sent = agent.PollTransmit();
      if (!sent.has_value()) break;
      absl::StatusOr<stun::MessageView> message =
          stun::MessageView::Parse(sent->payload);
      FuzzCheck(message.ok(), "the agent sent something that is not STUN");
      if (message->message_class() == stun::MessageClass::kRequest) {
        in_flight = message->transaction_id();
      }
    }
    for (int i = 0; i < 10000 && agent.PollEvent().has_value(); ++i) {
    }
    FuzzCheck(agent.remote_candidates().size() <= Agent::kMaxRemoteCandidates,
              "remote candidates unbounded");
    FuzzCheck(agent.check_list().size() <= 2 * config.max_pairs + 1000,
              "check list unbounded");
  };
  drain();
  while (input.size() >= 3) {
    const uint8_t control = input[0];
    const size_t length =
        std::min<size_t>((size_t{input[1]} << 8) | input[2], input.size() - 3);
    std::vector<uint8_t> bytes(input.begin() + 3, input.begin() + 3 + length);
    input.remove_prefix(3 + length);
    net::TransportAddress source = remote;
    switch (control & 3) {
      case 0:
        break;
      case 1: {
        stun::MessageBuilder builder(
            {stun::Method::kBinding, stun::MessageClass::kRequest},
            stun::TransactionId{control, static_cast<uint8_t>(length)});
        builder.Add(stun::Username{username});
        // The fuzzed attributes, as raw TLVs.
        absl::Span<const uint8_t> rest = bytes;
        while (rest.size() >= 4) {
          const uint16_t type = static_cast<uint16_t>(rest[0] << 8 | rest[1]);
          const size_t size =
              std::min<size_t>(rest[2] << 8 | rest[3], rest.size() - 4);
          builder.AddRaw(type, rest.subspan(4, size));
          rest.remove_prefix(4 + size);
        }
        builder.AddMessageIntegrity(own_key);
        builder.AddFingerprint();
        absl::StatusOr<std::vector<uint8_t>> signed_request = builder.Finish();
        if (!signed_request.ok()) continue;
        bytes = *std::move(signed_request);
        source = net::TransportAddress(remote.ip(),
                                       static_cast<uint16_t>(6000 + control));
        break;
      }
      case 2:
        if (in_flight.has_value() && bytes.size() >= 20) {
          std::copy(in_flight->begin(), in_flight->end(), bytes.begin() + 8);
        }
        break;
      case 3:
        now += net::Duration::Milliseconds(50) * (control >> 2);
        agent.HandleTimeout(now);
        drain();
        continue;
    }
    agent.HandleDatagram(now, net::DatagramView{source, local, bytes});
    drain();
  }
  // The agent winds down: time passes, nothing breaks.
  for (int i = 0; i < 100; ++i) {
    const std::optional<net::Time> next = agent.NextTimeout();
    if (!next.has_value()) break;
    now = *next > now ? *next : now;
    agent.HandleTimeout(now);
    drain();
  }
}

}  // namespace
}  // namespace pinhole::ice

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pinhole::ice::Run(absl::MakeConstSpan(data, size));
  return 0;
}
