// Loading TLS credentials from PEM text in memory (not files) into an
// OpenSSL `SSL_CTX`: what a program with embedded credentials needs
// (test_credentials.h, the simulator's TLS). Keys and certificates are read
// in `libctx` (null: OpenSSL's default), which must be the one the context
// was made in, so that everything they do later (an ECDSA signature's
// nonce, say) draws from that library context's generator.
//
// Errors are InvalidArgument naming what was wrong, with OpenSSL's reasons.
#ifndef PINHOLE_NET_TLS_PEM_CREDENTIALS_H_
#define PINHOLE_NET_TLS_PEM_CREDENTIALS_H_

#include <openssl/ssl.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pinhole::net::tls {

// The certificate chain (leaf first, then intermediates) and the leaf's
// unencrypted private key; checks that they match.
absl::Status UsePemCredentials(SSL_CTX* ctx, OSSL_LIB_CTX* libctx,
                               absl::string_view chain_pem,
                               absl::string_view private_key_pem);

// Adds every certificate of `pem` (at least one) to the context's trust
// store.
absl::Status TrustPemCertificates(SSL_CTX* ctx, OSSL_LIB_CTX* libctx,
                                  absl::string_view pem);

}  // namespace pinhole::net::tls

#endif  // PINHOLE_NET_TLS_PEM_CREDENTIALS_H_
