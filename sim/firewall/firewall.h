// `Firewall`: a packet filter between an inside (protected) and an outside
// link, with the rules of a `FirewallPolicy`. It is a `Middlebox` that never
// rewrites a packet: each is forwarded or dropped with kFirewallRule.
//
// Contract: first matching rule wins, else the direction's default; with
// `stateful`, an allowed packet opens its flow for both directions until it
// has been idle for the protocol's timeout (live while now < expires_at). No
// timers: expiry is lazy. One thread; `now` must not go backwards.
#ifndef PINHOLE_SIM_FIREWALL_FIREWALL_H_
#define PINHOLE_SIM_FIREWALL_FIREWALL_H_

#include <cstddef>
#include <map>
#include <memory>
#include <tuple>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/firewall/firewall_policy.pb.h"
#include "sim/middlebox.h"
#include "sim/packet.h"

namespace pinhole::sim {

// OK, or InvalidArgument naming the first bad field.
absl::Status ValidateFirewallPolicy(const FirewallPolicy& policy);

class Firewall final : public Middlebox {
 public:
  static absl::StatusOr<std::unique_ptr<Firewall>> Create(
      const FirewallPolicy& policy);

  Verdict Process(net::Time now, Side arrived_on, Packet& packet) override;

  // Tracked flows live at `now`.
  size_t FlowCount(net::Time now) const;

 private:
  // A flow as the firewall tracks it: inside and outside transport addresses
  // (each carrying the protocol).
  struct FlowKey {
    net::TransportAddress inside;
    net::TransportAddress outside;
    friend bool operator<(const FlowKey& a, const FlowKey& b) {
      return std::tie(a.inside, a.outside) < std::tie(b.inside, b.outside);
    }
  };

  explicit Firewall(const FirewallPolicy& policy);

  bool RulesAllow(Side arrived_on, const Packet& packet) const;
  net::Duration IdleTimeout(const Packet& packet) const;
  void SweepIfLarge(net::Time now);

  const FirewallPolicy policy_;
  const net::Duration udp_timeout_;
  const net::Duration tcp_timeout_;
  // Ordered, so that sweeping is deterministic. Flow -> expiry.
  std::map<FlowKey, net::Time> flows_;
  size_t sweep_at_size_ = 1024;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_FIREWALL_FIREWALL_H_
