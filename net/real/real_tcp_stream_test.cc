// TCP over the real network, on loopback only (127.0.0.1 and ::1), ports
// always chosen by the system, every run bounded.
#include "net/real/real_tcp_stream.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/real/real_network.h"
#include "net/real/testing/stream_end.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"

namespace pinhole::net::real {
namespace {

constexpr Duration kBound = Duration::Seconds(5);

TransportAddress Tcp(absl::string_view text) {
  absl::StatusOr<TransportAddress> address =
      TransportAddress::Parse(text, TransportProtocol::kTcp);
  EXPECT_TRUE(address.ok()) << address.status();
  return *address;
}

absl::Span<const uint8_t> Bytes(absl::string_view text) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()),
                             text.size());
}

// Byte `i` of a test stream: no period that a reordering could hide behind.
uint8_t PatternByte(size_t i) {
  return static_cast<uint8_t>((i * 7 + i / 251) % 256);
}

// One end of a connection, recording what its callbacks saw.
using End = testing::StreamEnd;

class TcpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RealNetwork>> network =
        RealNetwork::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);
  }

  bool RunUntil(std::function<bool()> done) {
    return network_->RunUntil(done, network_->clock().Now() + kBound);
  }
  // Runs a little longer, to see that nothing more happens.
  void Settle() {
    network_->RunUntil([] { return false; },
                       network_->clock().Now() + Duration::Milliseconds(20));
  }

  // Listens on `host` port 0; accepted streams go to `server`.
  void Listen(absl::string_view host) {
    absl::StatusOr<std::unique_ptr<TcpListener>> listener =
        network_->ListenTcp(Tcp(absl::StrCat(host, ":0")),
                            [this](std::unique_ptr<TcpStream> stream) {
                              stream->SetCallbacks(server_.Callbacks());
                              server_.stream = std::move(stream);
                            });
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
  }

  // Connects `client_` to the listener and runs until both ends are up.
  void Connect(absl::string_view from = "0.0.0.0:0") {
    absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
        Tcp(from), listener_->local_address(), client_.Callbacks());
    ASSERT_TRUE(stream.ok()) << stream.status();
    client_.stream = *std::move(stream);
    ASSERT_TRUE(RunUntil(
        [&] { return client_.connected && server_.stream != nullptr; }));
  }

  bool BothClosed() {
    return client_.closed.has_value() && server_.closed.has_value();
  }

  std::unique_ptr<RealNetwork> network_;
  std::unique_ptr<TcpListener> listener_;
  End client_;
  End server_;
};

TEST_F(TcpTest, ConnectsAndCarriesDataBothWaysOverIpv4) {
  Listen("127.0.0.1");
  EXPECT_NE(listener_->local_address().port(), 0);
  Connect();
  EXPECT_EQ(client_.stream->remote_address(), listener_->local_address());
  EXPECT_EQ(server_.stream->local_address(), listener_->local_address());
  EXPECT_EQ(server_.stream->remote_address(), client_.stream->local_address());
  EXPECT_EQ(client_.stream->local_address().ip(), IpAddress::V4Loopback());
  EXPECT_EQ(client_.stream->local_address().protocol(),
            TransportProtocol::kTcp);
  EXPECT_FALSE(server_.connected);  // Accepted streams are up already.

  ASSERT_TRUE(client_.stream->Write(Bytes("ping")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.data == "ping"; }));
  ASSERT_TRUE(server_.stream->Write(Bytes("pong")).ok());
  ASSERT_TRUE(RunUntil([&] { return client_.data == "pong"; }));
  EXPECT_EQ(client_.closed_calls + server_.closed_calls, 0);
}

TEST_F(TcpTest, ConnectsOverIpv6) {
  Listen("[::1]");
  if (HasFatalFailure()) return;
  Connect("[::]:0");
  EXPECT_EQ(server_.stream->remote_address().ip(), IpAddress::V6Loopback());
  ASSERT_TRUE(client_.stream->Write(Bytes("six")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.data == "six"; }));
}

