#include "net/tls/tls_session.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/tls/pem_credentials.h"
#include "net/tls/test_credentials.h"

namespace pinhole::net::tls {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPointer = std::unique_ptr<SSL_CTX, SslCtxFree>;

// 2030-01-01, inside the test certificates' validity.
constexpr time_t kVerifyAt = 1893456000;

SslCtxPointer ServerContext() {
  SslCtxPointer ctx(SSL_CTX_new(TLS_server_method()));
  EXPECT_TRUE(UsePemCredentials(ctx.get(), nullptr, TestServerCertificatePem(),
                                TestServerPrivateKeyPem())
                  .ok());
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  return ctx;
}

SslCtxPointer ClientContext(absl::string_view trusted) {
  SslCtxPointer ctx(SSL_CTX_new(TLS_client_method()));
  EXPECT_TRUE(TrustPemCertificates(ctx.get(), nullptr, trusted).ok());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx.get()), kVerifyAt);
  return ctx;
}

std::unique_ptr<TlsSession> Session(SSL_CTX* ctx, bool server) {
  SslPointer ssl(SSL_new(ctx));
  if (server) {
    SSL_set_accept_state(ssl.get());
  } else {
    SSL_set_connect_state(ssl.get());
  }
  absl::StatusOr<std::unique_ptr<TlsSession>> session =
      TlsSession::Create(std::move(ssl));
  EXPECT_TRUE(session.ok()) << session.status();
  return *std::move(session);
}

// Moves what `from` has to send into `to`.
void Carry(TlsSession& from, TlsSession& to) {
  std::vector<uint8_t> bytes;
  from.TakeCiphertext(bytes);
  ASSERT_TRUE(to.Feed(bytes).ok());
}

// Runs the handshake to its end or the first failure.
absl::Status Handshake(TlsSession& client, TlsSession& server) {
  for (int round = 0; round < 10; ++round) {
    if (absl::Status s = client.Handshake(); !s.ok()) return s;
    Carry(client, server);
    if (absl::Status s = server.Handshake(); !s.ok()) return s;
    Carry(server, client);
    if (client.established() && server.established()) {
      return absl::OkStatus();
    }
  }
  return absl::DeadlineExceededError("no end");
}

std::string ReadAll(TlsSession& session, bool* peer_closed = nullptr) {
  std::string text;
  uint8_t buffer[7];  // Small: many reads.
  for (;;) {
    absl::StatusOr<TlsSession::ReadResult> read = session.Read(buffer);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok()) break;
    text.append(reinterpret_cast<const char*>(buffer), read->size);
    if (peer_closed != nullptr) *peer_closed = read->peer_closed;
    if (read->size < sizeof(buffer)) break;
  }
  return text;
}

absl::Span<const uint8_t> Bytes(absl::string_view text) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()),
                             text.size());
}

TEST(TlsSessionTest, HandshakesCarriesBytesBothWaysAndCloses) {
  SslCtxPointer server_ctx = ServerContext();
  SslCtxPointer client_ctx = ClientContext(TestCaCertificatePem());
  std::unique_ptr<TlsSession> client = Session(client_ctx.get(), false);
  std::unique_ptr<TlsSession> server = Session(server_ctx.get(), true);
  ASSERT_TRUE(Handshake(*client, *server).ok());
  EXPECT_EQ(client->protocol_version(), "TLSv1.3");

  const std::string big(40000, 'x');
  ASSERT_TRUE(client->Write(Bytes("hello ")).ok());
  ASSERT_TRUE(client->Write(Bytes(big)).ok());
  EXPECT_LE(client->pending_ciphertext(),
            client->WireSize(6) + client->WireSize(big.size()));
  Carry(*client, *server);
  EXPECT_EQ(ReadAll(*server), "hello " + big);

  ASSERT_TRUE(server->Write(Bytes("world")).ok());
  ASSERT_TRUE(server->Close().ok());
  Carry(*server, *client);
  bool peer_closed = false;
  EXPECT_EQ(ReadAll(*client, &peer_closed), "world");
  EXPECT_TRUE(peer_closed);
  EXPECT_FALSE(client->HasPartialRecord());
}

TEST(TlsSessionTest, PartialRecordIsSeen) {
  SslCtxPointer server_ctx = ServerContext();
  SslCtxPointer client_ctx = ClientContext(TestCaCertificatePem());
  std::unique_ptr<TlsSession> client = Session(client_ctx.get(), false);
  std::unique_ptr<TlsSession> server = Session(server_ctx.get(), true);
  ASSERT_TRUE(Handshake(*client, *server).ok());
  ASSERT_TRUE(client->Write(Bytes("some bytes")).ok());
  std::vector<uint8_t> record;
  client->TakeCiphertext(record);
  ASSERT_TRUE(server->Feed(absl::MakeConstSpan(record).first(5)).ok());
  EXPECT_EQ(ReadAll(*server), "");
  EXPECT_TRUE(server->HasPartialRecord());
}

TEST(TlsSessionTest, UntrustedServerFailsAsUnauthenticated) {
  SslCtxPointer server_ctx = ServerContext();
  SslCtxPointer client_ctx = ClientContext(UntrustedCaCertificatePem());
  std::unique_ptr<TlsSession> client = Session(client_ctx.get(), false);
  std::unique_ptr<TlsSession> server = Session(server_ctx.get(), true);
  const absl::Status status = Handshake(*client, *server);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_NE(status.message().find("certificate verify failed"),
            absl::string_view::npos)
      << status;
  // The alert goes to the server, which fails too.
  Carry(*client, *server);
  EXPECT_EQ(server->Handshake().code(), absl::StatusCode::kUnavailable);
}

TEST(TlsSessionTest, BytesThatAreNotTlsFailTheHandshake) {
  SslCtxPointer server_ctx = ServerContext();
  std::unique_ptr<TlsSession> server = Session(server_ctx.get(), true);
  ASSERT_TRUE(server->Feed(Bytes("GET / HTTP/1.1\r\n\r\n")).ok());
  EXPECT_EQ(server->Handshake().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pinhole::net::tls
