#include "sim/firewall/firewall.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/firewall/firewall_policy.pb.h"
#include "sim/middlebox.h"
#include "sim/packet.h"

namespace pinhole::sim {
namespace {

bool IsAction(FirewallRule::Action action) {
  return action == FirewallRule::ACTION_ALLOW ||
         action == FirewallRule::ACTION_DENY;
}

absl::Status ValidateRule(int index, const FirewallRule& rule) {
  const std::string where = absl::StrCat("FirewallPolicy.rules[", index, "]");
  if (!IsAction(rule.action())) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".action must be ACTION_ALLOW or ACTION_DENY"));
  }
  if (!FirewallRule::Direction_IsValid(rule.direction())) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".direction has unknown value ", rule.direction()));
  }
  if (!FirewallRule::Protocol_IsValid(rule.protocol())) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".protocol has unknown value ", rule.protocol()));
  }
  for (const FirewallRule::PortRange& range : rule.destination_ports()) {
    if (range.min() < 1 || range.max() > 65535 || range.min() > range.max()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".destination_ports ", range.min(), "..",
                       range.max(), " is not a range within 1..65535"));
    }
  }
  return absl::OkStatus();
}

bool Matches(const FirewallRule& rule, Side arrived_on, const Packet& packet) {
  switch (rule.direction()) {
    case FirewallRule::DIRECTION_OUTBOUND:
      if (arrived_on != Side::kInside) return false;
      break;
    case FirewallRule::DIRECTION_INBOUND:
      if (arrived_on != Side::kOutside) return false;
      break;
    default:
      break;
  }
  const bool udp = packet.source.protocol() == net::TransportProtocol::kUdp;
  if (rule.protocol() == FirewallRule::PROTOCOL_UDP && !udp) return false;
  if (rule.protocol() == FirewallRule::PROTOCOL_TCP && udp) return false;
  if (rule.destination_ports().empty()) return true;
  const uint32_t port = packet.destination.port();
  for (const FirewallRule::PortRange& range : rule.destination_ports()) {
    if (port >= range.min() && port <= range.max()) return true;
  }
  return false;
}

net::Duration SecondsOr(uint32_t seconds, net::Duration fallback) {
  return seconds == 0 ? fallback : net::Duration::Seconds(seconds);
}

}  // namespace

absl::Status ValidateFirewallPolicy(const FirewallPolicy& policy) {
  if (!IsAction(policy.default_outbound())) {
    return absl::InvalidArgumentError(
        "FirewallPolicy.default_outbound must be ACTION_ALLOW or ACTION_DENY");
  }
  if (!IsAction(policy.default_inbound())) {
    return absl::InvalidArgumentError(
        "FirewallPolicy.default_inbound must be ACTION_ALLOW or ACTION_DENY");
  }
  for (int i = 0; i < policy.rules_size(); ++i) {
    if (absl::Status s = ValidateRule(i, policy.rules(i)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Firewall>> Firewall::Create(
    const FirewallPolicy& policy) {
  if (absl::Status s = ValidateFirewallPolicy(policy); !s.ok()) return s;
  return std::unique_ptr<Firewall>(new Firewall(policy));
}

Firewall::Firewall(const FirewallPolicy& policy)
    : policy_(policy),
      udp_timeout_(SecondsOr(policy.udp_idle_timeout_seconds(),
                             net::Duration::Seconds(120))),
      tcp_timeout_(SecondsOr(policy.tcp_idle_timeout_seconds(),
                             net::Duration::Seconds(7440))) {}

Verdict Firewall::Process(net::Time now, Side arrived_on, Packet& packet) {
  const bool outbound = arrived_on == Side::kInside;
  const FlowKey key{outbound ? packet.source : packet.destination,
                    outbound ? packet.destination : packet.source};
  if (policy_.stateful()) {
    const auto it = flows_.find(key);
    if (it != flows_.end() && now < it->second) {
      it->second = now + IdleTimeout(packet);
      return Verdict::Forward();
    }
  }
  if (!RulesAllow(arrived_on, packet)) {
    return Verdict::Drop(DropReason::kFirewallRule);
  }
  if (policy_.stateful()) {
    flows_[key] = now + IdleTimeout(packet);
    SweepIfLarge(now);
  }
  return Verdict::Forward();
}

bool Firewall::RulesAllow(Side arrived_on, const Packet& packet) const {
  for (const FirewallRule& rule : policy_.rules()) {
    if (Matches(rule, arrived_on, packet)) {
      return rule.action() == FirewallRule::ACTION_ALLOW;
    }
  }
  const FirewallRule::Action fallback = arrived_on == Side::kInside
                                            ? policy_.default_outbound()
                                            : policy_.default_inbound();
  return fallback == FirewallRule::ACTION_ALLOW;
}

net::Duration Firewall::IdleTimeout(const Packet& packet) const {
  return packet.source.protocol() == net::TransportProtocol::kUdp
             ? udp_timeout_
             : tcp_timeout_;
}

// Drops expired flows once the table has doubled since the last sweep, so
// memory follows the live flows at amortised constant cost per packet.
void Firewall::SweepIfLarge(net::Time now) {
  if (flows_.size() < sweep_at_size_) return;
  for (auto it = flows_.begin(); it != flows_.end();) {
    it = now < it->second ? std::next(it) : flows_.erase(it);
  }
  sweep_at_size_ = flows_.size() * 2 > 1024 ? flows_.size() * 2 : 1024;
}

size_t Firewall::FlowCount(net::Time now) const {
  size_t count = 0;
  for (const auto& [key, expires_at] : flows_) {
    if (now < expires_at) ++count;
  }
  return count;
}

}  // namespace pinhole::sim
