// Costs of sim::Nat on the simulator's hot path: translating a packet on an
// existing mapping (both directions), creating mappings, and the heap memory
// one mapping holds.
//
//   ./bazelw run --config=opt //bench:nat_bench
//
// Memory is measured with glibc's mallinfo2(): bytes in use (`uordblks`, the
// arena) plus bytes in mmap'd blocks (`hblkhd`, where large hash tables live),
// before and after creating N mappings, divided by N. It counts everything the
// NAT allocates for them: mapping slots, both hash indexes, the subscriber
// table and the free list, including the tables' spare capacity.
#include <malloc.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/middlebox.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/nat/nat_presets.h"
#include "sim/packet.h"

namespace pinhole::sim {
namespace {

constexpr net::Time kNow = net::Time::FromNanosecondsSinceEpoch(1000'000'000);

net::IpAddress Ip(const char* text) {
  return net::IpAddress::Parse(text).value();
}

// Internal endpoint number `i`: 10.x.y.z:port, 1000 ports per address.
net::TransportAddress Internal(uint32_t i) {
  return net::TransportAddress(
      net::IpAddress::FromV4Value(0x0a000000 + i / 1000),
      static_cast<uint16_t>(10000 + i % 1000));
}

const net::TransportAddress kServer(Ip("192.0.2.1"), 3478);

std::vector<net::IpAddress> Pool() {
  return {Ip("203.0.113.1"), Ip("203.0.113.2"), Ip("203.0.113.3"),
          Ip("203.0.113.4")};
}

NatBehavior Sequential() {
  NatBehavior behavior = NatPreset("port_restricted_cone").value();
  behavior.set_port_assignment(NatBehavior::PORT_SEQUENTIAL);
  behavior.mutable_port_range()->set_min(1024);
  behavior.mutable_port_range()->set_max(65535);
  return behavior;
}

void BM_NatOutboundExistingMapping(benchmark::State& state) {
  net::DeterministicRandom random(1);
  auto nat = Nat::Create(Sequential(), Pool(), random).value();
  Packet packet;
  packet.destination = kServer;
  for (uint32_t i = 0; i < 1000; ++i) {  // A table that is not trivially small.
    packet.source = Internal(i);
    nat->Process(kNow, Side::kInside, packet);
  }
  const net::TransportAddress internal = Internal(500);
  for (auto _ : state) {
    packet.source = internal;
    benchmark::DoNotOptimize(nat->Process(kNow, Side::kInside, packet));
  }
}
BENCHMARK(BM_NatOutboundExistingMapping);

void BM_NatInboundExistingMapping(benchmark::State& state) {
  net::DeterministicRandom random(1);
  auto nat = Nat::Create(Sequential(), Pool(), random).value();
  Packet packet;
  packet.destination = kServer;
  net::TransportAddress mapped;
  for (uint32_t i = 0; i < 1000; ++i) {
    packet.source = Internal(i);
    nat->Process(kNow, Side::kInside, packet);
    if (i == 500) mapped = packet.source;
  }
  for (auto _ : state) {
    packet.source = kServer;
    packet.destination = mapped;
    benchmark::DoNotOptimize(nat->Process(kNow, Side::kOutside, packet));
  }
}
BENCHMARK(BM_NatInboundExistingMapping);

// Each iteration creates one mapping; every 50,000 mappings the NAT reboots
// (counted in the time: an amortised clear of the tables).
void BM_NatMappingCreation(benchmark::State& state) {
  net::DeterministicRandom random(1);
  NatBehavior behavior = Sequential();
  if (state.range(0) == 1) {
    behavior = NatPreset("symmetric").value();  // APDM, random ports.
  }
  auto nat = Nat::Create(behavior, Pool(), random).value();
  Packet packet;
  packet.destination = kServer;
  uint32_t i = 0;
  for (auto _ : state) {
    if (i == 50'000) {
      nat->Reboot();
      i = 0;
    }
    packet.source = Internal(i++);
    benchmark::DoNotOptimize(nat->Process(kNow, Side::kInside, packet));
  }
}
BENCHMARK(BM_NatMappingCreation)->Arg(0)->Arg(1)->ArgNames({"symmetric"});

size_t HeapBytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void BM_NatMemoryPerMapping(benchmark::State& state) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  double bytes_per_mapping = 0;
  for (auto _ : state) {
    net::DeterministicRandom random(1);
    auto nat = Nat::Create(Sequential(), Pool(), random).value();
    Packet packet;
    packet.destination = kServer;
    const size_t before = HeapBytes();
    for (uint32_t i = 0; i < n; ++i) {
      packet.source = Internal(i);
      nat->Process(kNow, Side::kInside, packet);
    }
    const size_t after = HeapBytes();
    bytes_per_mapping = static_cast<double>(after - before) / n;
    benchmark::DoNotOptimize(nat->MappingCount(kNow));
  }
  state.counters["bytes_per_mapping"] = bytes_per_mapping;
  state.counters["sizeof_nat"] = sizeof(Nat);
}
BENCHMARK(BM_NatMemoryPerMapping)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pinhole::sim
