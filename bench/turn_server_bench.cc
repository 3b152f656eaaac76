// Costs of the TURN server (RFC 8656) on its sans-IO core, with no sockets: a
// `TurnServer` is handed datagrams at one fixed instant and every transmit it
// queues is drained, as a driver would, so what is timed is the server's own
// work (parsing, lookups, checks, building what goes out, and the copy into
// the queued `net::Datagram`), never a system call.
//
//   ./bazelw run --config=opt //bench:turn_server_bench
//
// Relaying (items/s = datagrams relayed, bytes/s = application data):
//   BM_ChannelDataToPeer         client → peer, ChannelData in (§12.6)
//   BM_SendIndicationToPeer      client → peer, Send indication in (§10.2)
//   BM_PeerToClientChannelData   peer → client on a bound channel (§12.4)
//   BM_PeerToClientDataIndication peer → client, permitted but no channel:
//                                a Data indication is built (§11.3)
// each over 1, 100 or 1000 allocations, every allocation with one channel
// and the permission the binding installs, the datagrams going round-robin
// over the allocations so that the 5-tuple and relayed-address lookups work
// on a table of that size rather than on one hot entry.
//
// Allocating (items/s = allocations or challenges): the messages a
// `stun::StunClient` sends are captured once and replayed, so only the
// server's side is timed, with 0 or 1000 other allocations held:
//   BM_AllocateChallenge         an Allocate without credentials → 401
//   BM_AllocateAuthenticated     an authenticated Allocate, then Refresh
//                                LIFETIME 0 (the table stays bounded)
//   BM_AllocateWithChallenge     the two together: a client's whole Allocate
//
// Memory: BM_MemoryPerAllocation counts the heap bytes one allocation with a
// permission and a channel holds (see `HeapCounter` below).
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "net/datagram.h"
#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/client.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "turn/relay_sockets.h"
#include "turn/server.h"
#include "turn/server_config.h"

// --- Heap accounting.
//
// This binary replaces the global operator new and delete. They count every
// operator new in `heap_news` (the relaying benchmarks report it per
// datagram), and while `heap_counting` is set they also keep the net change of
// live heap bytes (each block's `malloc_usable_size`, i.e. what the allocator
// really handed out, rounding included, without its 8-byte chunk header) and of
// live blocks. Blocks freed in the window count even when allocated before it,
// so the two totals are exact net changes over the window. OpenSSL allocates
// through malloc, not operator new, and is not counted: the server holds
// nothing of OpenSSL's between requests. Outside the window the cost is an
// increment and one untaken branch per call, so the timed benchmarks are not
// disturbed.
namespace {

int64_t heap_news = 0;
bool heap_counting = false;
int64_t heap_bytes = 0;
int64_t heap_blocks = 0;

}  // namespace

