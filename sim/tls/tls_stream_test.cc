// TLS streams between two simulated hosts: what a user of `InstallTls` relies
// on, with exact simulated instants.
#include "sim/tls/tls_stream.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/tls/test_credentials.h"
#include "net/transport_address.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/simulator.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tcp/stream_recorder.h"
#include "sim/tls/install_tls.h"
#include "sim/tls/sim_tls_config.h"

namespace pinhole::sim::tls {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;
using tcp::StreamRecorder;

constexpr Duration kOneWay = Duration::Milliseconds(10);
constexpr Duration kRtt = kOneWay * 2;
constexpr Time kT0 = Simulator::kEpoch;

TransportAddress Tls(const char* text) {
  return *TransportAddress::Parse(text, net::TransportProtocol::kTls);
}
TransportAddress Tcp(const char* text) {
  return *TransportAddress::Parse(text, net::TransportProtocol::kTcp);
}
absl::Span<const uint8_t> Bytes(absl::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

// client (10.0.0.1) ──wire 10 ms── server (198.51.100.1 and 198.51.100.9,
// the second not named by the test certificate), both with TCP and TLS.
class TlsStreamTest : public ::testing::Test {
 protected:
  struct Accepted {
    Time at;
    std::unique_ptr<StreamRecorder> log;
    std::unique_ptr<net::TcpStream> stream;
  };

  void Build(const SimTlsConfig& client_config = {}) {
    wire_ = *Link::Create(sim_, "wire", {.latency = kOneWay});
    client_ = *Host::Create(sim_, "client");
    server_ = *Host::Create(sim_, "server");
    ASSERT_TRUE(client_
                    ->AddInterface(*wire_, LinkEnd::kA,
                                   {*net::IpAddress::Parse("10.0.0.1")})
                    .ok());
    ASSERT_TRUE(server_
                    ->AddInterface(*wire_, LinkEnd::kB,
                                   {*net::IpAddress::Parse("198.51.100.1"),
                                    *net::IpAddress::Parse("198.51.100.9")})
                    .ok());
    ASSERT_TRUE(client_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(server_->SetDefaultRoute(0).ok());
    tcp::InstallTcp(*client_);
    tcp::InstallTcp(*server_);
    ASSERT_TRUE(InstallTls(*client_, client_config).ok());
    ASSERT_TRUE(InstallTls(*server_).ok());
  }

  // The server listens at `local`; with `echo`, each accepted stream writes
  // back what it receives and closes when the client has.
  void ServerListens(const TransportAddress& local, bool echo) {
    auto listener = server_->ListenTcp(
        local, [this, echo](std::unique_ptr<net::TcpStream> stream) {
          accepted_.push_back(
              {sim_.Now(), std::make_unique<StreamRecorder>(sim_), nullptr});
          Accepted& a = accepted_.back();
          net::TcpStream* raw = stream.get();
          if (echo) {
            a.log->also_on_data = [raw](absl::Span<const uint8_t> bytes) {
              ASSERT_TRUE(raw->Write(bytes).ok());
            };
            a.log->also_on_closed = [raw](const absl::Status&) {
              raw->Close();
            };
          }
          stream->SetCallbacks(a.log->Callbacks());
          a.stream = std::move(stream);
        });
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
  }

  std::unique_ptr<net::TcpStream> ClientConnects(const TransportAddress& remote,
                                                 StreamRecorder& log) {
    auto stream =
        client_->ConnectTcp(Tls("0.0.0.0:0"), remote, log.Callbacks());
    EXPECT_TRUE(stream.ok()) << stream.status();
    return stream.ok() ? *std::move(stream) : nullptr;
  }

  bool RunUntil(const std::function<bool()>& done,
                Duration limit = Duration::Seconds(60)) {
    return sim_.RunUntil(done, sim_.Now() + limit);
  }

  Simulator sim_{1};
  std::unique_ptr<Link> wire_;
  std::unique_ptr<Host> client_, server_;
  // Streams and listeners go before the hosts.
  std::unique_ptr<net::TcpListener> listener_;
  std::vector<Accepted> accepted_;
};

TEST_F(TlsStreamTest, CarriesBytesBothWaysAndClosesInOrder) {
  ASSERT_NO_FATAL_FAILURE(Build());
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tls("198.51.100.1:443"), true));
  EXPECT_EQ(listener_->local_address(), Tls("198.51.100.1:443"));
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->remote_address(), Tls("198.51.100.1:443"));
  EXPECT_EQ(client->local_address().protocol(), net::TransportProtocol::kTls);
  // Written before the handshake: sent after it.
  ASSERT_TRUE(client->Write(Bytes("early ")).ok());

