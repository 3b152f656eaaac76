#include "net/real/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/real/posix_error.h"
#include "net/real/tls_config.h"
#include "net/time.h"
#include "net/tls/openssl_error.h"

namespace pinhole::net::real {

using ::pinhole::net::tls::TakeOpenSslErrors;
namespace {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// "TLS server config: cert_chain_file \"/etc/pinhole/cert.pem\"".
std::string Field(absl::string_view role, absl::string_view field,
                  absl::string_view path) {
  return absl::StrCat("TLS ", role, " config: ", field, " \"", path, "\"");
}

// OpenSSL reports a missing file as a reason deep in its error queue; opening
// it first gives the caller the errno, as a status code they can act on.
absl::Status CheckReadable(absl::string_view role, absl::string_view field,
                           const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS ", role, " config: ", field, " is empty"));
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return PosixError(
        errno, absl::StrCat(Field(role, field, path), " cannot be opened"));
  }
  std::fclose(file);
  return absl::OkStatus();
}

// RFC 7301 §3.1 wire form: each name preceded by its length in one byte.
absl::StatusOr<std::string> AlpnWire(absl::string_view role,
                                     const std::vector<std::string>& names) {
  std::string wire;
  for (const std::string& name : names) {
    if (name.empty() || name.size() > 255) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS ", role, " config: ALPN protocol \"", name,
                       "\" must be 1 to 255 bytes long (RFC 7301 §3.1)"));
    }
    wire.push_back(static_cast<char>(name.size()));
    wire.append(name);
  }
  return wire;
}

absl::Status CheckTimeout(absl::string_view role, Duration timeout) {
  if (timeout <= Duration::Zero()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS ", role, " config: handshake_timeout must be positive"));
  }
  return absl::OkStatus();
}

// What both roles share: TLS 1.2 or later, no renegotiation (TLS 1.2's
// renegotiation has had attacks of its own, and nothing here needs it), and
// buffers released while a connection is idle (a TURN server holds many).
absl::StatusOr<std::unique_ptr<SSL_CTX, SslCtxDeleter>> NewContext(
    const SSL_METHOD* method, absl::string_view role) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(method));
  if (ctx == nullptr ||
      SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return absl::InternalError(absl::StrCat(
        "TLS ", role, " config: cannot make a context: ", TakeOpenSslErrors()));
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

// Never prompts for a passphrase on the terminal: an encrypted key fails.
int RefusePassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/,
                     void* /*user_data*/) {
  return 0;
}

absl::Status LoadServerCredentials(SSL_CTX* ctx,
                                   const TlsServerConfig& config) {
  const std::string& chain = config.cert_chain_file;
  const std::string& key_file = config.private_key_file;
  if (absl::Status s = CheckReadable("server", "cert_chain_file", chain);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckReadable("server", "private_key_file", key_file);
      !s.ok()) {
    return s;
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, chain.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        Field("server", "cert_chain_file", chain),
        " holds no usable PEM certificate chain: ", TakeOpenSslErrors()));
  }
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(key_file.c_str(), "rb"));
  std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> key;
  if (bio != nullptr) {
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &RefusePassphrase,
                                      nullptr));
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        Field("server", "private_key_file", key_file),
        " holds no usable unencrypted PEM private key: ", TakeOpenSslErrors()));
  }
  if (X509_check_private_key(SSL_CTX_get0_certificate(ctx), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat(Field("server", "private_key_file", key_file),
                     " does not match the first certificate of ",
                     Field("server", "cert_chain_file", chain)));
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field("server", "private_key_file", key_file),
                     " cannot be used: ", TakeOpenSslErrors()));
  }
  return absl::OkStatus();
}

