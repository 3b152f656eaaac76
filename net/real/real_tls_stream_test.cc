// TLS over the real network, on loopback only (127.0.0.1 and ::1), ports
// always chosen by the system, certificates made fresh by each test, every
// run bounded. The fixture's network is destroyed last, so a stream, timer or
// linger left behind aborts the test (event_loop.h, "Lifetime").
#include "net/real/real_tls_stream.h"

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
#include "net/real/testing/self_signed_certificate.h"
#include "net/real/testing/stream_end.h"
#include "net/real/tls_config.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"

namespace pinhole::net::real {
namespace {

constexpr Duration kBound = Duration::Seconds(5);

TransportAddress Address(absl::string_view text, TransportProtocol protocol) {
  absl::StatusOr<TransportAddress> address =
      TransportAddress::Parse(text, protocol);
  EXPECT_TRUE(address.ok()) << address.status();
  return *address;
}
TransportAddress Tls(absl::string_view text) {
  return Address(text, TransportProtocol::kTls);
}
TransportAddress Tcp(absl::string_view text) {
  return Address(text, TransportProtocol::kTcp);
}
TransportAddress AsTcp(const TransportAddress& address) {
  return TransportAddress(address.ip(), address.port(),
                          TransportProtocol::kTcp);
}

absl::Span<const uint8_t> Bytes(absl::string_view text) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()),
                             text.size());
}

// Byte `i` of a test stream: no period that a reordering could hide behind.
uint8_t PatternByte(size_t i, uint8_t seed = 0) {
  return static_cast<uint8_t>((i * 7 + i / 251 + seed) % 256);
}
std::vector<uint8_t> Pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = PatternByte(i, seed);
  return bytes;
}
size_t Mismatches(const std::string& got, const std::vector<uint8_t>& want) {
  if (got.size() != want.size()) return want.size();
  size_t mismatches = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    mismatches += static_cast<uint8_t>(got[i]) != want[i];
  }
  return mismatches;
}

bool Contains(const absl::Status& status, absl::string_view text) {
  return absl::string_view(status.message()).find(text) !=
         absl::string_view::npos;
}

// One end of a connection, recording what its callbacks saw.
using End = testing::StreamEnd;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RealNetwork>> network =
        RealNetwork::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);
    server_cert_ = MakeCertificate("server");
  }

  // A fresh certificate in a directory of this test's own.
  CertificateFiles MakeCertificate(absl::string_view name,
                                   SelfSignedCertificateOptions options = {}) {
    const std::string directory = absl::StrCat(
        ::testing::TempDir(), "/",
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), "-",
        name);
    absl::StatusOr<CertificateFiles> files =
        WriteSelfSignedCertificate(directory, options);
    EXPECT_TRUE(files.ok()) << files.status();
    return files.ok() ? *files : CertificateFiles();
  }

  void ConfigureServer(TlsServerConfig config = {}) {
    if (config.cert_chain_file.empty()) {
      config.cert_chain_file = server_cert_.cert_file;
      config.private_key_file = server_cert_.key_file;
    }
    const absl::Status status = network_->SetTlsServerConfig(config);
    ASSERT_TRUE(status.ok()) << status;
  }
  // Trusts the server's certificate unless told otherwise.
  void ConfigureClient(TlsClientConfig config = {}) {
    if (config.ca_file.empty() && config.verify_peer) {
      config.ca_file = server_cert_.cert_file;
    }
    const absl::Status status = network_->SetTlsClientConfig(config);
    ASSERT_TRUE(status.ok()) << status;
  }

  bool RunUntil(std::function<bool()> done) {
    return network_->RunUntil(done, network_->clock().Now() + kBound);
  }
  // Runs a little longer, to see that nothing more happens.
  void Settle() {
    network_->RunUntil([] { return false; },
                       network_->clock().Now() + Duration::Milliseconds(50));
  }

  // Listens for TLS on `host` port 0; accepted streams go to `server_`.
  void Listen(absl::string_view host) {
    absl::StatusOr<std::unique_ptr<TcpListener>> listener =
        network_->ListenTcp(Tls(absl::StrCat(host, ":0")),
                            [this](std::unique_ptr<TcpStream> stream) {
                              ++accepted_;
                              stream->SetCallbacks(server_.Callbacks());
                              server_.stream = std::move(stream);
                            });
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
  }

  // Starts connecting `client_` to the listener over TLS.
  void StartConnect(absl::string_view from = "0.0.0.0:0") {
    absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
        Tls(from), listener_->local_address(), client_.Callbacks());
    ASSERT_TRUE(stream.ok()) << stream.status();
    client_.stream = *std::move(stream);
  }
  // Connects and runs until both ends are up.
  void Connect(absl::string_view from = "0.0.0.0:0") {
    StartConnect(from);
    ASSERT_TRUE(RunUntil([&] {
      return (client_.connected && server_.stream != nullptr) ||
             client_.closed.has_value();
    }));
    ASSERT_FALSE(client_.closed.has_value()) << *client_.closed;
  }
  // Starts connecting and runs until the client's attempt ends in failure.
  absl::Status ConnectExpectingFailure() {
    StartConnect();
    EXPECT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
    EXPECT_FALSE(client_.connected);
    Settle();
    EXPECT_EQ(accepted_, 0);
    return client_.closed.value_or(absl::UnknownError("still connecting"));
  }

  RealTlsStream& AsTls(const std::unique_ptr<TcpStream>& stream) {
    auto* tls = dynamic_cast<RealTlsStream*>(stream.get());
    EXPECT_NE(tls, nullptr);
    return *tls;
  }

  // Declared first: destroyed last.
  std::unique_ptr<RealNetwork> network_;
  CertificateFiles server_cert_;
  std::unique_ptr<TcpListener> listener_;
  int accepted_ = 0;
  End client_;
  End server_;
};