  ASSERT_TRUE(RunUntil([&] { return log.connected_count > 0; }));
  // TCP's SYN and SYN-ACK, then TLS 1.3's one round trip.
  EXPECT_EQ(*log.connected_at, kT0 + 2 * kRtt);
  EXPECT_EQ(static_cast<TlsStream*>(client.get())->protocol_version(),
            "TLSv1.3");
  ASSERT_TRUE(RunUntil([&] { return !accepted_.empty(); }));
  // The server's handshake ends with the client's Finished.
  EXPECT_EQ(accepted_[0].at, kT0 + 2 * kRtt + kOneWay);
  EXPECT_EQ(accepted_[0].stream->remote_address().ip(),
            *net::IpAddress::Parse("10.0.0.1"));

  const std::string big(100 * 1024, 'z');
  ASSERT_TRUE(client->Write(Bytes(big)).ok());
  const std::string expected = "early " + big;
  ASSERT_TRUE(RunUntil([&] { return log.data.size() == expected.size(); }));
  EXPECT_EQ(accepted_[0].log->data, expected);
  EXPECT_EQ(log.data, expected);

  client->Close();
  EXPECT_FALSE(client->Write(Bytes("late")).ok());
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_TRUE(accepted_[0].log->closed->ok()) << *accepted_[0].log->closed;
  EXPECT_TRUE(log.closed->ok()) << *log.closed;
  EXPECT_EQ(log.closed_count, 1);
  EXPECT_EQ(*accepted_[0].log->closed_at + kOneWay, *log.closed_at);
}

TEST_F(TlsStreamTest, ServerSpeaksFirstAfterAccept) {
  ASSERT_NO_FATAL_FAILURE(Build());
  listener_ = *server_->ListenTcp(
      Tls("0.0.0.0:443"), [this](std::unique_ptr<net::TcpStream> stream) {
        accepted_.push_back(
            {sim_.Now(), std::make_unique<StreamRecorder>(sim_), nullptr});
        stream->SetCallbacks(accepted_.back().log->Callbacks());
        ASSERT_TRUE(stream->Write(Bytes("welcome")).ok());
        accepted_.back().stream = std::move(stream);
      });
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  ASSERT_TRUE(RunUntil([&] { return log.data == "welcome"; }));
  EXPECT_EQ(log.data_at[0], kT0 + 3 * kRtt);
}

TEST_F(TlsStreamTest, UntrustedServerFailsAsUnauthenticated) {
  SimTlsConfig config;
  config.trusted_ca_pem = std::string(net::tls::UntrustedCaCertificatePem());
  ASSERT_NO_FATAL_FAILURE(Build(config));
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tls("198.51.100.1:443"), true));
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  ASSERT_TRUE(client->Write(Bytes("secret")).ok());
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(log.connected_count, 0);
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kUnauthenticated)
      << *log.closed;
  EXPECT_NE(log.closed->message().find("certificate verify failed"),
            absl::string_view::npos)
      << *log.closed;
  // The client fails on the server's flight, a round trip after its hello.
  EXPECT_EQ(*log.closed_at, kT0 + 2 * kRtt);
  sim_.RunFor(Duration::Seconds(30));
  EXPECT_TRUE(accepted_.empty());
}

TEST_F(TlsStreamTest, IdentityCheckAcceptsTheNamedAddressOnly) {
  SimTlsConfig config;
  config.verify_server_identity = true;
  ASSERT_NO_FATAL_FAILURE(Build(config));
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tls("0.0.0.0:443"), true));
  StreamRecorder named(sim_), unnamed(sim_);
  std::unique_ptr<net::TcpStream> good =
      ClientConnects(Tls("198.51.100.1:443"), named);
  std::unique_ptr<net::TcpStream> bad =
      ClientConnects(Tls("198.51.100.9:443"), unnamed);
  ASSERT_TRUE(RunUntil(
      [&] { return named.connected_count > 0 && unnamed.is_closed(); }));
  EXPECT_EQ(unnamed.closed->code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(unnamed.closed->message().find("IP address mismatch"),
            absl::string_view::npos)
      << *unnamed.closed;
}

