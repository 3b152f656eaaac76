// `TurnClient`'s relaying: permissions (RFC 8656 §9-§10), channels (§12),
// Send indications and ChannelData out, Data indications and ChannelData in.
// The allocation's life is in client.cc.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/error_code.h"
#include "stun/message.h"
#include "stun/message_type.h"
#include "turn/client.h"
#include "turn/client_messages.h"

namespace pinhole::turn {
namespace {

using PermissionState = ClientPeers::PermissionState;
using ChannelState = ClientPeers::ChannelState;

}  // namespace

absl::Status TurnClient::StartCreatePermission(
    net::Time now, std::vector<net::IpAddress> ips) {
  Pending pending{Pending::Kind::kPermission};
  pending.ips = ips;
  absl::StatusOr<RequestId> id =
      Start(now, stun::Method::kCreatePermission, std::move(pending),
            [ips](stun::MessageBuilder& builder) {
              // RFC 8656 §10.2: the server ignores the port.
              for (const net::IpAddress& ip : ips) {
                builder.Add(stun::XorPeerAddress{net::TransportAddress(ip, 0)});
              }
            });
  for (const net::IpAddress& ip : ips) {
    if (!id.ok()) {
      FailPermission(ip, id.status(), 0);
    } else if (ClientPeers::Permission* permission =
                   peers_.FindPermission(ip)) {
      permission->request = *id;
    }
  }
  return id.status();
}

absl::Status TurnClient::StartChannelBind(net::Time now,
                                          const net::TransportAddress& peer) {
  ClientPeers::Channel* channel = peers_.FindChannel(peer);
  const uint16_t number = channel->number;
  Pending pending{Pending::Kind::kChannel};
  pending.peer = peer;
  absl::StatusOr<RequestId> id =
      Start(now, stun::Method::kChannelBind, std::move(pending),
            [number, peer](stun::MessageBuilder& builder) {
              builder.Add(stun::ChannelNumber{number})
                  .Add(stun::XorPeerAddress{peer});
            });
  if (!id.ok()) {
    FailChannel(peer, id.status(), 0);
    return id.status();
  }
  channel->request = *id;
  if (channel->state != ChannelState::kBound) {
    channel->state = ChannelState::kBinding;
  }
  return absl::OkStatus();
}

void TurnClient::RefreshDuePeers(net::Time now) {
  for (const net::TransportAddress& peer : peers_.DueChannels(now)) {
    StartChannelBind(now, peer).IgnoreError();  // Failure is an event.
  }
  // After the channels: a ChannelBind in flight refreshes its permission.
  const std::vector<net::IpAddress> due = peers_.DuePermissions(now);
  for (size_t first = 0; first < due.size();
       first += kMaxPeersPerCreatePermission) {
    const size_t last =
        std::min(due.size(), first + kMaxPeersPerCreatePermission);
    StartCreatePermission(now, std::vector<net::IpAddress>(due.begin() + first,
                                                           due.begin() + last))
        .IgnoreError();
  }
}

absl::Status TurnClient::CheckPeer(const net::TransportAddress& peer,
                                   bool needs_port) const {
  if (state_ != State::kAllocated) {
    return absl::FailedPreconditionError(
        absl::StrCat("no allocation on ", config_.server.ToString()));
  }
  if (peer.protocol() != net::TransportProtocol::kUdp) {
    return absl::InvalidArgumentError(absl::StrCat(
        "peer ", peer.ToString(), ": TURN relays UDP only (RFC 8656 §3.1)"));
  }
  if (peer.ip().IsUnspecified() || (needs_port && peer.port() == 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("peer ", peer.ToString(), " is not an address"));
  }
  if (!relayed_address(peer.family()).has_value()) {
    // The server would answer 443 (RFC 8656 §10.2).
    return absl::InvalidArgumentError(
        absl::StrCat("peer ", peer.ToString(), ": no ",
                     net::AddressFamilyName(peer.family()),
                     " relayed address to reach it from"));
  }
  return absl::OkStatus();
}

absl::Status TurnClient::CreatePermission(net::Time now,
                                          const net::IpAddress& peer) {
  if (absl::Status ok = CheckPeer(net::TransportAddress(peer, 0), false);
      !ok.ok()) {
    return ok;
  }
  absl::StatusOr<ClientPeers::Permission*> permission =
      peers_.AddPermission(peer);
  if (!permission.ok()) return permission.status();
  ClientPeers::Permission& p = **permission;
  if (p.state == PermissionState::kInstalled || p.request.has_value() ||
      (p.state == PermissionState::kPending && peers_.HasLiveChannel(peer))) {
    return absl::OkStatus();
  }
  p.state = PermissionState::kPending;
  return StartCreatePermission(now, {peer});
}

void TurnClient::RemovePermission(const net::IpAddress& peer) {
  for (const RequestId id : peers_.RemovePermission(peer)) {
    stun_.Cancel(id);
    pending_.erase(id);
  }
}

absl::Status TurnClient::BindChannel(net::Time now,
                                     const net::TransportAddress& peer) {
  if (absl::Status ok = CheckPeer(peer, true); !ok.ok()) return ok;
  absl::StatusOr<ClientPeers::Channel*> channel = peers_.AddChannel(peer);
  if (!channel.ok()) return channel.status();
  if ((*channel)->state == ChannelState::kBinding ||
      (*channel)->state == ChannelState::kBound) {
    return absl::OkStatus();
  }
  return StartBinding(now, peer);
}

absl::Status TurnClient::StartBinding(net::Time now,
                                      const net::TransportAddress& peer) {
  // The ChannelBind installs the permission as well (RFC 8656 §12.1).
  absl::StatusOr<ClientPeers::Permission*> permission =
      peers_.AddPermission(peer.ip());
  if (!permission.ok()) return permission.status();
  if ((*permission)->state != PermissionState::kInstalled) {
    (*permission)->state = PermissionState::kPending;
  }
  return StartChannelBind(now, peer);
}

absl::Status TurnClient::EnsurePermission(net::Time now,
                                          const net::IpAddress& ip) {
  absl::StatusOr<ClientPeers::Permission*> permission =
      peers_.AddPermission(ip);
  if (!permission.ok()) return permission.status();
  ClientPeers::Permission& p = **permission;
  if (p.state == PermissionState::kInstalled || p.request.has_value() ||
      peers_.HasLiveChannel(ip)) {
    return absl::OkStatus();
  }
  p.state = PermissionState::kPending;
  return StartCreatePermission(now, {ip});
}

absl::Status TurnClient::Send(net::Time now, const net::TransportAddress& peer,
                              absl::Span<const uint8_t> data) {
  if (absl::Status ok = CheckPeer(peer, true); !ok.ok()) return ok;
  if (data.size() > kMaxDataSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        data.size(), " bytes of data, at most ", kMaxDataSize, " per Send"));
  }
  if (queued_data_ >= kMaxQueuedTransmits) {
    return absl::ResourceExhaustedError(
        absl::StrCat(kMaxQueuedTransmits, " datagrams wait to be sent"));
  }
  const ClientPeers::Permission* permission = peers_.FindPermission(peer.ip());
  if (permission != nullptr && permission->state == PermissionState::kFailed &&
      !peers_.HasLiveChannel(peer.ip())) {
    return absl::FailedPreconditionError(permission->failure.message());
  }
  ClientPeers::Channel* channel = nullptr;
  if (config_.use_channels) {
    // Out of channel numbers: Send indications still work.
    if (absl::StatusOr<ClientPeers::Channel*> added = peers_.AddChannel(peer);
        added.ok()) {
      channel = *added;
      if (channel->state == ChannelState::kIdle) {
        if (absl::Status bound = StartBinding(now, peer); !bound.ok()) {
          return bound;
        }
      }
    }
  }
  if (absl::Status permitted = EnsurePermission(now, peer.ip());
      !permitted.ok()) {
    return permitted;
  }
  net::Datagram datagram{config_.local, config_.server, {}};
  if (channel != nullptr && channel->state == ChannelState::kBound) {
    // RFC 8656 §12.5: padded over TCP and TLS, not over UDP.
    if (absl::Status status = stun::AppendChannelData(
            channel->number, data,
            config_.server.protocol() != net::TransportProtocol::kUdp,
            &datagram.payload);
        !status.ok()) {
      return status;
    }
  } else {
    stun::TransactionId id;
    random_.Fill(absl::MakeSpan(id));
    absl::StatusOr<std::vector<uint8_t>> indication =
        BuildSendIndication(id, peer, data, config_.dont_fragment);
    if (!indication.ok()) return indication.status();
    datagram.payload = *std::move(indication);
  }
  transmits_.push_back(Transmit{std::move(datagram), true});
  ++queued_data_;
  return absl::OkStatus();
}