void* operator new(size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  ++heap_news;
  if (heap_counting) {
    heap_bytes += static_cast<int64_t>(malloc_usable_size(p));
    ++heap_blocks;
  }
  return p;
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept {
  if (p != nullptr && heap_counting) {
    heap_bytes -= static_cast<int64_t>(malloc_usable_size(p));
    --heap_blocks;
  }
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }

namespace pinhole::turn {
namespace {

using net::TransportAddress;
using stun::Method;

// The one instant every datagram arrives at: nothing expires during a run
// (permissions last 300 s, channels 600 s, nonces 10 min).
constexpr net::Time kNow =
    net::Time::FromNanosecondsSinceEpoch(1'000'000'000'000);
constexpr uint16_t kChannel = 0x4000;
const net::IpAddress kRelayIp = *net::IpAddress::Parse("198.51.100.1");
const TransportAddress kServer(kRelayIp, 3478);

// Client i: 203.0.113.(1 + i % 250):(10000 + i / 250), a distinct 5-tuple
// for every i.
TransportAddress ClientAddress(int i) {
  return TransportAddress(
      net::IpAddress::FromV4Value(0xCB007100u + 1 + i % 250),
      static_cast<uint16_t>(10000 + i / 250));
}

// The peer client i's channel is bound to: 192.0.2.(1 + i % 250):(20000 +
// i / 250). Documentation addresses, which the default peer policy allows.
TransportAddress PeerAddress(int i) {
  return TransportAddress(
      net::IpAddress::FromV4Value(0xC0000200u + 1 + i % 250),
      static_cast<uint16_t>(20000 + i / 250));
}

// The client whose Allocate the allocation benchmarks replay: outside the
// addresses ClientAddress() gives.
const TransportAddress kReplayClient(*net::IpAddress::Parse("203.0.113.251"),
                                     40000);

std::vector<uint8_t> Payload(size_t size) {
  std::vector<uint8_t> payload(size);
  for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(i * 7);
  return payload;
}

// Opens every relayed address. The server keeps its own table of the ports it
// holds, so this driver needs none; a real driver's socket calls are not the
// server's cost and are not measured here.
class AcceptingRelaySockets final : public RelaySockets {
 public:
  absl::Status Open(const TransportAddress& /*address*/,
                    bool /*dont_fragment*/) override {
    return absl::OkStatus();
  }
  void Close(const TransportAddress& /*address*/) override {}
};

// One user with room for every allocation a benchmark makes (the default
// per-user quota is 32).
TurnServerConfig BenchConfig() {
  TurnServerConfig config;
  config.realm = "pinhole.bench";
  config.users = {{"bench", "bench"}};
  config.relay_ipv4 = kRelayIp;
  config.max_allocations_per_user = 100'000;
  config.max_allocations = 100'000;
  return config;
}

// A `TurnServer` and the client side that fills it: allocation i comes from
// ClientAddress(i), through a `stun::StunClient` (401 challenge included),
// with channel kChannel bound to PeerAddress(i), which also installs the
// permission for the peer's IP.
class LoadedServer {
 public:
  static absl::StatusOr<std::unique_ptr<LoadedServer>> Create(int allocations);
  LoadedServer(const LoadedServer&) = delete;
  LoadedServer& operator=(const LoadedServer&) = delete;

  TurnServer& server() { return *server_; }
  // The relayed address of each allocation Create made, by index.
  const std::vector<TransportAddress>& relayed() const { return relayed_; }

  // Makes allocation i, with its channel, and returns its relayed address
  // (not added to `relayed()`: nothing else is kept of it on this side).
  absl::StatusOr<TransportAddress> AddAllocation(int i);

  // Runs one request of `client` from `from` to the server and back, with no
  // loss. Appends every message the client sent to `sent` when given.
  absl::StatusOr<stun::StunClient::Response> Exchange(
      stun::StunClient& client, const TransportAddress& from, Method method,
      absl::AnyInvocable<void(stun::MessageBuilder&)> add,
      std::vector<std::vector<uint8_t>>* sent = nullptr);

  stun::StunClient NewClient() { return stun::StunClient(client_random_); }

  // Discards every queued event, as a driver that logs them would consume
  // them.
  void DrainEvents() {
    while (server_->PollEvent().has_value()) {
    }
  }

 private:
  LoadedServer() = default;

  net::DeterministicRandom server_random_{1};
  net::DeterministicRandom client_random_{2};
  AcceptingRelaySockets relays_;
  std::unique_ptr<TurnServer> server_;
  std::vector<TransportAddress> relayed_;
};

absl::StatusOr<std::unique_ptr<LoadedServer>> LoadedServer::Create(
    int allocations) {
  std::unique_ptr<LoadedServer> loaded(new LoadedServer());
  absl::StatusOr<std::unique_ptr<TurnServer>> server = TurnServer::Create(
      BenchConfig(), loaded->server_random_, loaded->relays_);
  if (!server.ok()) return server.status();
  loaded->server_ = *std::move(server);
  for (int i = 0; i < allocations; ++i) {
    absl::StatusOr<TransportAddress> relayed = loaded->AddAllocation(i);
    if (!relayed.ok()) return relayed.status();
    loaded->relayed_.push_back(*relayed);
  }
  return loaded;
}

absl::StatusOr<TransportAddress> LoadedServer::AddAllocation(int i) {
  stun::StunClient client(client_random_);
  absl::StatusOr<stun::StunClient::Response> allocated = Exchange(
      client, ClientAddress(i), Method::kAllocate,
      [](stun::MessageBuilder& b) { b.Add(stun::RequestedTransport{}); });
  if (!allocated.ok()) return allocated.status();
  absl::StatusOr<stun::XorRelayedAddress> relayed =
      allocated->view().Get<stun::XorRelayedAddress>();
  if (!relayed.ok()) return relayed.status();
  absl::StatusOr<stun::StunClient::Response> bound =
      Exchange(client, ClientAddress(i), Method::kChannelBind,
               [peer = PeerAddress(i)](stun::MessageBuilder& b) {
                 b.Add(stun::ChannelNumber{kChannel});
                 b.Add(stun::XorPeerAddress{peer});
               });
  if (!bound.ok()) return bound.status();
  return relayed->address;
}

absl::StatusOr<stun::StunClient::Response> LoadedServer::Exchange(
    stun::StunClient& client, const TransportAddress& from, Method method,
    absl::AnyInvocable<void(stun::MessageBuilder&)> add,
    std::vector<std::vector<uint8_t>>* sent) {
  stun::StunClient::Request request;
  request.local = from;
  request.server = kServer;
  request.method = method;
  request.add_attributes = std::move(add);
  request.long_term = stun::LongTermCredential{"bench", "bench"};
  absl::StatusOr<stun::StunClient::RequestId> id =
      client.Start(kNow, std::move(request));
  if (!id.ok()) return id.status();
  for (int round = 0; round < 8; ++round) {
    while (std::optional<net::Datagram> out = client.PollTransmit()) {
      if (sent != nullptr) sent->push_back(out->payload);
      server_->HandleDatagram(
          kNow, net::DatagramView{out->source, out->destination, out->payload});
    }
    while (std::optional<net::Datagram> back = server_->PollTransmit()) {
      client.HandleDatagram(
          kNow,
          net::DatagramView{back->source, back->destination, back->payload});
    }
    DrainEvents();
    if (std::optional<stun::StunClient::Event> event = client.PollEvent()) {
      if (!event->status.ok()) return event->status;
      return *std::move(event->response);
    }
  }
  return absl::InternalError("the exchange did not end");
}

// --- Relaying.

// Datagrams to hand to the server, one per allocation, with their bytes.
struct Inputs {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<net::DatagramView> views;

  void Add(const TransportAddress& from, const TransportAddress& to,
           std::vector<uint8_t> payload) {
    bytes.push_back(std::move(payload));
    views.push_back(net::DatagramView{from, to, {}});
  }
  // Points the views at their bytes, once `bytes` no longer moves.
  void Seal() {
    for (size_t i = 0; i < views.size(); ++i) views[i].payload = bytes[i];
  }
};

// What the server sends for `input`, when it sends exactly one datagram.
std::optional<net::Datagram> RelayOnce(TurnServer& server,
                                       const net::DatagramView& input) {
  server.HandleDatagram(kNow, input);
  std::optional<net::Datagram> out = server.PollTransmit();
  if (server.PollTransmit().has_value()) return std::nullopt;
  return out;
}

// The timed loop shared by the relaying benchmarks: iteration k hands
// `inputs` k % n to the server and drains what it queued. `relayed` is the
// `TurnServer::Stats` counter every input must advance by one; any input not
// relayed fails the benchmark (its cost would be that of a drop). Counter
// `news_per_datagram`: operator new calls per datagram, the queued
// datagram's payload included.
void RunRelay(benchmark::State& state, LoadedServer& loaded,
              const Inputs& inputs, size_t payload_size,
              uint64_t TurnServer::Stats::*relayed) {
  TurnServer& server = loaded.server();
  const uint64_t before = server.stats().*relayed;
  const int64_t news_before = heap_news;
  size_t next = 0;
  for (auto _ : state) {
    server.HandleDatagram(kNow, inputs.views[next]);
    if (++next == inputs.views.size()) next = 0;
    while (std::optional<net::Datagram> out = server.PollTransmit()) {
      benchmark::DoNotOptimize(out->payload.data());
    }
  }
  const int64_t news = heap_news - news_before;
  const uint64_t count = server.stats().*relayed - before;
  if (count != static_cast<uint64_t>(state.iterations())) {
    state.SkipWithError(
        absl::StrCat(state.iterations() - count, " datagrams not relayed")
            .c_str());
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(payload_size));
  state.counters["allocations"] = static_cast<double>(inputs.views.size());
  state.counters["news_per_datagram"] =
      static_cast<double>(news) / static_cast<double>(state.iterations());
}

// `range(0)`: payload bytes; `range(1)`: allocations. Skips the benchmark and
// returns null when the server cannot be filled.
std::unique_ptr<LoadedServer> Load(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<LoadedServer>> loaded =
      LoadedServer::Create(static_cast<int>(state.range(1)));
  if (!loaded.ok()) {
    state.SkipWithError(loaded.status().ToString().c_str());
    return nullptr;
  }
  return *std::move(loaded);
}

// Client → peer, ChannelData: ParseChannelData, the 5-tuple lookup, the
// channel and permission scan, and the data copied into the datagram for
// the peer.
void BM_ChannelDataToPeer(benchmark::State& state) {
  std::unique_ptr<LoadedServer> loaded = Load(state);
  if (loaded == nullptr) return;
  const std::vector<uint8_t> payload = Payload(state.range(0));
  Inputs inputs;
  for (int i = 0; i < static_cast<int>(loaded->relayed().size()); ++i) {
    inputs.Add(ClientAddress(i), kServer,
               *stun::SerializeChannelData(kChannel, payload, /*pad=*/false));
  }
  inputs.Seal();
  RunRelay(state, *loaded, inputs, payload.size(),
           &TurnServer::Stats::relayed_to_peers);
}

// Client → peer, Send indication with XOR-PEER-ADDRESS, DATA and
// FINGERPRINT (which clients add where STUN shares a port with media, and
// the server then verifies): the STUN parse, the CRC-32, the peer policy
// check and the permission scan.
void BM_SendIndicationToPeer(benchmark::State& state) {
  std::unique_ptr<LoadedServer> loaded = Load(state);
  if (loaded == nullptr) return;
  const std::vector<uint8_t> payload = Payload(state.range(0));
  Inputs inputs;
  for (int i = 0; i < static_cast<int>(loaded->relayed().size()); ++i) {
    stun::TransactionId id{};
    id[0] = static_cast<uint8_t>(i);
    id[1] = static_cast<uint8_t>(i >> 8);
    stun::MessageBuilder builder(
        {Method::kSend, stun::MessageClass::kIndication}, id);
    builder.Add(stun::XorPeerAddress{PeerAddress(i)});
    builder.Add(stun::Data{payload});
    builder.AddFingerprint();
    inputs.Add(ClientAddress(i), kServer, *builder.Finish());
  }
  inputs.Seal();
  RunRelay(state, *loaded, inputs, payload.size(),
           &TurnServer::Stats::relayed_to_peers);
}

// Peer → client from PeerAddress(i) itself, so the bound channel applies:
// the relayed-address lookup, the permission and channel scans, and a
// ChannelData message built around the data.
void BM_PeerToClientChannelData(benchmark::State& state) {
  std::unique_ptr<LoadedServer> loaded = Load(state);
  if (loaded == nullptr) return;
  const std::vector<uint8_t> payload = Payload(state.range(0));
  Inputs inputs;
  for (int i = 0; i < static_cast<int>(loaded->relayed().size()); ++i) {
    inputs.Add(PeerAddress(i), loaded->relayed()[i], payload);
  }
  inputs.Seal();
  const std::optional<net::Datagram> first =
      RelayOnce(loaded->server(), inputs.views[0]);
  if (!first.has_value() || !stun::ParseChannelData(first->payload).ok()) {
    return state.SkipWithError(
        "the peer's datagram did not become ChannelData");
  }
  RunRelay(state, *loaded, inputs, payload.size(),
           &TurnServer::Stats::relayed_to_clients);
}

// Peer → client from the permitted IP of PeerAddress(i) but another port,
// which no channel is bound to: the channel scan fails and a Data indication
// (random transaction ID, XOR-PEER-ADDRESS, DATA) is built.
void BM_PeerToClientDataIndication(benchmark::State& state) {
  std::unique_ptr<LoadedServer> loaded = Load(state);
  if (loaded == nullptr) return;
  const std::vector<uint8_t> payload = Payload(state.range(0));
  Inputs inputs;
  for (int i = 0; i < static_cast<int>(loaded->relayed().size()); ++i) {
    const TransportAddress peer = PeerAddress(i);
    inputs.Add(
        TransportAddress(peer.ip(), static_cast<uint16_t>(peer.port() + 1)),
        loaded->relayed()[i], payload);
  }
  inputs.Seal();
  const std::optional<net::Datagram> first =
      RelayOnce(loaded->server(), inputs.views[0]);
  absl::StatusOr<stun::MessageView> message =
      first.has_value() ? stun::MessageView::Parse(first->payload)
                        : absl::InternalError("nothing sent");
  if (!message.ok() || message->method() != Method::kData) {
    return state.SkipWithError(
        "the peer's datagram did not become a Data indication");
  }
  RunRelay(state, *loaded, inputs, payload.size(),
           &TurnServer::Stats::relayed_to_clients);
}

void RelayArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"payload", "allocations"})
      ->ArgsProduct({{100, 1200}, {1, 100, 1000}});
}
BENCHMARK(BM_ChannelDataToPeer)->Apply(RelayArgs);
BENCHMARK(BM_SendIndicationToPeer)->Apply(RelayArgs);
BENCHMARK(BM_PeerToClientChannelData)->Apply(RelayArgs);
BENCHMARK(BM_PeerToClientDataIndication)->Apply(RelayArgs);

