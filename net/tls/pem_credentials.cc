#include "net/tls/pem_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/tls/openssl_error.h"

namespace pinhole::net::tls {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPointer = std::unique_ptr<BIO, BioFree>;
using X509Pointer = std::unique_ptr<X509, X509Free>;

BioPointer MemoryBio(absl::string_view pem) {
  return BioPointer(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Never prompts for a passphrase: an encrypted key fails.
int RefusePassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/,
                     void* /*user_data*/) {
  return 0;
}

struct X509InfoStackFree {
  void operator()(STACK_OF(X509_INFO) * infos) const {
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
  }
};

// Every certificate of `pem`, in order, read in `libctx`.
// Empty on an error (then in OpenSSL's queue) or when there is none.
std::vector<X509Pointer> ReadCertificates(OSSL_LIB_CTX* libctx,
                                          absl::string_view pem) {
  std::vector<X509Pointer> certificates;
  BioPointer bio = MemoryBio(pem);
  if (bio == nullptr) return certificates;
  std::unique_ptr<STACK_OF(X509_INFO), X509InfoStackFree> infos(
      PEM_X509_INFO_read_bio_ex(bio.get(), nullptr, &RefusePassphrase, nullptr,
                                libctx, nullptr));
  if (infos == nullptr) return certificates;
  for (int i = 0; i < sk_X509_INFO_num(infos.get()); ++i) {
    X509_INFO* info = sk_X509_INFO_value(infos.get(), i);
    if (info->x509 == nullptr) continue;
    X509_up_ref(info->x509);
    certificates.emplace_back(info->x509);
  }
  return certificates;
}

}  // namespace

absl::Status UsePemCredentials(SSL_CTX* ctx, OSSL_LIB_CTX* libctx,
                               absl::string_view chain_pem,
                               absl::string_view private_key_pem) {
  ERR_clear_error();
  std::vector<X509Pointer> chain = ReadCertificates(libctx, chain_pem);
  if (chain.empty() || SSL_CTX_use_certificate(ctx, chain[0].get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS credentials: the certificate chain holds no usable "
                     "PEM certificate: ",
                     TakeOpenSslErrors()));
  }
  SSL_CTX_clear_chain_certs(ctx);
  for (size_t i = 1; i < chain.size(); ++i) {
    // Takes a reference of its own.
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TLS credentials: cannot add an intermediate certificate: ",
          TakeOpenSslErrors()));
    }
  }

  BioPointer key_bio = MemoryBio(private_key_pem);
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> key;
  if (key_bio != nullptr) {
    key.reset(PEM_read_bio_PrivateKey_ex(
        key_bio.get(), nullptr, &RefusePassphrase, nullptr, libctx, nullptr));
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS credentials: the private key is no usable "
                     "unencrypted PEM key: ",
                     TakeOpenSslErrors()));
  }
  if (X509_check_private_key(chain[0].get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "TLS credentials: the private key does not match the first "
        "certificate of the chain");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS credentials: the private key cannot be used: ",
                     TakeOpenSslErrors()));
  }
  return absl::OkStatus();
}

absl::Status TrustPemCertificates(SSL_CTX* ctx, OSSL_LIB_CTX* libctx,
                                  absl::string_view pem) {
  ERR_clear_error();
  std::vector<X509Pointer> certificates = ReadCertificates(libctx, pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  if (certificates.empty() || store == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS credentials: the trusted certificates are no usable PEM ",
        "certificates: ", TakeOpenSslErrors()));
  }
  for (const X509Pointer& certificate : certificates) {
    if (X509_STORE_add_cert(store, certificate.get()) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS credentials: cannot trust a certificate: ",
                       TakeOpenSslErrors()));
    }
  }
  return absl::OkStatus();
}

}  // namespace pinhole::net::tls