void TurnClient::OnPermissionDone(const Pending& pending,
                                  const stun::StunClient::Event& event) {
  for (const net::IpAddress& ip : pending.ips) {
    ClientPeers::Permission* permission = peers_.FindPermission(ip);
    if (permission == nullptr || permission->request != event.id) continue;
    permission->request.reset();
    if (event.status.ok()) {
      InstallPermission(ip, pending.started);
    } else {
      FailPermission(ip,
                     DescribeFailure(absl::StrCat("permission for ",
                                                  ip.ToString(), " failed"),
                                     event, config_.server),
                     ErrorCodeOf(event));
    }
  }
}

void TurnClient::OnChannelDone(net::Time now, const Pending& pending,
                               const stun::StunClient::Event& event) {
  const net::TransportAddress& peer = pending.peer;
  ClientPeers::Channel* channel = peers_.FindChannel(peer);
  if (channel == nullptr || channel->request != event.id) return;
  channel->request.reset();
  if (event.status.ok()) {
    InstallPermission(peer.ip(), pending.started);
    channel->refresh_at = pending.started + ClientPeers::kRefreshInterval;
    if (channel->state == ChannelState::kBound) return;
    channel->state = ChannelState::kBound;
    Event bound;
    bound.kind = Event::Kind::kChannelBound;
    bound.peer = peer;
    bound.peer_ip = peer.ip();
    bound.channel = channel->number;
    return Emit(std::move(bound));
  }
  // RFC 8656 §12.3 suggests starting afresh after an unexpected 400; the
  // event lets the owner decide. Data falls back to Send indications.
  const absl::Status status = DescribeFailure(
      absl::StrCat("channel 0x", absl::Hex(channel->number, absl::kZeroPad4),
                   " to ", peer.ToString(), " failed"),
      event, config_.server);
  const int code = ErrorCodeOf(event);
  FailChannel(peer, status, code);
  // The permission this ChannelBind was installing: a 403 refuses the peer
  // itself (RFC 8656 §12.2); any other failure may be the channel's alone
  // (508: no channel left), so a CreatePermission asks for the permission on
  // its own.
  const net::IpAddress& ip = peer.ip();
  ClientPeers::Permission* permission = peers_.FindPermission(ip);
  if (permission == nullptr || permission->state != PermissionState::kPending ||
      permission->request.has_value() || peers_.HasLiveChannel(ip)) {
    return;
  }
  if (code == stun::error::kForbidden) {
    FailPermission(ip, status, code);
  } else {
    StartCreatePermission(now, {ip}).IgnoreError();  // Failure is an event.
  }
}

