#include "turn/client.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "stun/demux.h"
#include "stun/error_code.h"
#include "stun/message.h"
#include "stun/message_type.h"
#include "turn/client_messages.h"

namespace pinhole::turn {
namespace {

using PermissionState = ClientPeers::PermissionState;
using ChannelState = ClientPeers::ChannelState;

bool IsStream(net::TransportProtocol protocol) {
  return protocol != net::TransportProtocol::kUdp;
}

// RFC 8656 §8: refresh "roughly 1 minute before" expiry. A lifetime under
// two minutes would leave less than a minute for the first refresh, so those
// are refreshed halfway instead.
net::Duration RefreshAfter(net::Duration lifetime) {
  if (lifetime >= net::Duration::Minutes(2)) {
    return lifetime - net::Duration::Minutes(1);
  }
  return lifetime / 2;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TurnClient>> TurnClient::Create(
    net::Random& random, TurnClientConfig config) {
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return absl::WrapUnique(new TurnClient(random, std::move(config)));
}

TurnClient::TurnClient(net::Random& random, TurnClientConfig config)
    : random_(random), config_(std::move(config)), stun_(random) {}

// --- Requests.

absl::StatusOr<TurnClient::RequestId> TurnClient::Start(
    net::Time now, stun::Method method, Pending pending,
    absl::AnyInvocable<void(stun::MessageBuilder&)> add_attributes) {
  stun::StunClient::Request request;
  request.local = config_.local;
  request.server = config_.server;
  request.method = method;
  request.add_attributes = std::move(add_attributes);
  if (!config_.credential.username.empty()) {
    request.long_term = config_.credential;
  }
  request.software = config_.software;
  request.retransmission = config_.retransmission;
  absl::StatusOr<RequestId> id = stun_.Start(now, std::move(request));
  if (!id.ok()) return id.status();
  pending.started = now;
  pending_.insert_or_assign(*id, std::move(pending));
  // Queued at once, so that data sent next goes out after the request.
  DrainStunTransmits();
  return *id;
}

bool TurnClient::UnderWay() const {
  return state_ == State::kAllocating || state_ == State::kAllocated ||
         state_ == State::kReleasing;
}

absl::Status TurnClient::SetLocalAddress(const net::TransportAddress& local) {
  if (UnderWay()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot move the allocation on ",
                     config_.server.ToString(), " to ", local.ToString()));
  }
  TurnClientConfig config = config_;
  config.local = local;
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  config_ = std::move(config);
  return absl::OkStatus();
}

absl::Status TurnClient::Allocate(net::Time now) {
  if (UnderWay()) {
    return absl::FailedPreconditionError(absl::StrCat("an allocation on ",
                                                      config_.server.ToString(),
                                                      " is already under way"));
  }
  if (!IsStream(config_.local.protocol()) && config_.local.port() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("over UDP the local address must be the bound socket's, "
                     "not ",
                     config_.local.ToString(), " (see SetLocalAddress)"));
  }
  for (const auto& [id, pending] : pending_) {
    if (pending.kind == Pending::Kind::kCleanup) {
      // Its retransmissions could delete the new allocation.
      return absl::FailedPreconditionError(
          "the previous allocation is still being deleted");
    }
  }
  ResetAllocation();
  relayed_.clear();
  mapped_.reset();
  lifetime_ = net::Duration::Zero();
  release_requested_ = false;
  last_refresh_failure_ = absl::OkStatus();
  absl::StatusOr<RequestId> id =
      Start(now, stun::Method::kAllocate, Pending{Pending::Kind::kAllocate},
            [this](stun::MessageBuilder& builder) {
              AddAllocateAttributes(config_, builder);
            });
  if (!id.ok()) return id.status();
  state_ = State::kAllocating;
  return absl::OkStatus();
}

void TurnClient::StartRefresh(net::Time now) {
  // Ask for the lifetime configured, else for the one granted: without
  // LIFETIME the server would fall back to its default (RFC 8656 §8.1).
  const std::optional<net::Duration> lifetime =
      config_.requested_lifetime.has_value() ? config_.requested_lifetime
      : lifetime_ >= net::Duration::Seconds(1)
          ? std::optional<net::Duration>(lifetime_)
          : std::nullopt;
  absl::StatusOr<RequestId> id =
      Start(now, stun::Method::kRefresh, Pending{Pending::Kind::kRefresh},
            [lifetime](stun::MessageBuilder& builder) {
              if (lifetime.has_value())
                AddRefreshAttributes(*lifetime, builder);
            });
  if (!id.ok()) {
    last_refresh_failure_ = id.status();
    refresh_at_ = now + kRefreshRetryDelay;
    return;
  }
  refresh_request_ = *id;
}

