// Real-socket STUN Binding server throughput on loopback: one `RealNetwork`
// (one epoll loop, one thread) runs a `BindingService` on 127.0.0.1 (no
// RFC 5780) and a load generator that keeps a window of Binding requests
// outstanding from one or several UDP sockets on 127.0.0.1. Each response is
// parsed and its XOR-MAPPED-ADDRESS checked against the socket that sent the
// request; the slot then sends a new request at once. A request unanswered
// for 400-500 ms counts as lost (loopback drops when a socket buffer
// overflows) and is replaced, so a run never stalls.
//
// One iteration is one response; items/s is responses per second, in real
// time (client and server share the thread, and the kernel's loopback work
// counts). Counters: `lost` requests, `late` responses (to a request given up
// on), both totals over the run.
//
//   ./bazelw run --config=opt //bench:stun_server_bench
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "net/datagram.h"
#include "net/network.h"
#include "net/real/real_network.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "stun/attributes.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/server/binding_server.h"
#include "stun/server/binding_service.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using net::TransportAddress;

// Loss detection: every scan gives up on the requests sent before the
// previous scan, so a request is lost after 400 to 500 ms without an answer.
constexpr Duration kScanInterval = Duration::Milliseconds(100);
constexpr uint64_t kScansToLoss = 5;
// The longest one iteration (one more response) may take.
constexpr Duration kIterationDeadline = Duration::Seconds(5);

// Keeps `window` Binding requests in flight to `server`, slot i sending from
// socket i % sockets.
class LoadGenerator {
 public:
  static absl::StatusOr<std::unique_ptr<LoadGenerator>> Create(
      net::Network& network, const TransportAddress& server, int window,
      int sockets);
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Sends the first request of every slot.
  void Start();

  uint64_t answered() const { return answered_; }
  uint64_t lost() const { return lost_; }
  uint64_t late() const { return late_; }
  // The first wrong response, or empty.
  const std::string& error() const { return error_; }

 private:
  struct Slot {
    TransactionId id{};
    int socket = 0;
    uint64_t sent_scan = 0;  // The value of scans_ when it was sent.
  };

  LoadGenerator(net::Network& network, const TransportAddress& server,
                int window);
  absl::Status Bind();
  void Send(int slot);
  void OnDatagram(int socket, const net::DatagramView& datagram);
  // The reason `message` is not a good answer to `slot`, or empty.
  std::string Check(const MessageView& message, const Slot& slot) const;
  void OnScan();

  net::Network& network_;
  const TransportAddress server_;
  MessageBuilder builder_;
  std::vector<Slot> slots_;
  absl::flat_hash_map<TransactionId, int> by_id_;
  std::vector<std::unique_ptr<net::UdpSocket>> sockets_;
  std::vector<TransportAddress> socket_addresses_;
  std::unique_ptr<net::Timer> scan_timer_;
  uint64_t scans_ = 0;
  uint64_t answered_ = 0;
  uint64_t lost_ = 0;
  uint64_t late_ = 0;
  std::string error_;
};

LoadGenerator::LoadGenerator(net::Network& network,
                             const TransportAddress& server, int window)
    : network_(network),
      server_(server),
      builder_({Method::kBinding, MessageClass::kRequest}, TransactionId{}),
      slots_(window) {
  by_id_.reserve(window);
}

absl::StatusOr<std::unique_ptr<LoadGenerator>> LoadGenerator::Create(
    net::Network& network, const TransportAddress& server, int window,
    int sockets) {
  std::unique_ptr<LoadGenerator> generator(
      new LoadGenerator(network, server, window));
  for (int i = 0; i < sockets; ++i) {
    absl::StatusOr<std::unique_ptr<net::UdpSocket>> socket = network.BindUdp(
        *TransportAddress::Parse("127.0.0.1:0"),
        [raw = generator.get(), i](const net::DatagramView& datagram) {
          raw->OnDatagram(i, datagram);
        });
    if (!socket.ok()) return socket.status();
    generator->socket_addresses_.push_back((*socket)->local_address());
    generator->sockets_.push_back(*std::move(socket));
  }
  for (int i = 0; i < window; ++i) generator->slots_[i].socket = i % sockets;
  generator->scan_timer_ =
      network.CreateTimer([raw = generator.get()] { raw->OnScan(); });
  return generator;
}

