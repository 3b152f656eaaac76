#include "sim/tls/tls_environment.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/ip_address.h"
#include "net/random.h"
#include "net/time.h"
#include "net/tls/openssl_error.h"
#include "net/tls/pem_credentials.h"
#include "net/tls/test_credentials.h"
#include "net/tls/tls_session.h"
#include "sim/tls/seeded_openssl.h"
#include "sim/tls/sim_tls_config.h"

namespace pinhole::sim::tls {
namespace {

using net::tls::SslPointer;
using net::tls::TakeOpenSslErrors;
using net::tls::TlsSession;

absl::StatusOr<SSL_CTX*> NewContext(OSSL_LIB_CTX* libctx,
                                    const SSL_METHOD* method) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new_ex(libctx, nullptr, method);
  if (ctx == nullptr ||
      SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    SSL_CTX_free(ctx);
    return absl::InternalError(absl::StrCat(
        "simulated TLS: cannot make a context: ", TakeOpenSslErrors()));
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  return ctx;
}

absl::StatusOr<std::unique_ptr<TlsSession>> NewSession(SSL_CTX* ctx) {
  ERR_clear_error();
  SslPointer ssl(SSL_new(ctx));
  if (ssl == nullptr) {
    return absl::InternalError(
        absl::StrCat("simulated TLS: cannot make a connection's state: ",
                     TakeOpenSslErrors()));
  }
  return TlsSession::Create(std::move(ssl));
}

}  // namespace

absl::StatusOr<std::shared_ptr<TlsEnvironment>> TlsEnvironment::Create(
    const SimTlsConfig& config, std::unique_ptr<net::Random> random) {
  if (config.handshake_timeout <= net::Duration::Zero()) {
    return absl::InvalidArgumentError(
        "simulated TLS: handshake_timeout must be positive");
  }
  if (config.cert_chain_pem.empty() != config.private_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "simulated TLS: give both cert_chain_pem and private_key_pem, or "
        "neither (the test server's)");
  }
  absl::StatusOr<std::unique_ptr<SeededOpenSsl>> openssl =
      SeededOpenSsl::Create(std::move(random));
  if (!openssl.ok()) return openssl.status();
  std::shared_ptr<TlsEnvironment> environment(
      new TlsEnvironment(config, *std::move(openssl)));
  if (absl::Status s = environment->Configure(); !s.ok()) return s;
  return environment;
}

TlsEnvironment::TlsEnvironment(const SimTlsConfig& config,
                               std::unique_ptr<SeededOpenSsl> openssl)
    : config_(config), openssl_(std::move(openssl)) {}

TlsEnvironment::~TlsEnvironment() {
  SSL_CTX_free(server_);
  SSL_CTX_free(client_);
}

absl::Status TlsEnvironment::Configure() {
  OSSL_LIB_CTX* libctx = openssl_->libctx();
  absl::StatusOr<SSL_CTX*> server = NewContext(libctx, TLS_server_method());
  if (!server.ok()) return server.status();
  server_ = *server;
  const bool test_server = config_.cert_chain_pem.empty();
  if (absl::Status s = net::tls::UsePemCredentials(
          server_, libctx,
          test_server ? net::tls::TestServerCertificatePem()
                      : config_.cert_chain_pem,
          test_server ? net::tls::TestServerPrivateKeyPem()
                      : config_.private_key_pem);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("simulated TLS server: ", s.message()));
  }

  absl::StatusOr<SSL_CTX*> client = NewContext(libctx, TLS_client_method());
  if (!client.ok()) return client.status();
  client_ = *client;
  if (absl::Status s = net::tls::TrustPemCertificates(
          client_, libctx,
          config_.trusted_ca_pem.empty() ? net::tls::TestCaCertificatePem()
                                         : config_.trusted_ca_pem);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("simulated TLS client: ", s.message()));
  }
  SSL_CTX_set_verify(client_,
                     config_.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                     nullptr);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<TlsSession>> TlsEnvironment::NewServerSession()
    const {
  absl::StatusOr<std::unique_ptr<TlsSession>> session = NewSession(server_);
  if (session.ok()) SSL_set_accept_state((*session)->ssl());
  return session;
}

absl::StatusOr<std::unique_ptr<TlsSession>> TlsEnvironment::NewClientSession(
    const net::IpAddress& remote, net::Time now) const {
  absl::StatusOr<std::unique_ptr<TlsSession>> session = NewSession(client_);
  if (!session.ok()) return session;
  SSL* ssl = (*session)->ssl();
  SSL_set_connect_state(ssl);
  ERR_clear_error();
  const std::string& name = config_.server_name;
  if (!name.empty() && !net::IpAddress::Parse(name).ok() &&
      SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("simulated TLS client: cannot send server name \"", name,
                     "\": ", TakeOpenSslErrors()));
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_time(
      param, static_cast<time_t>(config_.verification_epoch_unix_seconds +
                                 now.SinceEpoch().ToSeconds()));
  if (config_.verify_peer && config_.verify_server_identity) {
    int ok = 0;
    if (!name.empty()) {
      ok = X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    } else {
      const std::string ip = remote.ToString();
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str());
    }
    if (ok != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "simulated TLS client: cannot check the server's identity: ",
          TakeOpenSslErrors()));
    }
  }
  return session;
}

}  // namespace pinhole::sim::tls
