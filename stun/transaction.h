// `ClientTransaction`: the timing of one STUN client transaction (RFC 8489
// §6.2): when the request goes out, when it goes out again, and when the
// client gives up. It does not read messages; `StunClient` (client.h) matches
// responses and calls `Complete()`.
//
// Over UDP (RFC 8489 §6.2.1) the request is sent at once and again after RTO,
// 2 RTO, 4 RTO, ... (the interval doubles) until `max_sends` (Rc) requests
// have gone out; the transaction then fails `final_wait_factor` (Rm) times
// RTO after the last send. With the defaults (RTO 500 ms, Rc 7, Rm 16) the
// sends are at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and the failure at
// 39.5 s.
//
// Over TCP or TLS (RFC 8489 §6.2.2) the request is sent once and the
// transaction fails after `reliable_timeout` (Ti, 39.5 s).
//
// Sans-IO: time comes in as `now` on every call; nothing here reads a clock.
#ifndef PINHOLE_STUN_TRANSACTION_H_
#define PINHOLE_STUN_TRANSACTION_H_

#include <optional>

#include "absl/status/status.h"
#include "net/datagram.h"
#include "net/time.h"

namespace pinhole::stun {

struct RetransmissionOptions {
  net::Duration initial_rto = net::Duration::Milliseconds(500);         // RTO
  int max_sends = 7;                                                    // Rc
  int final_wait_factor = 16;                                           // Rm
  net::Duration reliable_timeout = net::Duration::Milliseconds(39500);  // Ti

  // InvalidArgument unless RTO and Ti are positive, Rc >= 1 and Rm >= 1.
  absl::Status Validate() const;
};

class ClientTransaction {
 public:
  enum class State { kWaiting, kCompleted, kTimedOut };

  // Starts the transaction at `now`: the first send is due at once. The
  // request is reliable (sent once) when its destination's protocol is TCP or
  // TLS. `options` must be valid.
  ClientTransaction(net::Time now, net::Datagram request,
                    const RetransmissionOptions& options);

  State state() const { return state_; }
  const net::Datagram& request() const { return request_; }
  bool reliable() const { return reliable_; }
  // Requests handed out by PollTransmit so far.
  int sends() const { return sends_; }

  // Advances to `now`: a due retransmission becomes ready for PollTransmit;
  // past the last deadline the transaction times out.
  void HandleTimeout(net::Time now);

  // The request, when a send is due (at start and at each retransmission).
  std::optional<net::Datagram> PollTransmit();

  // The instant this transaction next needs HandleTimeout, or nullopt when it
  // is over.
  std::optional<net::Time> NextTimeout() const;

  // A matching response arrived: no more sends, no timeout.
  void Complete() { state_ = State::kCompleted; }

  // Cancels the transaction the way RFC 8445 §7.3.1.4 cancels an in-progress
  // connectivity check: no more retransmissions, but a response still counts
  // until the instant the full schedule would have timed out. Nothing
  // changes over TCP or TLS (one send already) or once the transaction ended.
  void StopRetransmitting();

 private:
  const net::Datagram request_;
  const RetransmissionOptions options_;
  const bool reliable_;
  State state_ = State::kWaiting;
  int sends_ = 0;
  bool send_due_ = true;
  bool stopped_ = false;  // StopRetransmitting() was called.
  net::Duration rto_;
  // The next retransmission, or the failure when all sends are out.
  net::Time deadline_;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_TRANSACTION_H_
