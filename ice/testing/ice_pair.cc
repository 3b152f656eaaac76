#include "ice/testing/ice_pair.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ice/candidate.h"
#include "sim/simulator.h"

namespace pinhole::ice::testing {

absl::StatusOr<std::unique_ptr<IcePair>> IcePair::Create(
    IcePairOptions options) {
  std::unique_ptr<IcePair> pair(new IcePair(std::move(options)));
  if (absl::Status status = pair->Build(); !status.ok()) return status;
  return pair;
}

IcePair::~IcePair() = default;

absl::Status IcePair::Build() {
  sim::TwoNatsOptions network;
  network.seed = options_.seed;
  network.left_nat = options_.left_nat;
  network.right_nat = options_.right_nat;
  network.left_cgn = options_.left_cgn;
  network.right_cgn = options_.right_cgn;
  network.left_addresses = options_.left_addresses;
  network.right_addresses = options_.right_addresses;
  absl::StatusOr<std::unique_ptr<sim::TwoNats>> built =
      sim::TwoNats::Create(network);
  if (!built.ok()) return built.status();
  net_ = *std::move(built);

  const net::TransportAddress udp(sim::TwoNats::ServerIp(), kServerPort);
  const net::TransportAddress tcp(sim::TwoNats::ServerIp(), kServerPort,
                                  net::TransportProtocol::kTcp);
  turn::TurnServiceConfig service;
  service.server.realm = "pinhole.test";
  service.server.users = {{"left", "left-secret"}, {"right", "right-secret"}};
  service.server.relay_ipv4 = sim::TwoNats::ServerIp();
  service.listen = {udp, tcp};
  absl::StatusOr<std::unique_ptr<turn::TurnService>> server =
      turn::TurnService::Start(net_->server(), service);
  if (!server.ok()) return server.status();
  turn_ = *std::move(server);

  const net::TransportAddress turn_address =
      options_.turn_transport == net::TransportProtocol::kUdp ? udp : tcp;
  auto configure = [&](AgentConfig& config, const char* user,
                       const char* password) {
    if (options_.use_stun) config.stun_servers = {udp};
    if (options_.use_turn) {
      config.turn_servers = {TurnServerConfig{turn_address, {user, password}}};
    }
  };
  configure(options_.left, "left", "left-secret");
  configure(options_.right, "right", "right-secret");
  absl::StatusOr<std::unique_ptr<Agent>> left =
      Agent::Create(net_->left().random(), options_.left);
  if (!left.ok()) return left.status();
  left_ = *std::move(left);
  absl::StatusOr<std::unique_ptr<Agent>> right =
      Agent::Create(net_->right().random(), options_.right);
  if (!right.ok()) return right.status();
  right_ = *std::move(right);
  return absl::OkStatus();
}

net::Time IcePair::Now() { return net_->sim().Now(); }

void IcePair::Signal(bool to_left,
                     std::function<void(Agent&, net::Time)> deliver) {
  net_->sim().ScheduleIn(options_.signalling_delay,
                         [this, to_left, deliver = std::move(deliver)] {
                           Agent& agent = to_left ? *left_ : *right_;
                           deliver(agent, Now());
                           (to_left ? left_driver_ : right_driver_)->Flush();
                         });
}

void IcePair::OnEvent(bool left, AgentEvent event) {
  SideRecord& record = left ? left_record_ : right_record_;
  const bool to_left = !left;
  switch (event.kind) {
    case AgentEvent::Kind::kLocalCandidate: {
      Candidate candidate = event.candidate;
      Signal(to_left, [candidate](Agent& agent, net::Time now) {
        (void)agent.AddRemoteCandidate(now, candidate);
      });
      break;
    }
    case AgentEvent::Kind::kGatheringComplete:
      Signal(to_left, [](Agent& agent, net::Time now) {
        agent.SetRemoteEndOfCandidates(now);
      });
      break;
    case AgentEvent::Kind::kStateChanged:
    case AgentEvent::Kind::kSelectedPair: {
      // Connected: every component has a pair selected in this session
      // (after a restart the old pairs keep the state connected; the new
      // selection is the reconnection).
      const Agent& agent = left ? *left_ : *right_;
      bool all = true;
      for (uint32_t c = 1; c <= agent.config().components; ++c) {
        all = all && agent.selected_pair(c).has_value();
      }
      const bool up = agent.state() == ConnectionState::kConnected ||
                      agent.state() == ConnectionState::kCompleted;
      if (all && up && !record.connected_at.has_value()) {
        record.connected_at = Now();
      }
      if (event.kind == AgentEvent::Kind::kStateChanged &&
          event.state == ConnectionState::kFailed &&
          !record.failed_at.has_value()) {
        record.failed_at = Now();
      }
      break;
    }
    case AgentEvent::Kind::kData:
      record.data.push_back(event.data);
      break;
    default:
      break;
  }
  record.events.push_back(std::move(event));
  record.event_times.push_back(Now());
}

void IcePair::SignalCredentials() {
  const Credentials left = left_->local_credentials();
  const Credentials right = right_->local_credentials();
  const bool left_lite = left_->config().lite;
  const bool right_lite = right_->config().lite;
  Signal(/*to_left=*/false, [left, left_lite](Agent& agent, net::Time now) {
    (void)agent.SetRemoteCredentials(now, left, left_lite);
  });
  Signal(/*to_left=*/true, [right, right_lite](Agent& agent, net::Time now) {
    (void)agent.SetRemoteCredentials(now, right, right_lite);
  });
}

absl::Status IcePair::Start() {
  start_ = Now();
  // Credentials first: they travel in the offer and answer, before any
  // trickled candidate.
  SignalCredentials();
  absl::StatusOr<std::unique_ptr<AgentDriver>> left = AgentDriver::Start(
      net_->left(), *left_, net_->left_ips(),
      [this](AgentEvent event) { OnEvent(/*left=*/true, std::move(event)); });
  if (!left.ok()) return left.status();
  left_driver_ = *std::move(left);
  absl::StatusOr<std::unique_ptr<AgentDriver>> right = AgentDriver::Start(
      net_->right(), *right_, net_->right_ips(),
      [this](AgentEvent event) { OnEvent(/*left=*/false, std::move(event)); });
  if (!right.ok()) return right.status();
  right_driver_ = *std::move(right);
  return absl::OkStatus();
}

absl::Status IcePair::Restart() {
  if (absl::Status status = left_->Restart(Now()); !status.ok()) return status;
  if (absl::Status status = right_->Restart(Now()); !status.ok()) {
    return status;
  }
  left_record_.connected_at.reset();
  right_record_.connected_at.reset();
  left_record_.failed_at.reset();
  right_record_.failed_at.reset();
  SignalCredentials();
  left_driver_->Flush();
  right_driver_->Flush();
  return absl::OkStatus();
}

bool IcePair::RunUntil(const std::function<bool()>& done, net::Duration limit) {
  return net_->sim().RunUntil([&] { return done(); }, Now() + limit);
}

bool IcePair::RunUntilConnected(net::Duration limit) {
  RunUntil(
      [this] {
        return (left_record_.connected_at.has_value() &&
                right_record_.connected_at.has_value()) ||
               left_record_.failed_at.has_value() ||
               right_record_.failed_at.has_value();
      },
      limit);
  return left_record_.connected_at.has_value() &&
         right_record_.connected_at.has_value();
}

void IcePair::RunFor(net::Duration duration) { net_->sim().RunFor(duration); }

absl::Status IcePair::SendLeft(const std::vector<uint8_t>& data) {
  absl::Status status = left_->Send(Now(), 1, data);
  left_driver_->Flush();
  return status;
}

absl::Status IcePair::SendRight(const std::vector<uint8_t>& data) {
  absl::Status status = right_->Send(Now(), 1, data);
  right_driver_->Flush();
  return status;
}

namespace {
std::string PairTypes(const Agent& agent) {
  std::optional<CandidatePairInfo> pair = agent.selected_pair(1);
  if (!pair.has_value()) return "";
  return absl::StrCat(CandidateTypeName(pair->local.type), "/",
                      CandidateTypeName(pair->remote.type));
}
}  // namespace

std::string IcePair::LeftPairTypes() const { return PairTypes(*left_); }
std::string IcePair::RightPairTypes() const { return PairTypes(*right_); }

}  // namespace pinhole::ice::testing