absl::Status LoadTrustedCertificates(SSL_CTX* ctx, const std::string& ca_file) {
  ERR_clear_error();
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return absl::InternalError(
          absl::StrCat("TLS client config: OpenSSL's default verify paths "
                       "cannot be loaded: ",
                       TakeOpenSslErrors()));
    }
    return absl::OkStatus();
  }
  if (absl::Status s = CheckReadable("client", "ca_file", ca_file); !s.ok()) {
    return s;
  }
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        Field("client", "ca_file", ca_file),
        " holds no usable PEM certificate: ", TakeOpenSslErrors()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const TlsContext>> TlsContext::ForServer(
    const TlsServerConfig& config) {
  if (absl::Status s = CheckTimeout("server", config.handshake_timeout);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> alpn = AlpnWire("server", config.alpn_protocols);
  if (!alpn.ok()) return alpn.status();
  absl::StatusOr<std::unique_ptr<SSL_CTX, SslCtxDeleter>> ctx =
      NewContext(TLS_server_method(), "server");
  if (!ctx.ok()) return ctx.status();
  if (absl::Status s = LoadServerCredentials(ctx->get(), config); !s.ok()) {
    return s;
  }
  // No TLS 1.3 session tickets: they come after the handshake, unasked, and
  // a client that closes and goes at once (as `Close()` then destruction
  // allows) would reset the connection for having left them unread, losing
  // what it had still to send. Pinhole's clients never resume sessions.
  SSL_CTX_set_num_tickets(ctx->get(), 0);
  std::shared_ptr<TlsContext> context(new TlsContext(
      ctx->release(), /*server=*/true, config.handshake_timeout));
  context->alpn_wire_ = *std::move(alpn);
  if (!context->alpn_wire_.empty()) {
    // The context outlives every connection made from it (see the header),
    // so the callback's argument does too.
    SSL_CTX_set_alpn_select_cb(context->ctx_, &TlsContext::SelectAlpn,
                               context.get());
  }
  return context;
}

absl::StatusOr<std::shared_ptr<const TlsContext>> TlsContext::ForClient(
    const TlsClientConfig& config) {
  if (absl::Status s = CheckTimeout("client", config.handshake_timeout);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> alpn = AlpnWire("client", config.alpn_protocols);
  if (!alpn.ok()) return alpn.status();
  absl::StatusOr<std::unique_ptr<SSL_CTX, SslCtxDeleter>> ctx =
      NewContext(TLS_client_method(), "client");
  if (!ctx.ok()) return ctx.status();
  if (config.verify_peer) {
    if (absl::Status s = LoadTrustedCertificates(ctx->get(), config.ca_file);
        !s.ok()) {
      return s;
    }
  }
  SSL_CTX_set_verify(ctx->get(),
                     config.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                     nullptr);
  // Unlike nearly every other OpenSSL call, 0 is success here.
  if (!alpn->empty() &&
      SSL_CTX_set_alpn_protos(
          ctx->get(), reinterpret_cast<const unsigned char*>(alpn->data()),
          static_cast<unsigned int>(alpn->size())) != 0) {
    return absl::InternalError(absl::StrCat(
        "TLS client config: cannot set ALPN: ", TakeOpenSslErrors()));
  }
  std::shared_ptr<TlsContext> context(new TlsContext(
      ctx->release(), /*server=*/false, config.handshake_timeout));
  context->verify_peer_ = config.verify_peer;
  context->server_name_ = config.server_name;
  return context;
}

TlsContext::TlsContext(SSL_CTX* ctx, bool server, Duration handshake_timeout)
    : ctx_(ctx), server_(server), handshake_timeout_(handshake_timeout) {}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

absl::StatusOr<SslPtr> TlsContext::NewConnection(
    const IpAddress& remote) const {
  ERR_clear_error();
  SslPtr ssl(SSL_new(ctx_));
  if (ssl == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "TLS: cannot make a connection's state: ", TakeOpenSslErrors()));
  }
  if (server_) {
    SSL_set_accept_state(ssl.get());
    return ssl;
  }
  SSL_set_connect_state(ssl.get());
  // A server name that is an IP literal is checked as the IP address it is,
  // and never sent as SNI (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are
  // not permitted in HostName").
  absl::StatusOr<IpAddress> named_ip = IpAddress::Parse(server_name_);
  const bool by_name = !server_name_.empty() && !named_ip.ok();
  bool ok = true;
  if (by_name) {
    ok = SSL_set_tlsext_host_name(ssl.get(), server_name_.c_str()) == 1;
  }
  if (ok && verify_peer_) {
    if (by_name) {
      // RFC 6125 §7.2: no partial wildcards such as "t*.example".
      SSL_set_hostflags(ssl.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = SSL_set1_host(ssl.get(), server_name_.c_str()) == 1;
    } else {
      const IpAddress& ip = named_ip.ok() ? *named_ip : remote;
      const absl::Span<const uint8_t> bytes = ip.bytes();
      ok = X509_VERIFY_PARAM_set1_ip(SSL_get0_param(ssl.get()), bytes.data(),
                                     bytes.size()) == 1;
    }
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS: cannot check the server's certificate against \"",
                     by_name ? server_name_ : remote.ToString(),
                     "\": ", TakeOpenSslErrors()));
  }
  return ssl;
}

int TlsContext::SelectAlpn(SSL* /*ssl*/, const unsigned char** out,
                           unsigned char* out_length,
                           const unsigned char* offered,
                           unsigned int offered_length, void* context) {
  const absl::string_view accepted =
      static_cast<const TlsContext*>(context)->alpn_wire_;
  // Both lists are in wire form; OpenSSL has checked the client's.
  for (unsigned int i = 0; i < offered_length;) {
    const unsigned int length = offered[i];
    if (i + 1 + length > offered_length) break;
    const absl::string_view name(reinterpret_cast<const char*>(offered + i + 1),
                                 length);
    for (size_t j = 0; j < accepted.size();) {
      const size_t accepted_length = static_cast<unsigned char>(accepted[j]);
      if (accepted.substr(j + 1, accepted_length) == name) {
        *out = offered + i + 1;
        *out_length = static_cast<unsigned char>(length);
        return SSL_TLSEXT_ERR_OK;
      }
      j += 1 + accepted_length;
    }
    i += 1 + length;
  }
  // RFC 7301 §3.2: "the server SHALL respond with a fatal
  // 'no_application_protocol' alert".
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

}  // namespace pinhole::net::real
