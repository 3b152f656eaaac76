// Costs of the net/ vocabulary on the simulator's hot paths: every simulated
// packet draws from a DeterministicRandom (loss, jitter) and looks up
// TransportAddresses in NAT and socket tables.
//
//   ./bazelw run --config=opt //bench:net_bench
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/random.h"
#include "net/transport_address.h"

namespace pinhole::net {
namespace {

void BM_DeterministicRandomNextUint64(benchmark::State& state) {
  DeterministicRandom random(1);
  for (auto _ : state) benchmark::DoNotOptimize(random.NextUint64());
}
BENCHMARK(BM_DeterministicRandomNextUint64);

void BM_DeterministicRandomUniform(benchmark::State& state) {
  DeterministicRandom random(1);
  for (auto _ : state) benchmark::DoNotOptimize(random.Uniform(16384));
}
BENCHMARK(BM_DeterministicRandomUniform);

void BM_DeterministicRandomBernoulli(benchmark::State& state) {
  DeterministicRandom random(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(random.Bernoulli(Ratio::Percent(3)));
}
BENCHMARK(BM_DeterministicRandomBernoulli);

void BM_DeterministicRandomStream(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(DeterministicRandom::Stream(42, "host/alice/ice"));
  }
}
BENCHMARK(BM_DeterministicRandomStream);

void BM_IpAddressParse(benchmark::State& state, const char* text) {
  for (auto _ : state) benchmark::DoNotOptimize(IpAddress::Parse(text));
}
BENCHMARK_CAPTURE(BM_IpAddressParse, v4, "192.0.2.1");
BENCHMARK_CAPTURE(BM_IpAddressParse, v6, "2001:db8:85a3::8a2e:370:7334");

void BM_IpAddressToString(benchmark::State& state, const char* text) {
  const IpAddress ip = *IpAddress::Parse(text);
  for (auto _ : state) benchmark::DoNotOptimize(ip.ToString());
}
BENCHMARK_CAPTURE(BM_IpAddressToString, v4, "192.0.2.1");
BENCHMARK_CAPTURE(BM_IpAddressToString, v6, "2001:db8:85a3::8a2e:370:7334");

// A NAT's mapping table keyed by internal transport address, with `range(0)`
// entries.
void BM_TransportAddressLookup(benchmark::State& state) {
  absl::flat_hash_map<TransportAddress, int> table;
  std::vector<TransportAddress> keys;
  for (int i = 0; i < state.range(0); ++i) {
    keys.emplace_back(IpAddress::FromV4Value(0x0a000000 + i / 100),
                      10000 + i % 100);
    table[keys.back()] = i;
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.find(keys[i]));
    if (++i == keys.size()) i = 0;
  }
}
BENCHMARK(BM_TransportAddressLookup)->Arg(100)->Arg(100'000);

}  // namespace
}  // namespace pinhole::net