void TurnClient::InstallPermission(const net::IpAddress& ip,
                                   net::Time refreshed_at) {
  ClientPeers::Permission* permission = peers_.FindPermission(ip);
  if (permission == nullptr) return;
  const net::Time next = refreshed_at + ClientPeers::kRefreshInterval;
  const bool created = permission->state != PermissionState::kInstalled;
  permission->refresh_at =
      created ? next : std::max(permission->refresh_at, next);
  permission->state = PermissionState::kInstalled;
  permission->failure = absl::OkStatus();
  if (!created) return;
  Event event;
  event.kind = Event::Kind::kPermissionCreated;
  event.peer_ip = ip;
  Emit(std::move(event));
}

void TurnClient::FailPermission(const net::IpAddress& ip, absl::Status status,
                                int error_code) {
  ClientPeers::Permission* permission = peers_.FindPermission(ip);
  if (permission == nullptr) return;
  permission->state = PermissionState::kFailed;
  permission->request.reset();
  permission->failure = status;
  Event event;
  event.kind = Event::Kind::kPermissionFailed;
  event.peer_ip = ip;
  event.status = std::move(status);
  event.error_code = error_code;
  Emit(std::move(event));
}

void TurnClient::FailChannel(const net::TransportAddress& peer,
                             absl::Status status, int error_code) {
  ClientPeers::Channel* channel = peers_.FindChannel(peer);
  if (channel == nullptr) return;
  channel->state = ChannelState::kFailed;
  channel->request.reset();
  Event event;
  event.kind = Event::Kind::kChannelFailed;
  event.peer = peer;
  event.peer_ip = peer.ip();
  event.channel = channel->number;
  event.status = std::move(status);
  event.error_code = error_code;
  Emit(std::move(event));
}