TEST_F(TlsTest, HandshakesThenCarriesDataBothWaysOverIpv4) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  EXPECT_EQ(listener_->local_address().protocol(), TransportProtocol::kTls);
  EXPECT_NE(listener_->local_address().port(), 0);
  Connect();
  EXPECT_EQ(client_.stream->remote_address(), listener_->local_address());
  EXPECT_EQ(server_.stream->local_address(), listener_->local_address());
  EXPECT_EQ(server_.stream->remote_address(), client_.stream->local_address());
  EXPECT_EQ(client_.stream->local_address().ip(), IpAddress::V4Loopback());
  EXPECT_EQ(client_.stream->local_address().protocol(),
            TransportProtocol::kTls);
  EXPECT_FALSE(server_.connected);  // Accepted streams are up already.

  ASSERT_TRUE(client_.stream->Write(Bytes("ping")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.data == "ping"; }));
  ASSERT_TRUE(server_.stream->Write(Bytes("pong")).ok());
  ASSERT_TRUE(RunUntil([&] { return client_.data == "pong"; }));
  EXPECT_EQ(client_.stream->queued_bytes(), 0u);
  EXPECT_EQ(client_.closed_calls + server_.closed_calls, 0);
}

TEST_F(TlsTest, HandshakesThenCarriesDataBothWaysOverIpv6) {
  ConfigureServer();
  ConfigureClient();
  Listen("[::1]");
  Connect("[::]:0");
  EXPECT_EQ(server_.stream->remote_address().ip(), IpAddress::V6Loopback());
  EXPECT_EQ(server_.stream->remote_address().protocol(),
            TransportProtocol::kTls);
  ASSERT_TRUE(client_.stream->Write(Bytes("six")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.data == "six"; }));
  ASSERT_TRUE(server_.stream->Write(Bytes("xis")).ok());
  ASSERT_TRUE(RunUntil([&] { return client_.data == "xis"; }));
}

