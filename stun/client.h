// `StunClient`: STUN requests from one client, as a sans-IO engine (see
// STYLE.md rule 1 and DESIGN.md "Protocol cores are sans-IO"). Each request
// runs as a `ClientTransaction` (RFC 8489 §6.2: retransmission over UDP, one
// send and a 39.5 s timeout over TCP); the client matches responses to
// requests by transaction ID and method, checks FINGERPRINT and, for
// authenticated requests, MESSAGE-INTEGRITY, and follows the long-term
// credential mechanism (RFC 8489 §9.2): a 401 answer with REALM and NONCE is
// retried once with USERNAME (or USERHASH), REALM, NONCE and integrity, a
// 438 (Stale Nonce) answer is retried with the new NONCE, and what it learned
// (realm, nonce, password algorithm) is reused for later requests to the same
// server.
//
// Run loop, as for every Pinhole engine: call `Start`, `HandleDatagram` or
// `HandleTimeout`; then drain `PollTransmit` (send each datagram from its
// `source` to its `destination`) and `PollEvent`; then wait until
// `NextTimeout`. A request whose destination is TCP or TLS is reliable: its
// transmits are the bytes to write on the stream to that server, and
// `HandleDatagram` takes one whole message read from it.
//
// Randomness (transaction IDs) comes only from the `net::Random` given at
// construction, which must outlive the client. One thread.
#ifndef PINHOLE_STUN_CLIENT_H_
#define PINHOLE_STUN_CLIENT_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/datagram.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/transaction.h"

namespace pinhole::stun {

// A long-term credential (RFC 8489 §9.2), as TURN uses.
struct LongTermCredential {
  std::string username;
  std::string password;
};

// A short-term credential (RFC 8489 §9.1), as ICE uses: USERNAME and the key
// (IntegrityKey::ShortTerm of the password).
struct ShortTermCredential {
  std::string username;
  IntegrityKey key;
};

class StunClient {
 public:
  using RequestId = uint64_t;

  struct Request {
    // The local transport address to send from (the driver's socket) and the
    // server's. Their protocol decides the transport (UDP is unreliable).
    net::TransportAddress local;
    net::TransportAddress server;
    Method method = Method::kBinding;
    // Adds the request's own attributes; called for every message the
    // request sends (a retry after 401 is a new message), before the
    // authentication attributes. May be empty.
    absl::AnyInvocable<void(MessageBuilder&)> add_attributes;
    // At most one of the two.
    std::optional<LongTermCredential> long_term;
    std::optional<ShortTermCredential> short_term;
    // SOFTWARE, when not empty.
    std::string software;
    bool fingerprint = true;
    RetransmissionOptions retransmission;
  };

  // A response as it arrived; `view()` parses it (it parsed once already).
  struct Response {
    net::TransportAddress source;       // Where it came from.
    net::TransportAddress destination;  // Where it arrived.
    std::vector<uint8_t> bytes;
    MessageView view() const;
  };

  // The end of one request. `status` is OK for a success response. For an
  // error response it is FailedPrecondition naming the code and reason (and
  // `response` holds the message, with its ERROR-CODE); a timeout is
  // DeadlineExceeded with no response; a failed authentication is
  // Unauthenticated.
  struct Event {
    RequestId id = 0;
    absl::Status status;
    std::optional<Response> response;
    // The transaction ID of the last message the request sent.
    TransactionId transaction_id{};
  };

  explicit StunClient(net::Random& random) : random_(random) {}
  StunClient(const StunClient&) = delete;
  StunClient& operator=(const StunClient&) = delete;

  // Starts a request at `now`; its first send is ready for PollTransmit.
  // InvalidArgument when the request is malformed (addresses of different
  // families or protocols, both credentials, invalid retransmission options,
  // attributes the builder refuses).
  absl::StatusOr<RequestId> Start(net::Time now, Request request);

  // Abandons a request: no more sends and no event. Unknown ids are ignored.
  void Cancel(RequestId id);

  // Stops the retransmissions of request `id` but keeps listening: a response
  // still ends it, and it times out when its full schedule would have (RFC
  // 8445 §7.3.1.4's cancellation of an in-progress check). Unknown ids are
  // ignored.
  void StopRetransmitting(RequestId id);

  // Takes a datagram that arrived at `datagram.destination`. True when it
  // was a response to one of this client's transactions (it is consumed,
  // even when discarded for a bad FINGERPRINT or integrity); false for
  // anything else, which the caller may handle itself.
  bool HandleDatagram(net::Time now, const net::DatagramView& datagram);

  void HandleTimeout(net::Time now);
  std::optional<net::Datagram> PollTransmit();
  std::optional<Event> PollEvent();
  std::optional<net::Time> NextTimeout() const;

  // Requests started and not yet ended.
  size_t pending() const { return pending_.size(); }

  // The transaction ID of the message request `id` sent last, or nullopt when
  // the request has ended.
  std::optional<TransactionId> transaction_id(RequestId id) const;

 private:
  // What a server's 401 or 438 taught: reused for later requests to it.
  struct ServerAuth {
    std::string realm;
    std::string nonce;
    bool sha256 = false;                  // PASSWORD-ALGORITHM SHA-256.
    bool userhash = false;                // Username anonymity.
    std::vector<uint8_t> algorithms_raw;  // PASSWORD-ALGORITHMS to echo.
  };

  struct Pending {
    Request request;
    TransactionId transaction_id{};
    std::optional<ClientTransaction> transaction;
    // Integrity key of the message in flight, when authenticated.
    std::optional<IntegrityKey> key;
    bool used_sha256_integrity = false;
    int unauthorized_retries = 0;
    int stale_nonce_retries = 0;
  };

  absl::Status Send(net::Time now, Pending& pending);
  absl::Status AddLongTermAuth(Pending& pending, MessageBuilder& builder);
  // A response matched to `pending`; false when it must be discarded.
  bool Accept(const MessageView& response, const Pending& pending) const;
  void OnResponse(net::Time now, RequestId id, Pending& pending,
                  const MessageView& response,
                  const net::DatagramView& datagram);
  // A 401 or 438 answer: retries when it can (true), else false.
  bool RetryAuthentication(net::Time now, Pending& pending,
                           const MessageView& response, int code);
  void Finish(RequestId id, absl::Status status,
              std::optional<Response> response);

  net::Random& random_;
  RequestId next_id_ = 1;
  // Ordered containers: iteration order must not depend on addresses or
  // hashes (DESIGN.md, determinism).
  std::map<RequestId, Pending> pending_;
  std::map<net::TransportAddress, ServerAuth> server_auth_;
  std::deque<Event> events_;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_CLIENT_H_