bool TurnClient::HasPermission(const net::IpAddress& peer) const {
  const ClientPeers::Permission* permission = peers_.FindPermission(peer);
  return permission != nullptr &&
         permission->state == PermissionState::kInstalled;
}

std::optional<uint16_t> TurnClient::BoundChannel(
    const net::TransportAddress& peer) const {
  const ClientPeers::Channel* channel = peers_.FindChannel(peer);
  if (channel == nullptr || channel->state != ChannelState::kBound) {
    return std::nullopt;
  }
  return channel->number;
}

bool TurnClient::PeerPermitted(const net::IpAddress& ip) const {
  const ClientPeers::Permission* permission = peers_.FindPermission(ip);
  return (permission != nullptr &&
          permission->state != PermissionState::kFailed) ||
         peers_.HasLiveChannel(ip);
}

// RFC 8656 §11.4: a Data indication without XOR-PEER-ADDRESS, or from a peer
// the client has no permission for, is discarded.
void TurnClient::HandleDataIndication(const stun::MessageView& message) {
  if (state_ != State::kAllocated) return;
  absl::StatusOr<DataIndication> indication = ParseDataIndication(message);
  if (!indication.ok() || !PeerPermitted(indication->peer.ip())) return;
  DeliverData(indication->peer, 0, indication->data);
}

// RFC 8656 §12.6: ChannelData on a channel not bound is discarded. A channel
// whose ChannelBind is in flight counts (RFC 8656 §12: data may arrive before
// the answer).
void TurnClient::HandleChannelData(absl::Span<const uint8_t> bytes) {
  if (state_ != State::kAllocated) return;
  absl::StatusOr<stun::ChannelDataView> message = stun::ParseChannelData(bytes);
  if (!message.ok()) return;
  const std::optional<net::TransportAddress> peer =
      peers_.PeerOnChannel(message->channel);
  if (!peer.has_value()) return;
  DeliverData(*peer, message->channel, message->data);
}

void TurnClient::DeliverData(const net::TransportAddress& peer,
                             uint16_t channel, absl::Span<const uint8_t> data) {
  if (queued_data_events_ >= kMaxQueuedEvents) {
    ++data_dropped_;
    return;
  }
  Event event;
  event.kind = Event::Kind::kData;
  event.peer = peer;
  event.peer_ip = peer.ip();
  event.channel = channel;
  event.data.assign(data.begin(), data.end());
  ++queued_data_events_;
  Emit(std::move(event));
}

}  // namespace pinhole::turn