TEST_F(TlsTest, AMebibyteEachWayArrivesIntact) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  Connect();
  constexpr size_t kTotal = size_t{1} << 20;
  const std::vector<uint8_t> up = Pattern(kTotal, 1);
  const std::vector<uint8_t> down = Pattern(kTotal, 2);
  ASSERT_TRUE(client_.stream->Write(up).ok());
  ASSERT_TRUE(server_.stream->Write(down).ok());
  client_.stream->Close();
  server_.stream->Close();
  ASSERT_TRUE(RunUntil([&] {
    return client_.closed.has_value() && server_.closed.has_value();
  }));
  EXPECT_TRUE(client_.closed->ok()) << *client_.closed;
  EXPECT_TRUE(server_.closed->ok()) << *server_.closed;
  EXPECT_EQ(Mismatches(server_.data, up), 0u);
  EXPECT_EQ(Mismatches(client_.data, down), 0u);
}

TEST_F(TlsTest, ManySmallWritesArriveInOrder) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  Connect();
  std::string sent;
  for (int i = 0; i < 5000; ++i) {
    const std::string piece = absl::StrCat(i, ",");
    ASSERT_TRUE(client_.stream->Write(Bytes(piece)).ok()) << i;
    sent += piece;
  }
  ASSERT_TRUE(RunUntil([&] { return server_.data.size() >= sent.size(); }));
  EXPECT_EQ(server_.data, sent);
}

TEST_F(TlsTest, WritesWhileConnectingAreSentAfterTheHandshakeAndBounded) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  StartConnect();
  // Still connecting: everything written waits in the stream, up to its
  // limit, and a write that does not fit is refused whole.
  constexpr size_t kChunk = 256 * 1024;
  std::vector<uint8_t> all;
  for (;;) {
    const std::vector<uint8_t> chunk =
        Pattern(kChunk, static_cast<uint8_t>(all.size() / kChunk));
    const size_t before = client_.stream->queued_bytes();
    const absl::Status status = client_.stream->Write(chunk);
    if (status.code() == absl::StatusCode::kResourceExhausted) {
      EXPECT_EQ(client_.stream->queued_bytes(), before);
      break;
    }
    ASSERT_TRUE(status.ok()) << status;
    all.insert(all.end(), chunk.begin(), chunk.end());
  }
  EXPECT_LE(client_.stream->queued_bytes(), RealTlsStream::kSendBufferLimit);
  EXPECT_GE(all.size(), RealTlsStream::kSendBufferLimit - kChunk);
  EXPECT_FALSE(client_.connected);
  ASSERT_TRUE(RunUntil([&] { return server_.data.size() >= all.size(); }));
  EXPECT_EQ(Mismatches(server_.data, all), 0u);
  EXPECT_TRUE(client_.connected);
  EXPECT_EQ(client_.stream->queued_bytes(), 0u);
}

TEST_F(TlsTest, OrderlyCloseFromTheClientWithHalfClose) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  Connect();
  ASSERT_TRUE(client_.stream->Write(Bytes("request")).ok());
  client_.stream->Close();
  EXPECT_EQ(client_.stream->Write(Bytes("late")).code(),
            absl::StatusCode::kFailedPrecondition);
  // The server reads everything, then the close_notify.
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

TEST_F(TlsTest, OrderlyCloseFromTheServer) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  Connect();
  ASSERT_TRUE(server_.stream->Write(Bytes("goodbye")).ok());
  server_.stream->Close();
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_TRUE(client_.closed->ok()) << *client_.closed;
  EXPECT_EQ(client_.data, "goodbye");
  client_.stream->Close();
  ASSERT_TRUE(RunUntil([&] { return server_.closed.has_value(); }));
  EXPECT_TRUE(server_.closed->ok()) << *server_.closed;
  Settle();
  EXPECT_EQ(client_.closed_calls, 1);
  EXPECT_EQ(server_.closed_calls, 1);
}

TEST_F(TlsTest, ACloseWhileConnectingTakesEffectAfterTheHandshake) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  StartConnect();
  ASSERT_TRUE(client_.stream->Write(Bytes("early")).ok());
  client_.stream->Close();
  ASSERT_TRUE(RunUntil([&] { return server_.closed.has_value(); }));
  EXPECT_TRUE(client_.connected);
  EXPECT_TRUE(server_.closed->ok()) << *server_.closed;
  EXPECT_EQ(server_.data, "early");
}

