// `BindingServer`: the sans-IO core of a STUN Binding server (RFC 8489 §6.3),
// with RFC 5780 behaviour discovery and optional short-term authentication
// (RFC 8489 §9.1).
//
// Run loop (the five verbs of STYLE.md rule 1): hand every received datagram
// to `HandleDatagram`, then drain `PollTransmit` and `PollEvent`, then wait
// until `NextTimeout` (always nullopt: the server keeps no timers) or the
// next datagram. A driver binds one UDP socket per `LocalAddresses()` entry,
// passes each datagram with its source and the local address it arrived on
// (`DatagramView::destination`), and sends every transmitted datagram from
// the socket whose local address equals `Datagram::source`.
//
// What it answers, in order (stun/server/README.md has the details):
// - Nothing to what is not a well-formed STUN message, to responses, to
//   methods other than Binding, to a wrong FINGERPRINT (RFC 8489 §6.3), and
//   to anything that would make it send to itself. Binding indications are
//   consumed silently.
// - 400 to a Binding request whose attributes are malformed; 400 or 401 when
//   short-term authentication is on and the request fails it (RFC 8489
//   §9.1.3); 420 listing unknown comprehension-required attributes
//   (RFC 8489 §6.3.1), RFC 5780's among them when it is not configured.
// - Otherwise a success response: MAPPED-ADDRESS and XOR-MAPPED-ADDRESS of
//   the request's source, SOFTWARE, with RFC 5780 RESPONSE-ORIGIN,
//   OTHER-ADDRESS and PADDING, MESSAGE-INTEGRITY(-SHA256) when authenticated
//   and FINGERPRINT when the request carried one.
//
// Outputs are bounded: at most kMaxQueuedTransmits datagrams wait (a request
// arriving when the queue is full is dropped and counted) and at most
// kMaxQueuedEvents events (the oldest is discarded and counted).
//
// Single-threaded; time is only what the caller passes in. Responses are
// built in one reused MessageBuilder, so a success response costs one
// allocation: its datagram's payload.
#ifndef PINHOLE_STUN_SERVER_BINDING_SERVER_H_
#define PINHOLE_STUN_SERVER_BINDING_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/server/binding_server_config.h"  // IWYU pragma: export
#include "stun/server/bounded_queue.h"
#include "stun/server/short_term_credentials.h"

namespace pinhole::stun {

class BindingServer {
 public:
  static constexpr size_t kMaxQueuedTransmits = 1024;
  static constexpr size_t kMaxQueuedEvents = 1024;

  // One per datagram handled, for logging.
  struct Event {
    enum class Kind : uint8_t {
      kAnswered,       // A success response was queued.
      kErrorResponse,  // An error response was queued.
      kDropped,        // Nothing was sent; `reason` says why.
      kIndication,     // A Binding indication, consumed without an answer.
    };
    Kind kind = Kind::kDropped;
    net::TransportAddress source;       // The datagram's source: the client.
    net::TransportAddress destination;  // The local address it arrived on.
    // kAnswered and kErrorResponse: where the response goes from and to.
    net::TransportAddress response_source;
    net::TransportAddress response_destination;
    int error_code = 0;  // kErrorResponse: 400, 401 or 420.
    std::string reason;  // Empty for kAnswered and kIndication.
  };

  // Every datagram counts in exactly one of successes, errors, indications
  // and dropped.
  struct Stats {
    uint64_t datagrams = 0;    // Handed to HandleDatagram.
    uint64_t requests = 0;     // Binding requests among them, RFC 3489 too.
    uint64_t successes = 0;    // Success responses queued.
    uint64_t errors = 0;       // Error responses queued, of any code:
    uint64_t errors_400 = 0;   //   Bad Request,
    uint64_t errors_401 = 0;   //   Unauthenticated,
    uint64_t errors_420 = 0;   //   Unknown Attribute.
    uint64_t indications = 0;  // Binding indications consumed.
    uint64_t dropped = 0;      // Answered with nothing.
    uint64_t dropped_queue_full = 0;  // Of `dropped`: transmit queue full.
    uint64_t events_discarded = 0;    // Events lost to a full event queue.
  };

  // InvalidArgument naming the problem when `config` is not valid (see
  // BindingServerConfig).
  static absl::StatusOr<BindingServer> Create(BindingServerConfig config);

