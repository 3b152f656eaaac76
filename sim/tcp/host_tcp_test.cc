#include "sim/tcp/host_tcp.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/loss_model.h"
#include "sim/simulator.h"
#include "sim/tcp/stream_recorder.h"

namespace pinhole::sim::tcp {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;

constexpr Duration kOneWay = Duration::Milliseconds(10);
constexpr Duration kRtt = kOneWay * 2;
constexpr Time kT0 = Simulator::kEpoch;

TransportAddress Addr(const char* text) {
  return *TransportAddress::Parse(text, net::TransportProtocol::kTcp);
}
absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

// alice (10.0.0.1) ──wire── bob (10.0.0.2), both with HostTcp.
class HostTcpTest : public ::testing::Test {
 protected:
  // An accepted stream and what it reported.
  struct Accepted {
    Time at;
    std::unique_ptr<StreamRecorder> log;
    std::unique_ptr<net::TcpStream> stream;
  };

  void Build(LinkConfig config = {.latency = kOneWay},
             HostTcpOptions options = {}) {
    wire_ = *Link::Create(sim_, "wire", config);
    alice_ = *Host::Create(sim_, "alice");
    bob_ = *Host::Create(sim_, "bob");
    ASSERT_TRUE(alice_
                    ->AddInterface(*wire_, LinkEnd::kA,
                                   {*net::IpAddress::Parse("10.0.0.1"),
                                    *net::IpAddress::Parse("2001:db8::1")})
                    .ok());
    ASSERT_TRUE(bob_->AddInterface(*wire_, LinkEnd::kB,
                                   {*net::IpAddress::Parse("10.0.0.2"),
                                    *net::IpAddress::Parse("2001:db8::2")})
                    .ok());
    ASSERT_TRUE(alice_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(bob_->SetDefaultRoute(0).ok());
    alice_tcp_ = &InstallTcp(*alice_, options);
    bob_tcp_ = &InstallTcp(*bob_, options);
  }

  // Bob listens at `local`, keeping every stream; with `echo`, each accepted
  // stream writes back what it receives.
  void BobListens(const char* local, bool echo) {
    listener_ = *bob_->ListenTcp(
        Addr(local), [this, echo](std::unique_ptr<net::TcpStream> stream) {
          accepted_.push_back(
              {sim_.Now(), std::make_unique<StreamRecorder>(sim_), nullptr});
          Accepted& a = accepted_.back();
          net::TcpStream* raw = stream.get();
          if (echo) {
            a.log->also_on_data = [raw](absl::Span<const uint8_t> bytes) {
              ASSERT_TRUE(raw->Write(bytes).ok());
            };
          }
          stream->SetCallbacks(a.log->Callbacks());
          a.stream = std::move(stream);
        });
  }

  std::unique_ptr<net::TcpStream> AliceConnects(const char* remote,
                                                StreamRecorder& log) {
    auto stream =
        alice_->ConnectTcp(Addr("0.0.0.0:0"), Addr(remote), log.Callbacks());
    EXPECT_TRUE(stream.ok()) << stream.status();
    return stream.ok() ? *std::move(stream) : nullptr;
  }

  bool RunUntil(const std::function<bool()>& done,
                Duration limit = Duration::Seconds(600)) {
    return sim_.RunUntil(done, sim_.Now() + limit);
  }

  Simulator sim_{1};
  std::unique_ptr<Link> wire_;
  std::unique_ptr<Host> alice_, bob_;
  HostTcp* alice_tcp_ = nullptr;
  HostTcp* bob_tcp_ = nullptr;
  // Streams and listeners go before the hosts.
  std::unique_ptr<net::TcpListener> listener_;
  std::vector<Accepted> accepted_;
};

TEST_F(HostTcpTest, ConnectsInOneRttAndEchoes) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/true);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  // Connected from 0.0.0.0:0: routing has chosen the address already.
  EXPECT_EQ(alice->local_address(), Addr("10.0.0.1:49152"));
  net::TcpStream* raw = alice.get();
  log.also_on_data = nullptr;
  // Written from on_connected, as a protocol would.
  net::TcpStream::Callbacks callbacks = log.Callbacks();
  callbacks.on_connected =
      [raw, first = std::move(callbacks.on_connected)]() mutable {
        first();
        ASSERT_TRUE(raw->Write(Bytes("hello")).ok());
      };
  alice->SetCallbacks(std::move(callbacks));