TEST_F(TlsTest, AStreamDestroyedAfterCloseStillDeliversItsQueue) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  std::vector<uint8_t> payload;
  TcpStream::Callbacks callbacks;
  callbacks.on_connected = [&] {
    // Until the kernel and then the stream are full.
    for (;;) {
      const std::vector<uint8_t> chunk = Pattern(
          256 * 1024, static_cast<uint8_t>(payload.size() / (256 * 1024)));
      const absl::Status status = client_.stream->Write(chunk);
      if (status.code() == absl::StatusCode::kResourceExhausted) break;
      ASSERT_TRUE(status.ok()) << status;
      payload.insert(payload.end(), chunk.begin(), chunk.end());
    }
    EXPECT_GT(client_.stream->queued_bytes(), 0u);
    client_.stream->Close();
    client_.stream.reset();  // Inside its own callback, with records queued.
  };
  absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
      Tls("127.0.0.1:0"), listener_->local_address(), std::move(callbacks));
  ASSERT_TRUE(stream.ok()) << stream.status();
  client_.stream = *std::move(stream);
  ASSERT_TRUE(RunUntil([&] { return server_.closed.has_value(); }));
  EXPECT_EQ(client_.stream, nullptr);
  EXPECT_TRUE(server_.closed->ok()) << *server_.closed;
  EXPECT_EQ(Mismatches(server_.data, payload), 0u);
}

TEST_F(TlsTest, DestroyingAStreamAbortsTheConnection) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  Connect();
  server_.stream.reset();
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_EQ(client_.closed->code(), absl::StatusCode::kUnavailable)
      << *client_.closed;
}

TEST_F(TlsTest, DestroyingAClientDuringItsHandshakeLeavesNothingBehind) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  StartConnect();
  // Some of the handshake happens, not all of it.
  network_->RunUntil([] { return false; },
                     network_->clock().Now() + Duration::Milliseconds(1));
  client_.stream.reset();
  Settle();
  EXPECT_LE(accepted_, 1);
}

TEST_F(TlsTest, AClientRejectsACertificateFromAnotherAuthority) {
  ConfigureServer();
  const CertificateFiles other = MakeCertificate("other");
  ConfigureClient({.ca_file = other.cert_file});
  Listen("127.0.0.1");
  const absl::Status status = ConnectExpectingFailure();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_TRUE(Contains(status, "certificate verify failed")) << status;
  EXPECT_TRUE(Contains(status, listener_->local_address().HostPort()))
      << status;
}

TEST_F(TlsTest, AClientRejectsACertificateForAnotherName) {
  ConfigureServer();
  ConfigureClient({.server_name = "turn.example"});
  Listen("127.0.0.1");
  const absl::Status status = ConnectExpectingFailure();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_TRUE(Contains(status, "certificate verify failed")) << status;
  EXPECT_TRUE(Contains(status, "hostname mismatch")) << status;
}

TEST_F(TlsTest, AClientAcceptsACertificateForItsServerName) {
  ConfigureServer();
  ConfigureClient({.server_name = "localhost"});
  Listen("127.0.0.1");
  Connect();
}

TEST_F(TlsTest, WithoutAServerNameTheCertificateMustNameTheRemoteIp) {
  server_cert_ =
      MakeCertificate("dns-only", {.subject_alt_names = {"DNS:localhost"}});
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  const absl::Status status = ConnectExpectingFailure();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_TRUE(Contains(status, "IP address mismatch")) << status;
}

TEST_F(TlsTest, WithoutVerificationAClientConnectsToAnyServer) {
  ConfigureServer();
  ConfigureClient({.verify_peer = false});
  Listen("127.0.0.1");
  Connect();
  ASSERT_TRUE(client_.stream->Write(Bytes("trusting")).ok());
  ASSERT_TRUE(RunUntil([&] { return server_.data == "trusting"; }));
}