  // The transport addresses served: 1, or 4 with RFC 5780 (P.ip:P.port,
  // P.ip:A.port, A.ip:P.port, A.ip:A.port). Bind a socket on each.
  std::vector<net::TransportAddress> LocalAddresses() const;

  // One received datagram; `datagram.destination` is the local address it
  // arrived on. Queues at most one response, and exactly one event.
  void HandleDatagram(net::Time now, const net::DatagramView& datagram);
  // The server has no timers; kept for the run-loop contract.
  void HandleTimeout(net::Time now);

  // The next response to send, from `source` (one of LocalAddresses()) to
  // `destination`.
  std::optional<net::Datagram> PollTransmit();
  std::optional<Event> PollEvent();
  // Always nullopt: nothing happens without a datagram.
  std::optional<net::Time> NextTimeout() const;

  const Stats& stats() const { return stats_; }

 private:
  // How a response is protected (RFC 8489 §9.1.3): by the key that
  // authenticated the request, with the request's algorithm.
  struct ResponseIntegrity {
    const IntegrityKey* key = nullptr;  // Null: no MESSAGE-INTEGRITY.
    bool sha256 = false;
    size_t sha256_length = kMessageIntegritySha256MaxSize;
  };
  // Where a success response goes.
  struct Route {
    int from = 0;  // Index into addresses_.
    net::TransportAddress to;
  };
  // A request that cannot be answered with success.
  struct Refusal {
    int error_code = 0;  // 0: drop without an answer.
    absl::string_view reason;
  };

  // What a queued response says, for the event and the counters.
  struct Answer {
    int error_code = 0;  // 0: success.
    absl::string_view reason;
    absl::string_view detail;
  };

  BindingServer(BindingServerConfig config, ShortTermCredentials credentials);

  // The steps of HandleDatagram, each ending in exactly one Send or Drop.
  void HandleMessage(const net::DatagramView& datagram, int arrival,
                     const MessageView& message);
  void HandleRequest(const net::DatagramView& datagram, int arrival,
                     const MessageView& request);
  void HandleMalformedRequest(const net::DatagramView& datagram, int arrival,
                              absl::string_view detail);

  // RFC 8489 §9.1.3. Nullopt when the request may proceed (with `integrity`
  // set when authentication is on).
  std::optional<Refusal> Authenticate(const MessageView& request,
                                      ResponseIntegrity& integrity) const;
  // Unknown comprehension-required attributes into `unknown` (room for
  // MessageView::kMaxUnknownReported + 3); their count.
  size_t UnknownAttributes(const MessageView& request, uint16_t* unknown) const;
  // RFC 5780 §6.1: the address to answer from and the one to answer to.
  std::optional<Refusal> ChooseRoute(const net::DatagramView& datagram,
                                     int arrival, const MessageView& request,
                                     Route& route) const;

  // Writers of builder_.
  void BuildSuccess(const MessageView& request,
                    const net::TransportAddress& client, int arrival,
                    const Route& route, const ResponseIntegrity& integrity);
  // SOFTWARE, padded with spaces to a multiple of 4 for classic clients.
  void AddSoftware(bool classic);
  void AddPadding(size_t requested);
  void Close(const MessageView& request, const ResponseIntegrity& integrity);

  // Builds an error response to `request` and sends it back the way the
  // request came.
  void SendError(const net::DatagramView& datagram, int arrival,
                 const MessageView& request, int error_code,
                 absl::string_view reason, const ResponseIntegrity& integrity,
                 absl::Span<const uint16_t> unknown = {});
  // Queues builder_'s message from addresses_.at(from) to `to`, counts it
  // and records its event. For an RFC 3489 request (`rfc3489`) the request's
  // bytes 4-7 replace the magic cookie (RFC 8489 §12.2).
  void Send(const net::DatagramView& datagram, int from,
            const net::TransportAddress& to, const Answer& answer,
            bool rfc3489);
  void Drop(const net::DatagramView& datagram, absl::string_view reason,
            absl::string_view detail = {});
  void PushEvent(Event event);

  BindingServerConfig config_;
  BindingServerAddresses addresses_;
  ShortTermCredentials credentials_;
  MessageBuilder builder_;
  BoundedQueue<net::Datagram> transmits_{kMaxQueuedTransmits};
  BoundedQueue<Event> events_{kMaxQueuedEvents};
  Stats stats_;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_SERVER_BINDING_SERVER_H_