void TurnClient::StartRelease(net::Time now, Pending::Kind kind) {
  absl::StatusOr<RequestId> id =
      Start(now, stun::Method::kRefresh, Pending{kind},
            [](stun::MessageBuilder& builder) {
              AddRefreshAttributes(net::Duration::Zero(), builder);
            });
  if (kind != Pending::Kind::kRelease) return;
  state_ = State::kReleasing;
  if (!id.ok()) FinishRelease(id.status());
}

void TurnClient::Release(net::Time now) {
  if (state_ == State::kAllocating) {
    release_requested_ = true;
  } else if (state_ == State::kAllocated) {
    ResetAllocation();
    StartRelease(now, Pending::Kind::kRelease);
  }
}

// --- Outcomes.

void TurnClient::DrainStunTransmits() {
  while (std::optional<net::Datagram> datagram = stun_.PollTransmit()) {
    transmits_.push_back(Transmit{*std::move(datagram), false});
  }
}

void TurnClient::DrainStunClient(net::Time now) {
  DrainStunTransmits();
  while (std::optional<stun::StunClient::Event> event = stun_.PollEvent()) {
    const auto it = pending_.find(event->id);
    if (it == pending_.end()) continue;
    const Pending pending = std::move(it->second);
    pending_.erase(it);
    OnRequestDone(now, pending, *event);
  }
}

void TurnClient::OnRequestDone(net::Time now, const Pending& pending,
                               const stun::StunClient::Event& event) {
  switch (pending.kind) {
    case Pending::Kind::kAllocate:
      return OnAllocateDone(now, pending, event);
    case Pending::Kind::kRefresh:
      return OnRefreshDone(now, pending, event);
    case Pending::Kind::kRelease: {
      // RFC 8656 §8.3: a 437 to a deletion means it is gone already.
      const bool gone = event.status.ok() ||
                        ErrorCodeOf(event) == stun::error::kAllocationMismatch;
      return FinishRelease(gone ? absl::OkStatus()
                                : DescribeFailure("release not confirmed",
                                                  event, config_.server));
    }
    case Pending::Kind::kCleanup:
      return;
    case Pending::Kind::kPermission:
      return OnPermissionDone(pending, event);
    case Pending::Kind::kChannel:
      return OnChannelDone(now, pending, event);
  }
}

void TurnClient::OnAllocateDone(net::Time now, const Pending& pending,
                                const stun::StunClient::Event& event) {
  if (state_ != State::kAllocating) return;
  if (event.status.ok()) return OnAllocated(now, pending, event);
  state_ = State::kFailed;
  if (release_requested_) return FinishRequestedRelease();
  Event failed;
  failed.kind = Event::Kind::kAllocateFailed;
  failed.error_code = ErrorCodeOf(event);
  failed.status = DescribeFailure("allocate failed", event, config_.server);
  if (failed.error_code == stun::error::kTryAlternate) {
    failed.alternate_server =
        ParseAlternateServer(event.response->view(), config_.server.protocol());
    if (failed.alternate_server.has_value()) {
      failed.status =
          absl::Status(failed.status.code(),
                       absl::StrCat(failed.status.message(), "; try ",
                                    failed.alternate_server->ToString()));
    }
  }
  Emit(std::move(failed));
}

void TurnClient::OnAllocated(net::Time now, const Pending& pending,
                             const stun::StunClient::Event& event) {
  absl::StatusOr<AllocateSuccess> success =
      ParseAllocateSuccess(event.response->view(), config_.server.protocol());
  if (!success.ok()) {
    // RFC 8656 §7.3: an allocation the client cannot use is deleted.
    state_ = State::kFailed;
    StartRelease(now, Pending::Kind::kCleanup);
    if (release_requested_) return FinishRequestedRelease();
    Event failed;
    failed.kind = Event::Kind::kAllocateFailed;
    failed.status = absl::InvalidArgumentError(absl::StrCat(
        "allocate failed: unusable success response from ",
        config_.server.ToString(), ": ", success.status().message()));
    return Emit(std::move(failed));
  }
  relayed_ = success->relayed;
  mapped_ = success->mapped;
  SetLifetime(pending.started, success->lifetime);
  state_ = State::kAllocated;
  if (release_requested_) {
    release_requested_ = false;
    return StartRelease(now, Pending::Kind::kRelease);
  }
  Event allocated;
  allocated.kind = Event::Kind::kAllocated;
  allocated.relayed = relayed_;
  allocated.mapped = mapped_;
  allocated.lifetime = lifetime_;
  allocated.reservation_token = success->reservation_token;
  allocated.address_error = std::move(success->address_error);
  Emit(std::move(allocated));
}