TEST_F(TlsTest, WithDefaultsAClientTrustsTheSystemStoreOnly) {
  ConfigureServer();
  // No SetTlsClientConfig: OpenSSL's default verify paths, which do not hold
  // this test's certificate.
  Listen("127.0.0.1");
  const absl::Status status = ConnectExpectingFailure();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_TRUE(Contains(status, "certificate verify failed")) << status;
}

TEST_F(TlsTest, AlpnAgreesOnStunTurn) {
  ConfigureServer({.cert_chain_file = server_cert_.cert_file,
                   .private_key_file = server_cert_.key_file,
                   .alpn_protocols = {"stun.turn", "stun.nat-discovery"}});
  ConfigureClient({.alpn_protocols = {"h2", "stun.turn"}});
  Listen("127.0.0.1");
  Connect();
  EXPECT_EQ(AsTls(client_.stream).alpn_protocol(), "stun.turn");
  EXPECT_EQ(AsTls(server_.stream).alpn_protocol(), "stun.turn");
}

TEST_F(TlsTest, AlpnIsOptionalForTheClient) {
  ConfigureServer({.cert_chain_file = server_cert_.cert_file,
                   .private_key_file = server_cert_.key_file,
                   .alpn_protocols = {"stun.turn"}});
  ConfigureClient();
  Listen("127.0.0.1");
  Connect();
  EXPECT_EQ(AsTls(client_.stream).alpn_protocol(), "");
  EXPECT_EQ(AsTls(server_.stream).alpn_protocol(), "");
}

TEST_F(TlsTest, AServerRefusesAClientOfferingOnlyOtherProtocols) {
  ConfigureServer({.cert_chain_file = server_cert_.cert_file,
                   .private_key_file = server_cert_.key_file,
                   .alpn_protocols = {"stun.turn"}});
  ConfigureClient({.alpn_protocols = {"h2"}});
  Listen("127.0.0.1");
  const absl::Status status = ConnectExpectingFailure();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_TRUE(Contains(status, "no application protocol")) << status;
}

TEST_F(TlsTest, APlainTcpClientNeverReachesTheAcceptCallback) {
  ConfigureServer();
  Listen("127.0.0.1");
  End plain;
  absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
      Tcp("0.0.0.0:0"), AsTcp(listener_->local_address()), plain.Callbacks());
  ASSERT_TRUE(stream.ok()) << stream.status();
  plain.stream = *std::move(stream);
  ASSERT_TRUE(RunUntil([&] { return plain.connected; }));
  ASSERT_TRUE(plain.stream->Write(Bytes("GET / HTTP/1.1\r\n\r\n")).ok());
  // The server answers with an alert, then ends the connection.
  ASSERT_TRUE(RunUntil([&] { return plain.closed.has_value(); }));
  Settle();
  EXPECT_EQ(accepted_, 0);
  // The listener still serves TLS clients.
  ConfigureClient();
  Connect();
  EXPECT_EQ(accepted_, 1);
}

TEST_F(TlsTest, ASilentClientIsDroppedAfterTheHandshakeTimeout) {
  ConfigureServer({.cert_chain_file = server_cert_.cert_file,
                   .private_key_file = server_cert_.key_file,
                   .handshake_timeout = Duration::Milliseconds(100)});
  Listen("127.0.0.1");
  End plain;
  absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
      Tcp("0.0.0.0:0"), AsTcp(listener_->local_address()), plain.Callbacks());
  ASSERT_TRUE(stream.ok()) << stream.status();
  plain.stream = *std::move(stream);
  ASSERT_TRUE(RunUntil([&] { return plain.closed.has_value(); }));
  EXPECT_TRUE(plain.closed->ok()) << *plain.closed;  // A FIN.
  EXPECT_EQ(accepted_, 0);
}

