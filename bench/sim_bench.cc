// Speed of the simulator: bare events through the event queue, and UDP
// packets through host -> link -> middlebox -> link -> host, with the trace
// on and off, the middlebox passing packets through unchanged or being a real
// NAT (sim/nat, the port_restricted_cone preset) on an established mapping.
//
//   ./bazelw run --config=opt //bench:sim_bench
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "benchmark/benchmark.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/middlebox.h"
#include "sim/middlebox_node.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_presets.h"
#include "sim/pass_through_middlebox.h"
#include "sim/simulator.h"

namespace pinhole::sim {
namespace {

using net::Duration;

// An event that schedules its successor a little later; the offsets vary so
// that the heap is exercised, not just its top.
struct Ticker {
  Simulator* sim;
  uint64_t n;
  void operator()() {
    ++n;
    sim->ScheduleIn(
        Duration::Nanoseconds(1 + static_cast<int64_t>(n * 7919 % 1000)),
        Ticker{sim, n});
  }
};

// Events per second with `range(0)` events pending at any time.
void BM_BareEvents(benchmark::State& state) {
  Simulator sim(1);
  for (int64_t i = 0; i < state.range(0); ++i) {
    sim.ScheduleIn(Duration::Nanoseconds(i),
                   Ticker{&sim, static_cast<uint64_t>(i)});
  }
  constexpr int kBatch = 100'000;
  while (state.KeepRunningBatch(kBatch)) {
    const absl::Status s = sim.Run(kBatch);  // Never quiesces: runs kBatch.
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(static_cast<int64_t>(sim.events_run()));
}
BENCHMARK(BM_BareEvents)->Arg(1)->Arg(1000)->Arg(100'000);

// Schedule then cancel, the pattern of a re-armed timer.
void BM_ScheduleAndCancel(benchmark::State& state) {
  Simulator sim(1);
  for (int i = 0; i < 1000; ++i)
    sim.ScheduleIn(Duration::Seconds(1 + i), [] {});
  for (auto _ : state) {
    const EventId id = sim.ScheduleIn(Duration::Milliseconds(500), [] {});
    benchmark::DoNotOptimize(sim.Cancel(id));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScheduleAndCancel);

// alice --lan-- box (pass-through) --wan-- bob, UDP sockets at both ends.
// Each batch: alice sends 1000 datagrams of 100 bytes, the simulator runs
// until bob has them all. `range(0)`: tracing on (1) or off (0).
void BM_UdpThroughMiddlebox(benchmark::State& state) {
  Simulator sim(1);
  sim.trace().set_enabled(state.range(0) != 0);
  PassThroughMiddlebox pass;
  auto lan = *Link::Create(sim, "lan", {.latency = Duration::Milliseconds(1)});
  auto wan = *Link::Create(sim, "wan", {.latency = Duration::Milliseconds(10)});
  auto alice = *Host::Create(sim, "alice");
  auto bob = *Host::Create(sim, "bob");
  auto box = *MiddleboxNode::Create(sim, "box", &pass);
  (void)alice->AddInterface(*lan, LinkEnd::kA,
                            {*net::IpAddress::Parse("10.0.0.2")});
  (void)alice->SetDefaultRoute(0);
  (void)box->Attach(Side::kInside, *lan, LinkEnd::kB);
  (void)box->Attach(Side::kOutside, *wan, LinkEnd::kA);
  (void)bob->AddInterface(*wan, LinkEnd::kB,
                          {*net::IpAddress::Parse("198.51.100.2")});
  (void)bob->SetDefaultRoute(0);
  int64_t received = 0;
  auto sink =
      *bob->BindUdp(*net::TransportAddress::Parse("0.0.0.0:7"),
                    [&received](const net::DatagramView&) { ++received; });
  auto source = *alice->BindUdp(*net::TransportAddress::Parse("0.0.0.0:0"),
                                [](const net::DatagramView&) {});
  const net::TransportAddress to =
      *net::TransportAddress::Parse("198.51.100.2:7");
  const std::vector<uint8_t> payload(100, 0x5a);
  constexpr int kBatch = 1000;
  while (state.KeepRunningBatch(kBatch)) {
    for (int i = 0; i < kBatch; ++i) (void)source->SendTo(to, payload);
    (void)sim.Run();
    // Keep the trace's memory warm: this measures recording, not the page
    // faults of an ever-growing vector.
    if (sim.trace().record_count() > 300'000) {
      state.PauseTiming();
      sim.trace().Clear();
      state.ResumeTiming();
    }
  }
  if (received != state.iterations()) state.SkipWithError("packets were lost");
  state.SetItemsProcessed(received);
}
BENCHMARK(BM_UdpThroughMiddlebox)->ArgName("trace")->Arg(0)->Arg(1);

// alice 10.0.0.2 --lan-- NAT (port_restricted_cone, 203.0.113.1) --wan-- bob
// 198.51.100.2, UDP sockets at both ends, on an established mapping (one
// exchange before timing starts). Each batch: 1000 datagrams of 100 bytes,
// run until bob (outbound) or alice (inbound) has them all. `range(0)`:
// tracing on (1) or off (0); with it on, each packet also costs the
// translation note (sim/middlebox_node.h). `range(1)`: 0 outbound (alice to
// bob, translating the source), 1 inbound (bob to alice's mapping, filtering
// and translating the destination; alice sends one outbound packet per batch
// so the mapping, refreshed outbound only, never expires; it is not counted).
void BM_UdpThroughNat(benchmark::State& state) {
  const bool inbound = state.range(1) != 0;
  Simulator sim(1);
  sim.trace().set_enabled(state.range(0) != 0);
  net::DeterministicRandom nat_random = sim.RandomStream("nat");
  auto nat = *Nat::Create(*NatPreset("port_restricted_cone"),
                          {*net::IpAddress::Parse("203.0.113.1")}, nat_random);
  auto lan = *Link::Create(sim, "lan", {.latency = Duration::Milliseconds(1)});
  auto wan = *Link::Create(sim, "wan", {.latency = Duration::Milliseconds(10)});
  auto alice = *Host::Create(sim, "alice");
  auto bob = *Host::Create(sim, "bob");
  auto box = *MiddleboxNode::Create(sim, "nat", nat.get());
  (void)alice->AddInterface(*lan, LinkEnd::kA,
                            {*net::IpAddress::Parse("10.0.0.2")});
  (void)alice->SetDefaultRoute(0);
  (void)box->Attach(Side::kInside, *lan, LinkEnd::kB);
  (void)box->Attach(Side::kOutside, *wan, LinkEnd::kA);
  (void)bob->AddInterface(*wan, LinkEnd::kB,
                          {*net::IpAddress::Parse("198.51.100.2")});
  (void)bob->SetDefaultRoute(0);
  int64_t at_bob = 0, at_alice = 0;
  net::TransportAddress mapped;
  auto bob_socket =
      *bob->BindUdp(*net::TransportAddress::Parse("0.0.0.0:7"),
                    [&at_bob, &mapped](const net::DatagramView& d) {
                      ++at_bob;
                      mapped = d.source;
                    });
  auto alice_socket =
      *alice->BindUdp(*net::TransportAddress::Parse("0.0.0.0:5000"),
                      [&at_alice](const net::DatagramView&) { ++at_alice; });
  const net::TransportAddress to_bob =
      *net::TransportAddress::Parse("198.51.100.2:7");
  const std::vector<uint8_t> payload(100, 0x5a);
  (void)alice_socket->SendTo(to_bob, payload);  // Creates the mapping.
  (void)sim.Run();
  if (at_bob != 1 || nat->MappingCount(sim.Now()) != 1) {
    state.SkipWithError("no mapping");
    return;
  }
  at_bob = 0;
  constexpr int kBatch = 1000;
  while (state.KeepRunningBatch(kBatch)) {
    if (inbound) {
      (void)alice_socket->SendTo(to_bob, payload);  // Refreshes the mapping.
      for (int i = 0; i < kBatch; ++i)
        (void)bob_socket->SendTo(mapped, payload);
    } else {
      for (int i = 0; i < kBatch; ++i) {
        (void)alice_socket->SendTo(to_bob, payload);
      }
    }
    (void)sim.Run();
    if (sim.trace().record_count() > 300'000) {
      state.PauseTiming();
      sim.trace().Clear();
      state.ResumeTiming();
    }
  }
  const int64_t received = inbound ? at_alice : at_bob;
  if (received != state.iterations()) state.SkipWithError("packets were lost");
  state.SetItemsProcessed(received);
}
BENCHMARK(BM_UdpThroughNat)
    ->ArgNames({"trace", "inbound"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1});

}  // namespace
}  // namespace pinhole::sim