  ASSERT_TRUE(RunUntil([&] { return log.data == "hello"; }));
  EXPECT_EQ(log.connected_at, kT0 + kRtt);
  EXPECT_EQ(log.connected_count, 1);
  ASSERT_EQ(accepted_.size(), 1u);
  // The server learns of the connection when the third segment arrives.
  EXPECT_EQ(accepted_[0].at, kT0 + kRtt + kOneWay);
  EXPECT_EQ(accepted_[0].log->data, "hello");
  EXPECT_EQ(accepted_[0].log->connected_count, 0);  // Accepted, not connected.
  EXPECT_EQ(log.data_at, std::vector<Time>{kT0 + 2 * kRtt});
  EXPECT_FALSE(log.is_closed());

  // Addresses: the first ephemeral port, and the address routing chose.
  EXPECT_EQ(alice->local_address(), Addr("10.0.0.1:49152"));
  EXPECT_EQ(alice->remote_address(), Addr("10.0.0.2:7"));
  EXPECT_EQ(accepted_[0].stream->local_address(), Addr("10.0.0.2:7"));
  EXPECT_EQ(accepted_[0].stream->remote_address(), Addr("10.0.0.1:49152"));
  EXPECT_EQ(listener_->local_address(), Addr("10.0.0.2:7"));
  EXPECT_EQ(alice_tcp_->connection_count(), 1u);
  EXPECT_EQ(bob_tcp_->connection_count(), 1u);
}

