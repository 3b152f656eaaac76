// `IcePair`: two ICE agents on `sim::TwoNats` (left controlling, right
// controlled) with Pinhole's TURN server (which answers STUN Binding too) at
// 198.51.100.1:3478 over UDP and TCP, and a signalling channel between them
// that carries credentials, candidates (trickled as gathered) and
// end-of-candidates with a fixed one-way delay. The network of every ICE
// test and benchmark in the simulator. Test-only.
#ifndef PINHOLE_ICE_TESTING_ICE_PAIR_H_
#define PINHOLE_ICE_TESTING_ICE_PAIR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ice/agent.h"
#include "ice/agent_driver.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/testing/two_nats.h"
#include "turn/service.h"

namespace pinhole::ice::testing {

struct IcePairOptions {
  uint64_t seed = 1;
  std::optional<sim::NatBehavior> left_nat;
  std::optional<sim::NatBehavior> right_nat;
  // Carrier-grade NATs in front of the home NATs (NAT444), if any.
  std::optional<sim::NatBehavior> left_cgn;
  std::optional<sim::NatBehavior> right_cgn;
  // Host addresses of each agent (more than one needs that side's NAT).
  int left_addresses = 1;
  int right_addresses = 1;
  // Each agent's configuration; the STUN and TURN servers are filled in
  // from the flags below.
  AgentConfig left;
  AgentConfig right;
  bool use_stun = true;
  bool use_turn = true;
  net::TransportProtocol turn_transport = net::TransportProtocol::kUdp;
  // One-way delay of the signalling channel.
  net::Duration signalling_delay = net::Duration::Zero();
};

// What one side saw, with simulated instants.
struct SideRecord {
  std::vector<AgentEvent> events;
  std::vector<net::Time> event_times;     // When each event came.
  std::optional<net::Time> connected_at;  // First kConnected or kCompleted.
  std::optional<net::Time> failed_at;
  std::vector<std::vector<uint8_t>> data;  // Received application data.
};

class IcePair {
 public:
  static constexpr uint16_t kServerPort = 3478;

  static absl::StatusOr<std::unique_ptr<IcePair>> Create(
      IcePairOptions options);
  IcePair(const IcePair&) = delete;
  IcePair& operator=(const IcePair&) = delete;
  ~IcePair();

  // Starts both agents (gathering) and the signalling of credentials; the
  // instant is `start()`.
  absl::Status Start();

  // Runs until both sides are connected (or completed), either failed, or
  // `limit` of simulated time passed. True when both connected.
  bool RunUntilConnected(net::Duration limit);
  // Runs until `done()` or `limit`.
  bool RunUntil(const std::function<bool()>& done, net::Duration limit);
  void RunFor(net::Duration duration);

  // Restarts both agents (new credentials and candidates over signalling),
  // as an ICE restart by offer and answer does.
  absl::Status Restart();

  sim::TwoNats& network() { return *net_; }
  Agent& left() { return *left_; }
  Agent& right() { return *right_; }
  AgentDriver& left_driver() { return *left_driver_; }
  AgentDriver& right_driver() { return *right_driver_; }
  SideRecord& left_record() { return left_record_; }
  SideRecord& right_record() { return right_record_; }
  turn::TurnService& turn_server() { return *turn_; }
  net::Time start() const { return start_; }
  net::Time Now();

  // Sends `data` from one side on component 1 (flushing the driver).
  absl::Status SendLeft(const std::vector<uint8_t>& data);
  absl::Status SendRight(const std::vector<uint8_t>& data);

  // The selected pair's candidate types, "host/srflx" style (local/remote),
  // or "" when none.
  std::string LeftPairTypes() const;
  std::string RightPairTypes() const;

 private:
  explicit IcePair(IcePairOptions options) : options_(std::move(options)) {}
  absl::Status Build();
  void OnEvent(bool left, AgentEvent event);
  void Signal(bool to_left, std::function<void(Agent&, net::Time)> deliver);
  void SignalCredentials();

  IcePairOptions options_;
  std::unique_ptr<sim::TwoNats> net_;
  std::unique_ptr<turn::TurnService> turn_;
  std::unique_ptr<Agent> left_;
  std::unique_ptr<Agent> right_;
  std::unique_ptr<AgentDriver> left_driver_;
  std::unique_ptr<AgentDriver> right_driver_;
  SideRecord left_record_;
  SideRecord right_record_;
  net::Time start_;
};

}  // namespace pinhole::ice::testing

#endif  // PINHOLE_ICE_TESTING_ICE_PAIR_H_
