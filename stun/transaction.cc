#include "stun/transaction.h"

#include <utility>

#include "absl/status/status.h"
#include "net/transport_address.h"

namespace pinhole::stun {

absl::Status RetransmissionOptions::Validate() const {
  if (initial_rto <= net::Duration::Zero()) {
    return absl::InvalidArgumentError("the initial RTO must be positive");
  }
  if (reliable_timeout <= net::Duration::Zero()) {
    return absl::InvalidArgumentError(
        "the reliable-transport timeout (Ti) must be positive");
  }
  if (max_sends < 1) {
    return absl::InvalidArgumentError("Rc (max sends) must be at least 1");
  }
  if (final_wait_factor < 1) {
    return absl::InvalidArgumentError("Rm must be at least 1");
  }
  return absl::OkStatus();
}

ClientTransaction::ClientTransaction(net::Time now, net::Datagram request,
                                     const RetransmissionOptions& options)
    : request_(std::move(request)),
      options_(options),
      reliable_(request_.destination.protocol() !=
                net::TransportProtocol::kUdp),
      rto_(options.initial_rto),
      deadline_(now) {}

void ClientTransaction::HandleTimeout(net::Time now) {
  if (state_ != State::kWaiting || send_due_ || now < deadline_) return;
  const bool all_sent = reliable_ || stopped_ || sends_ >= options_.max_sends;
  if (all_sent) {
    state_ = State::kTimedOut;
    return;
  }
  send_due_ = true;
}

std::optional<net::Datagram> ClientTransaction::PollTransmit() {
  if (state_ != State::kWaiting || !send_due_) return std::nullopt;
  send_due_ = false;
  ++sends_;
  // `deadline_` is when this send was due; the next event counts from there,
  // so a late HandleTimeout does not stretch the schedule.
  if (reliable_) {
    deadline_ += options_.reliable_timeout;
  } else if (sends_ >= options_.max_sends) {
    // RFC 8489 §6.2.1: Rm times the initial RTO (31.5 s + 16 x 500 ms).
    deadline_ += options_.initial_rto * options_.final_wait_factor;
  } else {
    deadline_ += rto_;
    rto_ = rto_ * 2;
  }
  return request_;
}

void ClientTransaction::StopRetransmitting() {
  if (state_ != State::kWaiting || reliable_ || stopped_) return;
  stopped_ = true;
  if (send_due_) {
    // The due send never goes out; the schedule ends as if it had.
    send_due_ = false;
  }
  if (sends_ >= options_.max_sends) return;  // `deadline_` is the failure.
  // `deadline_` is the instant of send number `sends_ + 1`; add the gaps
  // after it and the final wait, as PollTransmit would have.
  net::Duration rto = rto_;
  for (int send = sends_ + 1; send < options_.max_sends; ++send) {
    deadline_ += rto;
    rto = rto * 2;
  }
  deadline_ += options_.initial_rto * options_.final_wait_factor;
}

std::optional<net::Time> ClientTransaction::NextTimeout() const {
  if (state_ != State::kWaiting) return std::nullopt;
  return deadline_;
}

}  // namespace pinhole::stun