TEST_F(HostTcpTest, BulkTransferOverALossyShapedLinkArrivesIntact) {
  Build({.latency = Duration::Milliseconds(5),
         .loss = LossModel::Independent(net::Ratio::Percent(2)),
         .bandwidth_bps = 10'000'000});
  BobListens("0.0.0.0:5001", /*echo=*/false);
  std::string payload(200 * 1024, '\0');
  for (size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>((i * 7919) >> 3);
  }
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:5001", log);
  // Written before the handshake completes: sent once it does.
  ASSERT_TRUE(alice->Write(Bytes(payload)).ok());
  EXPECT_EQ(alice->queued_bytes(), payload.size());
  alice->Close();
  EXPECT_EQ(alice->Write(Bytes("late")).code(),
            absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(RunUntil(
      [&] { return !accepted_.empty() && accepted_[0].log->is_closed(); }));
  EXPECT_TRUE(accepted_[0].log->closed->ok()) << *accepted_[0].log->closed;
  EXPECT_EQ(accepted_[0].log->data.size(), payload.size());
  EXPECT_TRUE(accepted_[0].log->data == payload);
  EXPECT_EQ(alice->queued_bytes(), 0u);
  EXPECT_GT(sim_.trace().CountDrops(DropReason::kLinkLoss), 0u);
}

TEST_F(HostTcpTest, WriteIsAllOrNothingAgainstTheSendBuffer) {
  Build();
  BobListens("10.0.0.2:9", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:9", log);
  const std::string big(HostTcpOptions().config.send_buffer_size + 1, 'x');
  EXPECT_EQ(alice->Write(Bytes(big)).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(alice->queued_bytes(), 0u);
  EXPECT_TRUE(alice->Write(Bytes(big.substr(1))).ok());
  EXPECT_EQ(alice->Write(Bytes("y")).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(alice->Write({}).ok());
  ASSERT_TRUE(RunUntil([&] {
    return !accepted_.empty() &&
           accepted_[0].log->data.size() == big.size() - 1;
  }));
  EXPECT_EQ(alice->queued_bytes(), 0u);
}

TEST_F(HostTcpTest, ConnectionToAPortNobodyListensOnIsRefusedInOneRtt) {
  Build();
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:81", log);
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(log.closed_at, kT0 + kRtt);
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(log.closed->message().find("refused"), std::string::npos)
      << *log.closed;
  EXPECT_EQ(log.connected_count, 0);
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(alice->Write(Bytes("x")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(sim_.trace().ToText().find(
                "1000.010000000 bob sent tcp 10.0.0.2:81 10.0.0.1:49152"),
            std::string::npos);
}

TEST_F(HostTcpTest, ConnectTimesOutAfterTheSynRetrySchedule) {
  Build();
  StreamRecorder log(sim_);
  // Routed onto the wire, but no host has the address: bob drops every SYN.
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.99:80", log);
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  // SYNs at 0, 1, 3, 7, 15, 31 and 63 s; given up one backed-off RTO later.
  EXPECT_EQ(log.closed_at, kT0 + Duration::Seconds(127));
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kNoRoute), 7u);
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
}

TEST_F(HostTcpTest, ClientClosesFirstThenServer) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  // The server closes when it sees the client's end of stream.
  net::TcpStream* server = accepted_[0].stream.get();
  // The server closes when it sees the client's end of stream, after a last
  // word (half close: the client closed its direction only).
  accepted_[0].log->also_on_closed = [server](const absl::Status&) {
    ASSERT_TRUE(server->Write(Bytes("bye")).ok());
    server->Close();
  };
  const Time closed = sim_.Now();
  alice->Close();
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(accepted_[0].log->closed_at, closed + kOneWay);
  EXPECT_TRUE(accepted_[0].log->closed->ok());
  EXPECT_EQ(log.closed_at, closed + kRtt);
  EXPECT_TRUE(log.closed->ok());
  EXPECT_EQ(log.data, "bye");
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
  EXPECT_EQ(log.closed_count, 1);
  EXPECT_EQ(accepted_[0].log->closed_count, 1);
}

TEST_F(HostTcpTest, ServerClosesFirstAfterItsDataThenClient) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  net::TcpStream* raw = alice.get();
  log.also_on_closed = [raw](const absl::Status&) { raw->Close(); };
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  const Time closed = sim_.Now();
  ASSERT_TRUE(accepted_[0].stream->Write(Bytes("bye")).ok());
  accepted_[0].stream->Close();
  ASSERT_TRUE(RunUntil([&] { return accepted_[0].log->is_closed(); }));
  EXPECT_EQ(log.data, "bye");
  EXPECT_EQ(log.closed_at, closed + kOneWay);
  EXPECT_EQ(accepted_[0].log->closed_at, closed + kRtt);
  EXPECT_TRUE(accepted_[0].log->closed->ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
}

TEST_F(HostTcpTest, BothCloseAtOnce) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  const Time closed = sim_.Now();
  alice->Close();
  accepted_[0].stream->Close();
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(log.closed_at, closed + kOneWay);
  EXPECT_EQ(accepted_[0].log->closed_at, closed + kOneWay);
  EXPECT_TRUE(log.closed->ok());
  EXPECT_TRUE(accepted_[0].log->closed->ok());
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
}

TEST_F(HostTcpTest, DestroyingAStreamWithoutCloseResetsThePeer) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  const Time destroyed = sim_.Now();
  alice.reset();
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(accepted_[0].log->closed_at, destroyed + kOneWay);
  EXPECT_EQ(accepted_[0].log->closed->code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(accepted_[0].log->closed->message().find("reset"),
            std::string::npos);
  EXPECT_FALSE(log.is_closed());  // No callback after destruction.
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
}

TEST_F(HostTcpTest, DestroyingAStreamAfterCloseStillDeliversEverything) {
  Build({.latency = kOneWay, .bandwidth_bps = 1'000'000});
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  const std::string payload(100'000, 'z');
  ASSERT_TRUE(alice->Write(Bytes(payload)).ok());
  alice->Close();
  alice.reset();
  ASSERT_TRUE(RunUntil(
      [&] { return !accepted_.empty() && accepted_[0].log->is_closed(); }));
  EXPECT_EQ(accepted_[0].log->data.size(), payload.size());
  EXPECT_TRUE(accepted_[0].log->closed->ok());
  // The orphan lingers until the peer closes too.
  sim_.RunFor(Duration::Seconds(1));
  EXPECT_EQ(alice_tcp_->connection_count(), 1u);
  accepted_[0].stream->Close();
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
}

TEST_F(HostTcpTest, StreamDestroyedInsideItsDataCallback) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  int calls = 0;
  accepted_[0].log->also_on_data = [&](absl::Span<const uint8_t>) {
    ++calls;
    accepted_[0].stream.reset();  // Destroys the stream running this.
  };
  const Time written = sim_.Now();
  // Two segments arrive together; the second must not reach a dead stream.
  const std::string two_segments(3000, 'q');
  ASSERT_TRUE(alice->Write(Bytes(two_segments)).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(accepted_[0].log->data.size(), 1460u);
  EXPECT_FALSE(accepted_[0].log->is_closed());
  EXPECT_EQ(log.closed_at, written + kRtt);
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
}

TEST_F(HostTcpTest, StreamDestroyedInsideOnConnectedAndOnClosed) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  std::unique_ptr<net::TcpStream> first, second;
  StreamRecorder first_log(sim_), second_log(sim_);
  first = AliceConnects("10.0.0.2:7", first_log);
  net::TcpStream::Callbacks callbacks = first_log.Callbacks();
  callbacks.on_connected = [&] { first.reset(); };
  first->SetCallbacks(std::move(callbacks));
  second = AliceConnects("10.0.0.2:8", second_log);
  second_log.also_on_closed = [&](const absl::Status&) { second.reset(); };
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(first, nullptr);
  EXPECT_EQ(second, nullptr);
  EXPECT_EQ(second_log.closed->code(), absl::StatusCode::kUnavailable);
  ASSERT_EQ(accepted_.size(), 1u);  // Accepted, then reset.
  EXPECT_EQ(accepted_[0].log->closed->code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
}

TEST_F(HostTcpTest, TwoConnectionsBetweenTheSameHostsStaySeparate) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/true);
  StreamRecorder log1(sim_), log2(sim_);
  std::unique_ptr<net::TcpStream> one = AliceConnects("10.0.0.2:7", log1);
  std::unique_ptr<net::TcpStream> two = AliceConnects("10.0.0.2:7", log2);
  ASSERT_TRUE(one->Write(Bytes("first")).ok());
  ASSERT_TRUE(two->Write(Bytes("second")).ok());
  ASSERT_TRUE(
      RunUntil([&] { return log1.data == "first" && log2.data == "second"; }));
  EXPECT_EQ(one->local_address(), Addr("10.0.0.1:49152"));
  EXPECT_EQ(two->local_address(), Addr("10.0.0.1:49153"));
  ASSERT_EQ(accepted_.size(), 2u);
  EXPECT_EQ(accepted_[0].log->data, "first");
  EXPECT_EQ(accepted_[1].log->data, "second");
  EXPECT_EQ(bob_tcp_->connection_count(), 2u);
  one->Close();
  ASSERT_TRUE(RunUntil([&] { return accepted_[0].log->is_closed(); }));
  EXPECT_FALSE(accepted_[1].log->is_closed());
  ASSERT_TRUE(two->Write(Bytes("!")).ok());
  ASSERT_TRUE(RunUntil([&] { return log2.data == "second!"; }));
}

TEST_F(HostTcpTest, ListenAndConnectCheckTheirAddresses) {
  Build();
  auto noop = [](std::unique_ptr<net::TcpStream>) {};
  auto specific = bob_->ListenTcp(Addr("10.0.0.2:80"), noop);
  ASSERT_TRUE(specific.ok());
  EXPECT_EQ(bob_->ListenTcp(Addr("10.0.0.2:80"), noop).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(bob_->ListenTcp(Addr("0.0.0.0:80"), noop).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto v6_wildcard = bob_->ListenTcp(Addr("[::]:80"), noop);
  EXPECT_TRUE(v6_wildcard.ok());  // IPv6 ports are separate.
  EXPECT_EQ(bob_->ListenTcp(Addr("[2001:db8::2]:80"), noop).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(bob_->ListenTcp(Addr("10.0.0.1:81"), noop).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bob_->ListenTcp(Addr("10.0.0.2:443/tls"), noop).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(bob_->ListenTcp(*TransportAddress::Parse("10.0.0.2:82"), noop)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);  // UDP.
  auto chosen = bob_->ListenTcp(Addr("0.0.0.0:0"), noop);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ((*chosen)->local_address(), Addr("0.0.0.0:49152"));
  // The port is free again once the listener is gone.
  specific->reset();
  EXPECT_TRUE(bob_->ListenTcp(Addr("10.0.0.2:80"), noop).ok());

  EXPECT_EQ(alice_->ConnectTcp(Addr("0.0.0.0:0"), Addr("0.0.0.0:80"), {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(alice_->ConnectTcp(Addr("0.0.0.0:0"), Addr("[2001:db8::2]:80"), {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // No route: the attempt cannot start.
  auto carol = *Host::Create(sim_, "carol");
  InstallTcp(*carol);
  EXPECT_EQ(carol->ConnectTcp(Addr("0.0.0.0:0"), Addr("10.0.0.2:80"), {})
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
  auto fixed =
      alice_->ConnectTcp(Addr("10.0.0.1:5000"), Addr("10.0.0.2:80"), {});
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(alice_->ConnectTcp(Addr("0.0.0.0:5000"), Addr("10.0.0.2:80"), {})
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(HostTcpTest, OrphanThatReceivesDataResetsThePeer) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  alice->Close();
  alice.reset();  // Orderly: FIN, and the connection lingers half closed.
  ASSERT_TRUE(RunUntil([&] { return accepted_[0].log->is_closed(); }));
  EXPECT_TRUE(accepted_[0].log->closed->ok());
  // Bob may still send (half close), but nobody reads at alice's end.
  const Time written = sim_.Now();
  ASSERT_TRUE(accepted_[0].stream->Write(Bytes("anyone?")).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
  // Alice answers with a RST alone (no ACK of the data first).
  const std::string text = sim_.trace().ToText();
  const std::string answer =
      (written + kOneWay).ToString() + " alice sent tcp 10.0.0.1:49152 ";
  const size_t at = text.find(answer);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(text.find(answer, at + 1), std::string::npos);
}

TEST_F(HostTcpTest, OrphanInFinWait2IsForgottenAfterTheTimeout) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  const Time closed = sim_.Now();
  alice->Close();
  alice.reset();
  // Bob never closes. Alice's FIN is acknowledged one RTT later.
  const Time forgotten = closed + kRtt + Duration::Seconds(60);
  sim_.RunFor(forgotten - sim_.Now() - Duration::Nanoseconds(1));
  EXPECT_EQ(alice_tcp_->connection_count(), 1u);
  sim_.RunFor(Duration::Nanoseconds(1));
  EXPECT_EQ(alice_tcp_->connection_count(), 0u);
  // Bob's late data meets a RST.
  ASSERT_TRUE(accepted_[0].stream->Write(Bytes("late")).ok());
  ASSERT_TRUE(sim_.Run().ok());
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
  EXPECT_EQ(accepted_[0].log->closed_count, 1);  // Only the OK at the FIN.
}

TEST_F(HostTcpTest, SimultaneousOpenConnectsBothEnds) {
  Build();
  StreamRecorder alice_log(sim_), bob_log(sim_);
  auto alice = *alice_->ConnectTcp(Addr("10.0.0.1:5000"), Addr("10.0.0.2:6000"),
                                   alice_log.Callbacks());
  auto bob = *bob_->ConnectTcp(Addr("10.0.0.2:6000"), Addr("10.0.0.1:5000"),
                               bob_log.Callbacks());
  ASSERT_TRUE(alice->Write(Bytes("from alice")).ok());
  ASSERT_TRUE(bob->Write(Bytes("from bob")).ok());
  ASSERT_TRUE(RunUntil([&] {
    return alice_log.data == "from bob" && bob_log.data == "from alice";
  }));
  EXPECT_EQ(alice_log.connected_count, 1);
  EXPECT_EQ(bob_log.connected_count, 1);
  EXPECT_EQ(alice_tcp_->connection_count(), 1u);
}

TEST_F(HostTcpTest, ConnectsToItself) {
  Build();
  std::unique_ptr<net::TcpStream> server;
  StreamRecorder server_log(sim_);
  auto listener = *alice_->ListenTcp(
      Addr("10.0.0.1:7"), [&](std::unique_ptr<net::TcpStream> s) {
        server = std::move(s);
        server->SetCallbacks(server_log.Callbacks());
      });
  StreamRecorder log(sim_);
  auto client = *alice_->ConnectTcp(Addr("0.0.0.0:0"), Addr("10.0.0.1:7"),
                                    log.Callbacks());
  ASSERT_TRUE(client->Write(Bytes("loop")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_log.data == "loop"; }));
  EXPECT_EQ(log.connected_at, kT0);  // Local delivery takes no time.
  EXPECT_EQ(client->local_address(), Addr("10.0.0.1:49152"));
  EXPECT_EQ(alice_tcp_->connection_count(), 2u);
  server.reset();
  client.reset();
}

TEST_F(HostTcpTest, Ipv6WithASmallerMtu) {
  HostTcpOptions options;
  options.mtu = 1280;
  Build({.latency = kOneWay, .mtu = 1280}, options);
  EXPECT_EQ(alice_tcp_->ConfigFor(net::AddressFamily::kIpv6).mss, 1220u);
  EXPECT_EQ(alice_tcp_->ConfigFor(net::AddressFamily::kIpv4).mss, 1240u);
  BobListens("[::]:7", /*echo=*/true);
  StreamRecorder log(sim_);
  auto alice = *alice_->ConnectTcp(Addr("[::]:0"), Addr("[2001:db8::2]:7"),
                                   log.Callbacks());
  const std::string payload(20'000, 'v');
  ASSERT_TRUE(alice->Write(Bytes(payload)).ok());
  ASSERT_TRUE(RunUntil([&] { return log.data.size() == payload.size(); }));
  EXPECT_EQ(log.connected_at, kT0 + kRtt);
  EXPECT_EQ(alice->local_address(), Addr("[2001:db8::1]:49152"));
  EXPECT_EQ(accepted_[0].stream->remote_address(), Addr("[2001:db8::1]:49152"));
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kMtuExceeded), 0u);
}

// The MSS comes from the first link's MTU when it is below the option's.
TEST_F(HostTcpTest, SegmentsFitTheFirstLinksMtu) {
  Build({.latency = kOneWay, .mtu = 1280});  // Options left at MTU 1500.
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(alice->Write(Bytes(std::string(3000, 'm'))).ok());
  ASSERT_TRUE(RunUntil([&] {
    return accepted_.size() == 1 && accepted_[0].log->data.size() == 3000;
  }));
  EXPECT_EQ(sim_.trace().CountDrops(DropReason::kMtuExceeded), 0u);
}

// No path MTU discovery: when the path's MTU shrinks under an open
// connection, its full-sized segments are dropped for good.
TEST_F(HostTcpTest, SegmentsLargerThanTheLinkMtuAreDropped) {
  Build({.latency = kOneWay});
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return accepted_.size() == 1; }));
  ASSERT_TRUE(wire_->SetConfig({.latency = kOneWay, .mtu = 1280}).ok());
  ASSERT_TRUE(alice->Write(Bytes(std::string(3000, 'm'))).ok());
  RunUntil([] { return false; }, Duration::Seconds(2));
  EXPECT_GT(sim_.trace().CountDrops(DropReason::kMtuExceeded), 0u);
  EXPECT_EQ(accepted_[0].log->data.size(), 0u);
}

TEST_F(HostTcpTest, ListenerDestroyedInsideItsAcceptCallback) {
  Build();
  std::unique_ptr<net::TcpStream> server;
  StreamRecorder server_log(sim_);
  std::unique_ptr<net::TcpListener> listener;
  listener = *bob_->ListenTcp(
      Addr("10.0.0.2:7"), [&](std::unique_ptr<net::TcpStream> s) {
        listener.reset();  // Destroys the listener running this.
        server = std::move(s);
        server->SetCallbacks(server_log.Callbacks());
      });
  StreamRecorder log1(sim_), log2(sim_);
  std::unique_ptr<net::TcpStream> one = AliceConnects("10.0.0.2:7", log1);
  ASSERT_TRUE(one->Write(Bytes("kept")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_log.data == "kept"; }));
  EXPECT_EQ(listener, nullptr);
  // The port no longer listens: refused.
  std::unique_ptr<net::TcpStream> two = AliceConnects("10.0.0.2:7", log2);
  ASSERT_TRUE(RunUntil([&] { return log2.is_closed(); }));
  EXPECT_NE(log2.closed->message().find("refused"), std::string::npos);
  EXPECT_FALSE(log1.is_closed());
}

TEST_F(HostTcpTest, ListenerDestroyedBeforeTheHandshakeCompletesResets) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  // Bob has answered the SYN (SYN-RECEIVED) when the listener goes.
  ASSERT_TRUE(RunUntil([&] { return bob_tcp_->connection_count() == 1; }));
  listener_.reset();
  EXPECT_EQ(bob_tcp_->connection_count(), 0u);
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(accepted_.empty());
}

TEST_F(HostTcpTest, StreamsOutlivingTheirHostFailSafely) {
  Build();
  BobListens("10.0.0.2:7", /*echo=*/false);
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> alice = AliceConnects("10.0.0.2:7", log);
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  alice_.reset();
  EXPECT_EQ(alice->Write(Bytes("x")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(alice->queued_bytes(), 0u);
  alice->Close();
  alice.reset();
  listener_.reset();
  bob_.reset();
  EXPECT_TRUE(accepted_[0].stream->Write(Bytes("x")).code() ==
              absl::StatusCode::kFailedPrecondition);
  accepted_.clear();
  ASSERT_TRUE(sim_.Run().ok());
}

TEST_F(HostTcpTest, SameSeedSameTrace) {
  auto run = [](uint64_t seed) {
    Simulator sim(seed);
    auto wire =
        *Link::Create(sim, "wire",
                      {.latency = kOneWay,
                       .loss = LossModel::Independent(net::Ratio::Percent(5)),
                       .bandwidth_bps = 2'000'000});
    auto a = *Host::Create(sim, "a");
    auto b = *Host::Create(sim, "b");
    EXPECT_TRUE(a->AddInterface(*wire, LinkEnd::kA,
                                {*net::IpAddress::Parse("10.0.0.1")})
                    .ok());
    EXPECT_TRUE(b->AddInterface(*wire, LinkEnd::kB,
                                {*net::IpAddress::Parse("10.0.0.2")})
                    .ok());
    EXPECT_TRUE(a->SetDefaultRoute(0).ok());
    EXPECT_TRUE(b->SetDefaultRoute(0).ok());
    InstallTcp(*a);
    InstallTcp(*b);
    std::string received;
    std::unique_ptr<net::TcpStream> server;
    auto listener = *b->ListenTcp(
        Addr("10.0.0.2:7"), [&](std::unique_ptr<net::TcpStream> s) {
          server = std::move(s);
          server->SetCallbacks({nullptr,
                                [&](absl::Span<const uint8_t> d) {
                                  received.append(d.begin(), d.end());
                                },
                                nullptr});
        });
    auto client = *a->ConnectTcp(Addr("0.0.0.0:0"), Addr("10.0.0.2:7"), {});
    EXPECT_TRUE(client->Write(Bytes(std::string(50'000, 'd'))).ok());
    client->Close();
    EXPECT_TRUE(sim.Run().ok());
    EXPECT_EQ(received.size(), 50'000u);
    server.reset();
    client.reset();
    listener.reset();
    return sim.trace().Sha256Hex();
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

}  // namespace
}  // namespace pinhole::sim::tcp