// The server set its expiry when it received the request, no earlier than
// `started`: counting from there errs on the safe side.
void TurnClient::SetLifetime(net::Time started, net::Duration lifetime) {
  lifetime_ = lifetime;
  expires_at_ = started + lifetime;
  refresh_at_ = started + RefreshAfter(lifetime);
}

void TurnClient::OnRefreshDone(net::Time now, const Pending& pending,
                               const stun::StunClient::Event& event) {
  if (state_ != State::kAllocated || refresh_request_ != event.id) return;
  refresh_request_.reset();
  absl::Status failure;
  if (event.status.ok()) {
    absl::StatusOr<net::Duration> lifetime =
        ParseLifetime(event.response->view());
    if (lifetime.ok()) {
      SetLifetime(pending.started, *lifetime);
      Event refreshed;
      refreshed.kind = Event::Kind::kRefreshed;
      refreshed.lifetime = lifetime_;
      Emit(std::move(refreshed));
      if (now >= expires_at_) {
        Lose(absl::FailedPreconditionError(absl::StrCat(
            "allocation lost: ", config_.server.ToString(),
            " refreshed it with lifetime ", lifetime_.ToString())));
      }
      return;
    }
    failure = absl::InvalidArgumentError(absl::StrCat(
        "refresh failed: malformed LIFETIME from ", config_.server.ToString(),
        ": ", lifetime.status().message()));
  } else if (ErrorCodeOf(event) == stun::error::kAllocationMismatch) {
    // RFC 8656 §8.3: the allocation no longer exists.
    return Lose(DescribeFailure("allocation lost", event, config_.server));
  } else {
    failure = DescribeFailure("refresh failed", event, config_.server);
  }
  last_refresh_failure_ = failure;
  if (now >= expires_at_) return Lose(ExpiredStatus());
  refresh_at_ = now + kRefreshRetryDelay;
}

absl::Status TurnClient::ExpiredStatus() const {
  std::string message =
      absl::StrCat("allocation lost: it expired without a successful refresh");
  if (!last_refresh_failure_.ok()) {
    absl::StrAppend(&message, " (", last_refresh_failure_.message(), ")");
  }
  return absl::DeadlineExceededError(message);
}

// --- Endings.

void TurnClient::ResetAllocation() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    const Pending::Kind kind = it->second.kind;
    if (kind == Pending::Kind::kRelease || kind == Pending::Kind::kCleanup) {
      ++it;
      continue;
    }
    stun_.Cancel(it->first);
    it = pending_.erase(it);
  }
  refresh_request_.reset();
  peers_ = ClientPeers();
}

void TurnClient::Lose(absl::Status status) {
  ResetAllocation();
  state_ = State::kLost;
  Event lost;
  lost.kind = Event::Kind::kAllocationLost;
  lost.status = std::move(status);
  Emit(std::move(lost));
}

void TurnClient::FinishRelease(absl::Status status) {
  if (state_ != State::kReleasing) return;
  state_ = State::kReleased;
  Event released;
  released.kind = Event::Kind::kReleased;
  released.status = std::move(status);
  Emit(std::move(released));
}

// Release() during the Allocate, which then failed: nothing is left to
// delete.
void TurnClient::FinishRequestedRelease() {
  release_requested_ = false;
  state_ = State::kReleasing;
  FinishRelease(absl::OkStatus());
}

// --- The five verbs.

bool TurnClient::FromServer(const net::TransportAddress& source) const {
  // Compared without the protocol's name: a stream driver may call a TLS
  // connection's remote TCP.
  return source.ip() == config_.server.ip() &&
         source.port() == config_.server.port() &&
         IsStream(source.protocol()) == IsStream(config_.server.protocol());
}

bool TurnClient::LocalMatches(const net::TransportAddress& destination) const {
  const net::TransportAddress& local = config_.local;
  return IsStream(destination.protocol()) == IsStream(local.protocol()) &&
         destination.family() == local.family() &&
         (local.port() == 0 || destination.port() == local.port()) &&
         (local.ip().IsUnspecified() || destination.ip() == local.ip());
}

