#include "turn/client_peers.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "stun/turn_attributes.h"

namespace pinhole::turn {
namespace {

// Channels are keyed by transport address, ordered by IP first: the channels
// of one IP sit together, from the one with port 0 (the smallest) on.
net::TransportAddress FirstOfIp(const net::IpAddress& ip) {
  return net::TransportAddress(ip, 0, net::TransportProtocol::kUdp);
}

void KeepEarliest(std::optional<net::Time>& earliest, net::Time t) {
  if (!earliest.has_value() || t < *earliest) earliest = t;
}

}  // namespace

ClientPeers::Permission* ClientPeers::FindPermission(const net::IpAddress& ip) {
  const auto it = permissions_.find(ip);
  return it == permissions_.end() ? nullptr : &it->second;
}

const ClientPeers::Permission* ClientPeers::FindPermission(
    const net::IpAddress& ip) const {
  const auto it = permissions_.find(ip);
  return it == permissions_.end() ? nullptr : &it->second;
}

absl::StatusOr<ClientPeers::Permission*> ClientPeers::AddPermission(
    const net::IpAddress& ip) {
  if (Permission* existing = FindPermission(ip)) return existing;
  if (permissions_.size() >= kMaxPermissions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("no permission for ", ip.ToString(), ": already ",
                     kMaxPermissions, " peers"));
  }
  return &permissions_[ip];
}

std::vector<ClientPeers::RequestId> ClientPeers::RemovePermission(
    const net::IpAddress& ip) {
  std::vector<RequestId> abandoned;
  permissions_.erase(ip);
  for (auto it = channels_.lower_bound(FirstOfIp(ip));
       it != channels_.end() && it->first.ip() == ip; ++it) {
    Channel& channel = it->second;
    if (channel.request.has_value()) abandoned.push_back(*channel.request);
    channel.request.reset();
    channel.state = ChannelState::kIdle;
  }
  return abandoned;
}

bool ClientPeers::HasLiveChannel(const net::IpAddress& ip) const {
  for (auto it = channels_.lower_bound(FirstOfIp(ip));
       it != channels_.end() && it->first.ip() == ip; ++it) {
    const ChannelState state = it->second.state;
    if (state == ChannelState::kBinding || state == ChannelState::kBound) {
      return true;
    }
  }
  return false;
}

std::vector<net::IpAddress> ClientPeers::DuePermissions(net::Time now) const {
  std::vector<net::IpAddress> due;
  for (const auto& [ip, permission] : permissions_) {
    if (permission.state == PermissionState::kInstalled &&
        !permission.request.has_value() && permission.refresh_at <= now &&
        !HasLiveChannel(ip)) {
      due.push_back(ip);
    }
  }
  return due;
}

ClientPeers::Channel* ClientPeers::FindChannel(
    const net::TransportAddress& peer) {
  const auto it = channels_.find(peer);
  return it == channels_.end() ? nullptr : &it->second;
}

const ClientPeers::Channel* ClientPeers::FindChannel(
    const net::TransportAddress& peer) const {
  const auto it = channels_.find(peer);
  return it == channels_.end() ? nullptr : &it->second;
}

std::optional<net::TransportAddress> ClientPeers::PeerOnChannel(
    uint16_t number) const {
  const auto it = peer_of_number_.find(number);
  if (it == peer_of_number_.end()) return std::nullopt;
  const ChannelState state = channels_.at(it->second).state;
  if (state != ChannelState::kBinding && state != ChannelState::kBound) {
    return std::nullopt;
  }
  return it->second;
}

absl::StatusOr<ClientPeers::Channel*> ClientPeers::AddChannel(
    const net::TransportAddress& peer) {
  if (Channel* existing = FindChannel(peer)) return existing;
  if (next_number_ > stun::kMaxChannelNumber) {
    return absl::ResourceExhaustedError(
        absl::StrCat("no channel for ", peer.ToString(),
                     ": all 4096 channel numbers are taken"));
  }
  Channel& channel = channels_[peer];
  channel.number = static_cast<uint16_t>(next_number_++);
  peer_of_number_[channel.number] = peer;
  return &channel;
}

std::vector<net::TransportAddress> ClientPeers::DueChannels(
    net::Time now) const {
  std::vector<net::TransportAddress> due;
  for (const auto& [peer, channel] : channels_) {
    if (channel.state == ChannelState::kBound && !channel.request.has_value() &&
        channel.refresh_at <= now) {
      due.push_back(peer);
    }
  }
  return due;
}

std::optional<net::Time> ClientPeers::NextRefresh() const {
  std::optional<net::Time> earliest;
  for (const auto& [ip, permission] : permissions_) {
    if (permission.state == PermissionState::kInstalled &&
        !permission.request.has_value() && !HasLiveChannel(ip)) {
      KeepEarliest(earliest, permission.refresh_at);
    }
  }
  for (const auto& [peer, channel] : channels_) {
    if (channel.state == ChannelState::kBound && !channel.request.has_value()) {
      KeepEarliest(earliest, channel.refresh_at);
    }
  }
  return earliest;
}

}  // namespace pinhole::turn