void LoadGenerator::Start() {
  for (int i = 0; i < static_cast<int>(slots_.size()); ++i) Send(i);
  scan_timer_->SetAt(network_.clock().Now() + kScanInterval);
}

// A new request (new transaction ID) for `slot`; an unanswered earlier one is
// forgotten.
void LoadGenerator::Send(int slot) {
  Slot& s = slots_[slot];
  by_id_.erase(s.id);
  network_.random().Fill(absl::MakeSpan(s.id));
  s.sent_scan = scans_;
  by_id_[s.id] = slot;
  builder_.Reset({Method::kBinding, MessageClass::kRequest}, s.id);
  builder_.AddFingerprint();
  const absl::Status sent =
      sockets_[s.socket]->SendTo(server_, builder_.bytes());
  if (!sent.ok() && error_.empty()) error_ = sent.ToString();
}

void LoadGenerator::OnDatagram(int socket, const net::DatagramView& datagram) {
  absl::StatusOr<MessageView> message = MessageView::Parse(datagram.payload);
  if (!message.ok()) {
    if (error_.empty()) error_ = message.status().ToString();
    return;
  }
  const auto it = by_id_.find(message->transaction_id());
  if (it == by_id_.end()) {
    ++late_;
    return;
  }
  const int slot = it->second;
  std::string wrong = Check(*message, slots_[slot]);
  if (slots_[slot].socket != socket) wrong = "response on the wrong socket";
  if (!wrong.empty()) {
    if (error_.empty()) error_ = std::move(wrong);
    return;
  }
  ++answered_;
  Send(slot);
}

std::string LoadGenerator::Check(const MessageView& message,
                                 const Slot& slot) const {
  if (message.method() != Method::kBinding ||
      message.message_class() != MessageClass::kSuccessResponse) {
    return "not a Binding success response";
  }
  absl::StatusOr<XorMappedAddress> mapped = message.Get<XorMappedAddress>();
  if (!mapped.ok()) return mapped.status().ToString();
  const TransportAddress& expected = socket_addresses_[slot.socket];
  if (mapped->address != expected) {
    return absl::StrCat("XOR-MAPPED-ADDRESS ", mapped->address.ToString(),
                        ", expected ", expected.ToString());
  }
  return "";
}

void LoadGenerator::OnScan() {
  ++scans_;
  for (int i = 0; i < static_cast<int>(slots_.size()); ++i) {
    if (scans_ - slots_[i].sent_scan >= kScansToLoss) {
      ++lost_;
      Send(i);
    }
  }
  scan_timer_->SetAt(network_.clock().Now() + kScanInterval);
}

// `range(0)`: requests in flight; `range(1)`: client sockets.
void BM_BindingServerLoopback(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<net::real::RealNetwork>> network =
      net::real::RealNetwork::Create();
  if (!network.ok()) return state.SkipWithError("no event loop");
  BindingServerConfig config;
  config.primary = *TransportAddress::Parse("127.0.0.1:0");
  absl::StatusOr<std::unique_ptr<BindingService>> service =
      BindingService::Start(**network, config);
  if (!service.ok()) return state.SkipWithError("server did not start");
  absl::StatusOr<std::unique_ptr<LoadGenerator>> generator =
      LoadGenerator::Create(**network, (*service)->addresses().front(),
                            static_cast<int>(state.range(0)),
                            static_cast<int>(state.range(1)));
  if (!generator.ok()) return state.SkipWithError("no client sockets");
  LoadGenerator& load = **generator;
  load.Start();
  uint64_t wanted = 0;
  const auto done = [&] { return load.answered() >= wanted; };
  for (auto _ : state) {
    ++wanted;
    if (done()) continue;  // Answered in an earlier batch.
    const net::Time deadline = (*network)->clock().Now() + kIterationDeadline;
    if (!(*network)->RunUntil([&] { return done() || !load.error().empty(); },
                              deadline)) {
      state.SkipWithError("timeout");
      break;
    }
    if (!load.error().empty()) {
      state.SkipWithError(load.error().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["lost"] = static_cast<double>(load.lost());
  state.counters["late"] = static_cast<double>(load.late());
}
BENCHMARK(BM_BindingServerLoopback)
    ->ArgNames({"window", "sockets"})
    ->Args({1, 1})
    ->Args({16, 1})
    ->Args({128, 1})
    ->Args({128, 8})
    ->MinTime(2.0)
    ->UseRealTime();

}  // namespace
}  // namespace pinhole::stun