bool TurnClient::HandleDatagram(net::Time now,
                                const net::DatagramView& datagram) {
  if (!FromServer(datagram.source) || !LocalMatches(datagram.destination)) {
    return false;
  }
  switch (stun::Classify(datagram.payload)) {
    case stun::PacketKind::kStun: {
      if (stun_.HandleDatagram(now, datagram)) {
        DrainStunClient(now);
        return true;
      }
      absl::StatusOr<stun::MessageView> message =
          stun::MessageView::Parse(datagram.payload);
      if (!message.ok() || message->is_rfc3489() ||
          message->method() != stun::Method::kData ||
          message->message_class() != stun::MessageClass::kIndication) {
        return false;
      }
      HandleDataIndication(*message);
      return true;
    }
    case stun::PacketKind::kTurnChannelData:
      HandleChannelData(datagram.payload);
      return true;
    default:
      return false;
  }
}

void TurnClient::HandleConnectionClosed(net::Time /*now*/,
                                        const net::TransportAddress& remote) {
  if (!IsStream(config_.server.protocol()) || !FromServer(remote)) return;
  for (const auto& [id, pending] : pending_) stun_.Cancel(id);
  pending_.clear();
  // What waits would open a new connection that no allocation backs.
  transmits_.clear();
  queued_data_ = 0;
  const std::string why =
      absl::StrCat("the connection to ", config_.server.ToString(), " closed");
  switch (state_) {
    case State::kAllocating:
      state_ = State::kFailed;
      if (release_requested_) return FinishRequestedRelease();
      {
        Event failed;
        failed.kind = Event::Kind::kAllocateFailed;
        failed.status =
            absl::UnavailableError(absl::StrCat("allocate failed: ", why));
        Emit(std::move(failed));
      }
      return;
    case State::kAllocated:
      return Lose(
          absl::UnavailableError(absl::StrCat("allocation lost: ", why)));
    case State::kReleasing:
      // The allocation went with its connection: released all the same.
      return FinishRelease(absl::OkStatus());
    default:
      return;
  }
}

void TurnClient::HandleTimeout(net::Time now) {
  // Expiry first: a retransmission due at the same instant is pointless.
  if (state_ == State::kAllocated && now >= expires_at_) {
    Lose(ExpiredStatus());
  }
  stun_.HandleTimeout(now);
  DrainStunClient(now);
  if (state_ != State::kAllocated) return;
  if (!refresh_request_.has_value() && now >= refresh_at_) StartRefresh(now);
  RefreshDuePeers(now);
}

std::optional<net::Datagram> TurnClient::PollTransmit() {
  if (transmits_.empty()) return std::nullopt;
  Transmit transmit = std::move(transmits_.front());
  transmits_.pop_front();
  if (transmit.data) --queued_data_;
  return std::move(transmit.datagram);
}

std::optional<TurnClient::Event> TurnClient::PollEvent() {
  if (events_.empty()) return std::nullopt;
  Event event = std::move(events_.front());
  events_.pop_front();
  if (event.kind == Event::Kind::kData) --queued_data_events_;
  return event;
}

std::optional<net::Time> TurnClient::NextTimeout() const {
  std::optional<net::Time> earliest = stun_.NextTimeout();
  const auto keep = [&earliest](net::Time t) {
    if (!earliest.has_value() || t < *earliest) earliest = t;
  };
  if (state_ == State::kAllocated) {
    keep(expires_at_);
    if (!refresh_request_.has_value()) keep(refresh_at_);
    if (const std::optional<net::Time> peers = peers_.NextRefresh()) {
      keep(*peers);
    }
  }
  return earliest;
}

// --- Accessors.

std::optional<net::TransportAddress> TurnClient::relayed_address(
    net::AddressFamily family) const {
  for (const net::TransportAddress& address : relayed_) {
    if (address.family() == family) return address;
  }
  return std::nullopt;
}

std::optional<net::Time> TurnClient::expiry() const {
  if (state_ != State::kAllocated) return std::nullopt;
  return expires_at_;
}

std::optional<net::Time> TurnClient::next_refresh() const {
  if (state_ != State::kAllocated || refresh_request_.has_value()) {
    return std::nullopt;
  }
  return refresh_at_;
}

}  // namespace pinhole::turn