TEST_F(TlsTest, AClientTimesOutOnAServerThatNeverAnswers) {
  ConfigureClient({.handshake_timeout = Duration::Milliseconds(100)});
  std::unique_ptr<TcpStream> accepted;
  absl::StatusOr<std::unique_ptr<TcpListener>> plain = network_->ListenTcp(
      Tcp("127.0.0.1:0"), [&](std::unique_ptr<TcpStream> stream) {
        stream->SetCallbacks({});
        accepted = std::move(stream);
      });
  ASSERT_TRUE(plain.ok()) << plain.status();
  const TransportAddress remote = (*plain)->local_address();
  absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
      Tls("0.0.0.0:0"),
      TransportAddress(remote.ip(), remote.port(), TransportProtocol::kTls),
      client_.Callbacks());
  ASSERT_TRUE(stream.ok()) << stream.status();
  client_.stream = *std::move(stream);
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_EQ(client_.closed->code(), absl::StatusCode::kDeadlineExceeded)
      << *client_.closed;
  EXPECT_FALSE(client_.connected);
}

TEST_F(TlsTest, ATlsClientOfAPlainServerFailsCleanly) {
  ConfigureClient();
  std::unique_ptr<TcpStream> accepted;
  absl::StatusOr<std::unique_ptr<TcpListener>> plain = network_->ListenTcp(
      Tcp("127.0.0.1:0"), [&](std::unique_ptr<TcpStream> stream) {
        stream->SetCallbacks({});
        EXPECT_TRUE(stream->Write(Bytes("220 plain text here\r\n")).ok());
        stream->Close();
        accepted = std::move(stream);
      });
  ASSERT_TRUE(plain.ok()) << plain.status();
  const TransportAddress remote = (*plain)->local_address();
  absl::StatusOr<std::unique_ptr<TcpStream>> stream = network_->ConnectTcp(
      Tls("0.0.0.0:0"),
      TransportAddress(remote.ip(), remote.port(), TransportProtocol::kTls),
      client_.Callbacks());
  ASSERT_TRUE(stream.ok()) << stream.status();
  client_.stream = *std::move(stream);
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_EQ(client_.closed->code(), absl::StatusCode::kUnavailable)
      << *client_.closed;
  EXPECT_TRUE(Contains(*client_.closed, "TLS handshake")) << *client_.closed;
  EXPECT_FALSE(client_.connected);
  EXPECT_EQ(client_.stream->Write(Bytes("x")).code(),
            absl::StatusCode::kFailedPrecondition);
  Settle();
  EXPECT_EQ(client_.closed_calls, 1);
}

TEST_F(TlsTest, ARefusedConnectIsReportedByOnClosed) {
  ConfigureServer();
  ConfigureClient();
  Listen("127.0.0.1");
  const TransportAddress nobody = listener_->local_address();
  listener_.reset();
  absl::StatusOr<std::unique_ptr<TcpStream>> stream =
      network_->ConnectTcp(Tls("0.0.0.0:0"), nobody, client_.Callbacks());
  ASSERT_TRUE(stream.ok()) << stream.status();
  client_.stream = *std::move(stream);
  ASSERT_TRUE(RunUntil([&] { return client_.closed.has_value(); }));
  EXPECT_EQ(client_.closed->code(), absl::StatusCode::kUnavailable)
      << *client_.closed;
  EXPECT_FALSE(client_.connected);
}

TEST_F(TlsTest, ListeningForTlsNeedsAServerConfiguration) {
  const absl::Status status =
      network_->ListenTcp(Tls("127.0.0.1:0"), [](std::unique_ptr<TcpStream>) {})
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_TRUE(Contains(status, "SetTlsServerConfig")) << status;
}

TEST_F(TlsTest, ConnectRefusesMixedProtocols) {
  EXPECT_EQ(network_->ConnectTcp(Tcp("0.0.0.0:0"), Tls("127.0.0.1:1"), {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(network_->ConnectTcp(Tls("0.0.0.0:0"), Tcp("127.0.0.1:1"), {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, CallbacksMayReplaceTheCallbacksOrDestroyTheStream) {
  ConfigureServer();
  ConfigureClient();
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

TEST_F(TlsTest, AListenerMayBeDestroyedInsideItsCallback) {
  ConfigureServer();
  ConfigureClient();
  absl::StatusOr<std::unique_ptr<TcpListener>> listener = network_->ListenTcp(
      Tls("127.0.0.1:0"), [this](std::unique_ptr<TcpStream> stream) {
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