TEST_F(TlsStreamTest, ServerNameIsCheckedAgainstTheCertificate) {
  SimTlsConfig config;
  config.verify_server_identity = true;
  config.server_name = "other.pinhole.test";
  ASSERT_NO_FATAL_FAILURE(Build(config));
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tls("198.51.100.1:443"), true));
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kUnauthenticated)
      << *log.closed;
}

TEST_F(TlsStreamTest, PlainTcpPassesThroughUnchanged) {
  ASSERT_NO_FATAL_FAILURE(Build());
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tcp("198.51.100.1:80"), true));
  StreamRecorder log(sim_);
  auto client = client_->ConnectTcp(Tcp("0.0.0.0:0"), Tcp("198.51.100.1:80"),
                                    log.Callbacks());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Write(Bytes("plain")).ok());
  ASSERT_TRUE(RunUntil([&] { return log.data == "plain"; }));
  EXPECT_EQ(*log.connected_at, kT0 + kRtt);
  EXPECT_EQ(accepted_[0].stream->remote_address().protocol(),
            net::TransportProtocol::kTcp);
}

TEST_F(TlsStreamTest, TlsAndTcpShareThePortSpace) {
  ASSERT_NO_FATAL_FAILURE(Build());
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tls("198.51.100.1:443"), true));
  auto plain = server_->ListenTcp(Tcp("198.51.100.1:443"),
                                  [](std::unique_ptr<net::TcpStream>) {});
  EXPECT_FALSE(plain.ok());
}

TEST_F(TlsStreamTest, PlainTcpPeerFailsTheHandshake) {
  ASSERT_NO_FATAL_FAILURE(Build());
  // Speaks plain TCP on 443: answers the client hello with text.
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tcp("198.51.100.1:443"), true));
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(log.connected_count, 0);
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kUnavailable) << *log.closed;
}

TEST_F(TlsStreamTest, SilentServerTimesOutTheHandshake) {
  ASSERT_NO_FATAL_FAILURE(Build());
  // Accepts TCP and says nothing.
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tcp("198.51.100.1:443"), false));
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kDeadlineExceeded)
      << *log.closed;
  EXPECT_EQ(*log.closed_at, kT0 + kRtt + Duration::Seconds(10));
}

TEST_F(TlsStreamTest, RefusedConnectionReportsTcpStatus) {
  ASSERT_NO_FATAL_FAILURE(Build());
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  ASSERT_TRUE(RunUntil([&] { return log.is_closed(); }));
  EXPECT_EQ(log.closed->code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(*log.closed_at, kT0 + kRtt);
}

TEST_F(TlsStreamTest, DestroyingTheStreamInsideItsCallbackIsSafe) {
  ASSERT_NO_FATAL_FAILURE(Build());
  ASSERT_NO_FATAL_FAILURE(ServerListens(Tls("198.51.100.1:443"), true));
  StreamRecorder log(sim_);
  std::unique_ptr<net::TcpStream> client =
      ClientConnects(Tls("198.51.100.1:443"), log);
  client->SetCallbacks({.on_connected = [&client] { client.reset(); }});
  ASSERT_TRUE(RunUntil([&] { return client == nullptr; }));
  sim_.RunFor(Duration::Seconds(1));
  // The abort reached the server's stream.
  ASSERT_EQ(accepted_.size(), 1u);
  ASSERT_TRUE(accepted_[0].log->is_closed());
  EXPECT_FALSE(accepted_[0].log->closed->ok());
}

TEST(InstallTlsTest, NeedsTheHostsTcp) {
  Simulator sim(1);
  std::unique_ptr<Host> host = *Host::Create(sim, "lonely");
  EXPECT_EQ(InstallTls(*host).code(), absl::StatusCode::kFailedPrecondition);
  tcp::InstallTcp(*host);
  EXPECT_TRUE(InstallTls(*host).ok());
  EXPECT_EQ(InstallTls(*host).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(InstallTlsTest, RejectsMismatchedCredentials) {
  Simulator sim(1);
  std::unique_ptr<Host> host = *Host::Create(sim, "server");
  tcp::InstallTcp(*host);
  SimTlsConfig config;
  config.cert_chain_pem = std::string(net::tls::TestCaCertificatePem());
  config.private_key_pem = std::string(net::tls::TestServerPrivateKeyPem());
  EXPECT_EQ(InstallTls(*host, config).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pinhole::sim::tls