// --- Allocating.

// What kReplayClient sends for one whole allocation, captured from a
// `stun::StunClient`: the first Allocate (no credentials: the server knows
// no realm yet), the authenticated one the 401 leads to (USERNAME or
// USERHASH, REALM, NONCE, MESSAGE-INTEGRITY(-SHA256), FINGERPRINT as the
// client chooses from the challenge), and the Refresh with LIFETIME 0 that
// releases the allocation. Replaying them at kNow is what a client that
// allocates again would send: the nonce is stateless and still valid, and
// the server remembers nothing of an allocation once it is released.
struct AllocateMessages {
  std::vector<uint8_t> unauthenticated;
  std::vector<uint8_t> authenticated;
  std::vector<uint8_t> release;
};

absl::StatusOr<AllocateMessages> CaptureAllocateMessages(LoadedServer& loaded) {
  stun::StunClient client = loaded.NewClient();
  std::vector<std::vector<uint8_t>> allocate;
  absl::StatusOr<stun::StunClient::Response> allocated = loaded.Exchange(
      client, kReplayClient, Method::kAllocate,
      [](stun::MessageBuilder& b) { b.Add(stun::RequestedTransport{}); },
      &allocate);
  if (!allocated.ok()) return allocated.status();
  std::vector<std::vector<uint8_t>> release;
  absl::StatusOr<stun::StunClient::Response> released = loaded.Exchange(
      client, kReplayClient, Method::kRefresh,
      [](stun::MessageBuilder& b) { b.Add(stun::Lifetime{0}); }, &release);
  if (!released.ok()) return released.status();
  if (allocate.size() != 2 || release.size() != 1) {
    return absl::InternalError("not a 401, Allocate, Refresh sequence");
  }
  return AllocateMessages{std::move(allocate[0]), std::move(allocate[1]),
                          std::move(release[0])};
}