TEST_F(TcpTest, EightMebibytesArriveInOrder) {
  Listen("127.0.0.1");
  Connect();
  constexpr size_t kTotal = size_t{8} << 20;
  constexpr size_t kChunk = 256 * 1024;
  std::vector<uint8_t> chunk(kChunk);
  size_t written = 0;
  bool refused_once = false;
  // The contract has no "writable" callback: a writer retries on a timer.
  std::unique_ptr<Timer> pump;
  pump = network_->CreateTimer([&] {
    while (written < kTotal) {
      for (size_t i = 0; i < kChunk; ++i) chunk[i] = PatternByte(written + i);
      const absl::Status status = client_.stream->Write(chunk);
      if (status.code() == absl::StatusCode::kResourceExhausted) {
        refused_once = true;
        break;
      }
      ASSERT_TRUE(status.ok()) << status;
      written += kChunk;
    }
    if (written < kTotal) {
      pump->SetAt(network_->clock().Now() + Duration::Milliseconds(1));
    } else {
      client_.stream->Close();
    }
  });
  pump->SetAt(network_->clock().Now());
  ASSERT_TRUE(RunUntil([&] { return server_.closed.has_value(); }));
  EXPECT_TRUE(server_.closed->ok()) << *server_.closed;
  ASSERT_EQ(server_.data.size(), kTotal);
  size_t mismatches = 0;
  for (size_t i = 0; i < kTotal; ++i) {
    mismatches += static_cast<uint8_t>(server_.data[i]) != PatternByte(i);
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_TRUE(refused_once) << "the send buffer never filled";
  EXPECT_EQ(client_.stream->queued_bytes(), 0u);
}

TEST_F(TcpTest, AWriteBeyondTheSendBufferIsRefusedWhole) {
  Listen("127.0.0.1");
  absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
      Tcp("0.0.0.0:0"), listener_->local_address(), client_.Callbacks());
  ASSERT_TRUE(stream.ok()) << stream.status();
  client_.stream = *std::move(stream);
  // Still connecting: everything written waits in the stream.
  std::vector<uint8_t> full(RealTcpStream::kSendBufferLimit);
  for (size_t i = 0; i < full.size(); ++i) full[i] = PatternByte(i);
  ASSERT_TRUE(client_.stream->Write(full).ok());
  EXPECT_EQ(client_.stream->queued_bytes(), full.size());
  EXPECT_EQ(client_.stream->Write(Bytes("x")).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(client_.stream->queued_bytes(), full.size());
  ASSERT_TRUE(RunUntil([&] { return server_.data.size() == full.size(); }));
  EXPECT_EQ(server_.data, std::string(full.begin(), full.end()));
}

TEST_F(TcpTest, OrderlyCloseFromEachSideWithHalfClose) {
  Listen("127.0.0.1");
  Connect();
  ASSERT_TRUE(client_.stream->Write(Bytes("request")).ok());
  client_.stream->Close();
  EXPECT_EQ(client_.stream->Write(Bytes("late")).code(),
            absl::StatusCode::kFailedPrecondition);
  // The server reads everything, then the FIN.
  ASSERT_TRUE(RunUntil([&] { return server_.closed.has_value(); }));
  EXPECT_TRUE(server_.closed->ok()) << *server_.closed;
  EXPECT_EQ(server_.data, "request");
  // Half closed: the server may still answer.
  ASSERT_TRUE(server_.stream->Write(Bytes("response")).ok());
  server_.stream->Close();
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_TRUE(client_.closed->ok()) << *client_.closed;
  EXPECT_EQ(client_.data, "response");
  Settle();
  EXPECT_EQ(client_.closed_calls, 1);
  EXPECT_EQ(server_.closed_calls, 1);
}

TEST_F(TcpTest, ARefusedConnectIsReportedByOnClosed) {
  Listen("127.0.0.1");
  const TransportAddress nobody = listener_->local_address();
  listener_.reset();
  absl::StatusOr<std::unique_ptr<TcpStream>> stream =
      network_->ConnectTcp(Tcp("0.0.0.0:0"), nobody, client_.Callbacks());
  ASSERT_TRUE(stream.ok()) << stream.status();
  client_.stream = *std::move(stream);
  EXPECT_EQ(client_.closed_calls, 0);  // Never inside ConnectTcp.
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_EQ(client_.closed->code(), absl::StatusCode::kUnavailable)
      << *client_.closed;
  EXPECT_NE(client_.closed->message().find(nobody.HostPort()),
            std::string::npos)
      << *client_.closed;
  EXPECT_FALSE(client_.connected);
  EXPECT_EQ(client_.stream->Write(Bytes("x")).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TcpTest, DestroyingAStreamAbortsTheConnection) {
  Listen("127.0.0.1");
  Connect();
  ASSERT_TRUE(server_.stream->Write(Bytes("unread")).ok());
  server_.stream.reset();
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_EQ(client_.closed->code(), absl::StatusCode::kUnavailable)
      << *client_.closed;
}

TEST_F(TcpTest, AWriteThatMeetsAResetReportsItAfterTheCall) {
  Listen("127.0.0.1");
  Connect();
  server_.stream.reset();  // The RST reaches the client's kernel at once.
  const absl::Status status = client_.stream->Write(Bytes("x"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(client_.closed_calls, 0);  // Never inside Write.
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_EQ(*client_.closed, status);
  Settle();
  EXPECT_EQ(client_.closed_calls, 1);
}

TEST_F(TcpTest, AStreamDestroyedAfterCloseStillDeliversItsQueue) {
  Listen("127.0.0.1");
  std::vector<uint8_t> payload(RealTcpStream::kSendBufferLimit);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = PatternByte(i);
  TcpStream::Callbacks callbacks;
  callbacks.on_connected = [&] {
    ASSERT_TRUE(client_.stream->Write(payload).ok());
    EXPECT_GT(client_.stream->queued_bytes(), 0u);
    client_.stream->Close();
    client_.stream.reset();  // Inside its own callback, with bytes queued.
  };
  absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
      Tcp("127.0.0.1:0"), listener_->local_address(), std::move(callbacks));
  ASSERT_TRUE(stream.ok()) << stream.status();
  client_.stream = *std::move(stream);
  ASSERT_TRUE(RunUntil([&] { return server_.closed.has_value(); }));
  EXPECT_TRUE(server_.closed->ok()) << *server_.closed;
  EXPECT_EQ(server_.data.size(), payload.size());
  EXPECT_EQ(server_.data, std::string(payload.begin(), payload.end()));
}

TEST_F(TcpTest, CallbacksMayReplaceTheCallbacksOrDestroyTheStream) {
  Listen("127.0.0.1");
  Connect();
  std::string replaced;
  server_.after_data = [&] {
    server_.stream->SetCallbacks(
        {.on_data =
             [&](absl::Span<const uint8_t> bytes) {
               replaced.append(bytes.begin(), bytes.end());
               server_.stream.reset();
             },
         .on_closed =
             [](const absl::Status&) {
               ADD_FAILURE() << "on_closed after destruction";
             }});
  };
  ASSERT_TRUE(client_.stream->Write(Bytes("first")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.data == "first"; }));
  ASSERT_TRUE(client_.stream->Write(Bytes("second")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.stream == nullptr; }));
  EXPECT_EQ(replaced, "second");
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
}

TEST_F(TcpTest, ListenAndConnectRefuseUnconfiguredTlsAndBadAddresses) {
  const auto unused = [](std::unique_ptr<TcpStream>) {};
  // TLS listens need a certificate (real_tls_stream_test.cc covers TLS).
  const absl::Status tls =
      network_->ListenTcp(Tcp("127.0.0.1:0/tls"), unused).status();
  EXPECT_EQ(tls.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(tls.message().find("SetTlsServerConfig"), std::string::npos) << tls;
  // One protocol for both ends.
  EXPECT_EQ(network_->ConnectTcp(Tcp("0.0.0.0:0"), Tcp("127.0.0.1:1/tls"), {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(network_->ListenTcp(Tcp("127.0.0.1:0/udp"), unused).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(network_->ConnectTcp(Tcp("0.0.0.0:0"), Tcp("[::1]:1"), {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(network_->ConnectTcp(Tcp("0.0.0.0:0"), Tcp("127.0.0.1:0"), {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TcpTest, AListeningPortInUseIsAlreadyExists) {
  Listen("127.0.0.1");
  const absl::Status status = network_
                                  ->ListenTcp(listener_->local_address(),
                                              [](std::unique_ptr<TcpStream>) {})
                                  .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_NE(status.message().find(listener_->local_address().HostPort()),
            std::string::npos)
      << status;
}

TEST_F(TcpTest, AListenerMayBeDestroyedInsideItsCallback) {
  absl::StatusOr<std::unique_ptr<TcpListener>> listener = network_->ListenTcp(
      Tcp("127.0.0.1:0"), [this](std::unique_ptr<TcpStream> stream) {
        stream->SetCallbacks(server_.Callbacks());
        server_.stream = std::move(stream);
        listener_.reset();
      });
  ASSERT_TRUE(listener.ok()) << listener.status();
  listener_ = *std::move(listener);
  Connect();
  EXPECT_EQ(listener_, nullptr);
  ASSERT_TRUE(client_.stream->Write(Bytes("still")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.data == "still"; }));
}

}  // namespace
}  // namespace pinhole::net::real
