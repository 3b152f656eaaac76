// The TURN messages a `TurnClient` writes and reads, apart from the state
// that decides when (RFC 8656 §7-§12): the Allocate request's attributes,
// what an Allocate or Refresh success says, Send and Data indications, and
// how a failed request is put into words.
#ifndef PINHOLE_TURN_CLIENT_MESSAGES_H_
#define PINHOLE_TURN_CLIENT_MESSAGES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "turn/client_config.h"
#include "turn/client_event.h"

namespace pinhole::turn {

// RFC 8656 §6: the lifetime a server grants when asked for nothing.
inline constexpr net::Duration kDefaultAllocationLifetime =
    net::Duration::Seconds(600);
// Lifetimes a server grants beyond this are tracked as this: the client
// refreshes sooner than it must, and time arithmetic stays far from overflow.
inline constexpr net::Duration kMaxTrackedLifetime = net::Duration::Hours(24);

// REQUESTED-TRANSPORT (UDP) and the optional attributes of `config`, in the
// order RFC 8656 §7.1 describes them.
void AddAllocateAttributes(const TurnClientConfig& config,
                           stun::MessageBuilder& builder);

// A Refresh request's LIFETIME (RFC 8656 §8.1): 0 deletes the allocation.
void AddRefreshAttributes(net::Duration lifetime,
                          stun::MessageBuilder& builder);

// What an Allocate success response says (RFC 8656 §7.3).
struct AllocateSuccess {
  // One address, or one per family for a dual allocation; peers are reached
  // over UDP, so they carry TransportProtocol::kUdp.
  std::vector<net::TransportAddress> relayed;
  // The client's address as the server saw it, with the client-server
  // protocol.
  std::optional<net::TransportAddress> mapped;
  net::Duration lifetime;
  std::optional<uint64_t> reservation_token;
  std::optional<AddressFamilyError> address_error;
};

// InvalidArgument when the response has no XOR-RELAYED-ADDRESS, more than
// two, two of one family, or a malformed one of the attributes above. A
// missing LIFETIME counts as the default lifetime.
absl::StatusOr<AllocateSuccess> ParseAllocateSuccess(
    const stun::MessageView& response, net::TransportProtocol protocol);

// The LIFETIME of a Refresh success response (the default when absent),
// capped at kMaxTrackedLifetime; InvalidArgument when malformed.
absl::StatusOr<net::Duration> ParseLifetime(const stun::MessageView& response);

// ALTERNATE-SERVER of a 300 (Try Alternate) answer, with the protocol of the
// server that sent it (RFC 8489 §10: the alternate speaks the same
// transport).
std::optional<net::TransportAddress> ParseAlternateServer(
    const stun::MessageView& response, net::TransportProtocol protocol);

// The ERROR-CODE of the response a failed request ended with, or 0 when it
// ended without one (a timeout, a local failure).
int ErrorCodeOf(const stun::StunClient::Event& event);

// The status of a failed request, for events: "`what`: 403 Forbidden from
// 198.51.100.1:3478/udp" for an error response (the server's own reason, or
// the standard phrase when it gave none), "`what`: " and StunClient's message
// otherwise. The code is StunClient's (FailedPrecondition, Unauthenticated,
// DeadlineExceeded).
absl::Status DescribeFailure(absl::string_view what,
                             const stun::StunClient::Event& event,
                             const net::TransportAddress& server);

// A Send indication (RFC 8656 §11.1): XOR-PEER-ADDRESS, DATA, and
// DONT-FRAGMENT when asked. InvalidArgument when `data` does not fit.
absl::StatusOr<std::vector<uint8_t>> BuildSendIndication(
    const stun::TransactionId& id, const net::TransportAddress& peer,
    absl::Span<const uint8_t> data, bool dont_fragment);

// A Data indication's peer and data (RFC 8656 §11.4), viewing `indication`.
struct DataIndication {
  net::TransportAddress peer;  // Over UDP.
  absl::Span<const uint8_t> data;
};

// InvalidArgument when XOR-PEER-ADDRESS or DATA is missing or malformed, or
// when it carries ICMP instead (RFC 8656 §11.6: an error report, not data).
absl::StatusOr<DataIndication> ParseDataIndication(
    const stun::MessageView& indication);

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_CLIENT_MESSAGES_H_