// Hands `bytes` from kReplayClient to the server and drains the answer.
void Replay(TurnServer& server, const std::vector<uint8_t>& bytes) {
  server.HandleDatagram(kNow, net::DatagramView{kReplayClient, kServer, bytes});
  while (std::optional<net::Datagram> out = server.PollTransmit()) {
    benchmark::DoNotOptimize(out->payload.data());
  }
}

enum class AllocateSteps { kChallenge, kAuthenticated, kBoth };

// `range(0)`: other allocations held by the server (each with a channel).
// Every iteration replays the steps and drains the server's events too (one
// 401 event; allocated and deallocated events), as a driver that logs them
// would. The stats must show every step answered as expected.
void RunAllocate(benchmark::State& state, AllocateSteps steps) {
  absl::StatusOr<std::unique_ptr<LoadedServer>> loaded =
      LoadedServer::Create(static_cast<int>(state.range(0)));
  if (!loaded.ok())
    return state.SkipWithError(loaded.status().ToString().c_str());
  absl::StatusOr<AllocateMessages> messages = CaptureAllocateMessages(**loaded);
  if (!messages.ok()) {
    return state.SkipWithError(messages.status().ToString().c_str());
  }
  TurnServer& server = (*loaded)->server();
  const TurnServer::Stats before = server.stats();
  for (auto _ : state) {
    if (steps != AllocateSteps::kAuthenticated) {
      Replay(server, messages->unauthenticated);
    }
    if (steps != AllocateSteps::kChallenge) {
      Replay(server, messages->authenticated);
      Replay(server, messages->release);
    }
    (*loaded)->DrainEvents();
  }
  const TurnServer::Stats& after = server.stats();
  const uint64_t n = state.iterations();
  const bool challenged = steps == AllocateSteps::kAuthenticated ||
                          after.errors - before.errors == n;
  const bool allocated =
      steps == AllocateSteps::kChallenge ||
      (after.allocations_created - before.allocations_created == n &&
       after.allocations_deleted - before.allocations_deleted == n);
  if (!challenged || !allocated ||
      server.allocation_count() != static_cast<size_t>(state.range(0))) {
    return state.SkipWithError(
        "a replayed message was not answered as "
        "captured");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AllocateChallenge(benchmark::State& state) {
  RunAllocate(state, AllocateSteps::kChallenge);
}
void BM_AllocateAuthenticated(benchmark::State& state) {
  RunAllocate(state, AllocateSteps::kAuthenticated);
}
void BM_AllocateWithChallenge(benchmark::State& state) {
  RunAllocate(state, AllocateSteps::kBoth);
}
BENCHMARK(BM_AllocateChallenge)->ArgName("held")->Arg(0)->Arg(1000);
BENCHMARK(BM_AllocateAuthenticated)->ArgName("held")->Arg(0)->Arg(1000);
BENCHMARK(BM_AllocateWithChallenge)->ArgName("held")->Arg(0)->Arg(1000);

// --- Memory.

// The heap one allocation holds, with the permission and the channel its
// ChannelBind installs: the live bytes with N + 1 allocations less those with
// 1, over N. The first allocation is made before counting because it grows
// what the server keeps once (its message builder's buffer, its output
// queues' slots, the user's quota entry). Everything else is counted: the
// allocation's entries in the server's tables (ordered maps and sets, two
// hash maps) with their spare capacity at N, its permission and channel
// vectors, and the Allocate response it keeps for retransmissions. The
// clients that make the allocations are gone, and every transmit and event
// drained, when the count is read.
void BM_MemoryPerAllocation(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  double bytes = 0;
  double blocks = 0;
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<LoadedServer>> loaded =
        LoadedServer::Create(1);
    if (!loaded.ok()) {
      return state.SkipWithError(loaded.status().ToString().c_str());
    }
    heap_counting = true;
    const int64_t bytes_before = heap_bytes;
    const int64_t blocks_before = heap_blocks;
    absl::Status added;
    for (int i = 1; i <= n && added.ok(); ++i) {
      added = (*loaded)->AddAllocation(i).status();
    }
    bytes = static_cast<double>(heap_bytes - bytes_before) / n;
    blocks = static_cast<double>(heap_blocks - blocks_before) / n;
    heap_counting = false;
    if (!added.ok()) return state.SkipWithError(added.ToString().c_str());
    benchmark::DoNotOptimize((*loaded)->server().allocation_count());
  }
  state.counters["bytes_per_allocation"] = bytes;
  state.counters["blocks_per_allocation"] = blocks;
}
BENCHMARK(BM_MemoryPerAllocation)
    ->ArgName("allocations")
    ->Arg(1'000)
    ->Arg(10'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pinhole::turn
