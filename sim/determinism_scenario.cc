#include "sim/determinism_scenario.h"

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/network.h"
#include "net/random.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/loss_model.h"
#include "sim/middlebox.h"
#include "sim/middlebox_node.h"
#include "sim/pass_through_middlebox.h"
#include "sim/router.h"
#include "sim/simulator.h"

namespace pinhole::sim {
namespace {

using net::Duration;

net::IpAddress Ip(const char* text) { return *net::IpAddress::Parse(text); }

LinkConfig Access() {
  LinkConfig c;
  c.latency = Duration::Milliseconds(5);
  c.jitter = Duration::Milliseconds(3);
  c.allow_reordering = true;
  c.loss = LossModel::Independent(net::Ratio::Percent(5));
  c.bandwidth_bps = 2'000'000;
  c.queue_bytes = 8 * 1024;
  c.duplicate = net::Ratio::Percent(1);
  return c;
}

LinkConfig Core() {
  LinkConfig c;
  c.latency = Duration::Milliseconds(10);
  c.jitter = Duration::Milliseconds(2);
  c.loss = LossModel::GilbertElliott(
      {net::Ratio::Percent(5), net::Ratio::Percent(30), net::Ratio::Never(),
       net::Ratio::Percent(60)});
  return c;
}

// Sends `count` datagrams from `network`'s socket, one per `interval`.
class Sender {
 public:
  Sender(net::Network& network, net::UdpSocket& socket,
         net::TransportAddress to, int count)
      : network_(network), socket_(socket), to_(to), left_(count) {
    timer_ = network.CreateTimer([this] { Tick(); });
    timer_->SetAt(network.clock().Now());
  }

 private:
  void Tick() {
    std::vector<uint8_t> payload(20 + network_.random().Uniform(1200));
    network_.random().Fill(absl::MakeSpan(payload));
    (void)socket_.SendTo(to_, payload);
    if (--left_ > 0)
      timer_->SetAt(network_.clock().Now() + Duration::Milliseconds(2));
  }

  net::Network& network_;
  net::UdpSocket& socket_;
  const net::TransportAddress to_;
  int left_;
  std::unique_ptr<net::Timer> timer_;
};

}  // namespace

ScenarioOutcome RunDeterminismScenario(uint64_t seed) {
  Simulator sim(seed);
  PassThroughMiddlebox pass;
  auto access = *Link::Create(sim, "access", Access());
  auto core = *Link::Create(sim, "core", Core());
  auto edge =
      *Link::Create(sim, "edge", {.latency = Duration::Milliseconds(3)});
  auto alice = *Host::Create(sim, "alice");
  auto bob = *Host::Create(sim, "bob");
  auto router = *Router::Create(sim, "router");
  auto box = *MiddleboxNode::Create(sim, "box", &pass);

  (void)alice->AddInterface(*access, LinkEnd::kA, {Ip("10.0.1.2")});
  (void)alice->SetDefaultRoute(0);
  (void)router->AddInterface(*access, LinkEnd::kB);
  (void)router->AddInterface(*core, LinkEnd::kA);
  (void)router->AddRoute(*net::IpPrefix::Parse("10.0.1.0/24"), 0);
  (void)router->AddRoute(net::IpPrefix::Default(net::AddressFamily::kIpv4), 1);
  (void)box->Attach(Side::kInside, *core, LinkEnd::kB);
  (void)box->Attach(Side::kOutside, *edge, LinkEnd::kA);
  (void)bob->AddInterface(*edge, LinkEnd::kB, {Ip("198.51.100.2")});
  (void)bob->SetDefaultRoute(0);
  edge->SetUpAt(Simulator::kEpoch + Duration::Milliseconds(150), false);
  edge->SetUpAt(Simulator::kEpoch + Duration::Milliseconds(170), true);

  ScenarioOutcome outcome;
  std::unique_ptr<net::UdpSocket> echo;
  echo = *bob->BindUdp(*net::TransportAddress::Parse("0.0.0.0:7"),
                       [&echo](const net::DatagramView& d) {
                         (void)echo->SendTo(d.source, d.payload);
                       });
  auto client = *alice->BindUdp(
      *net::TransportAddress::Parse("0.0.0.0:0"),
      [&outcome](const net::DatagramView&) { ++outcome.echoes_received; });
  {
    Sender sender(*alice, *client,
                  *net::TransportAddress::Parse("198.51.100.2:7"), 100);
    (void)sim.Run();
  }
  outcome.trace = sim.trace().ToText();
  outcome.trace_sha256 = sim.trace().Sha256Hex();
  outcome.next_draw = alice->random().NextUint64();
  return outcome;
}

}  // namespace pinhole::sim
