#include "net/real/testing/self_signed_certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "net/real/posix_error.h"
#include "net/tls/openssl_error.h"

namespace pinhole::net::real {

using ::pinhole::net::tls::TakeOpenSslErrors;
namespace {

struct OpenSslFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* cert) const { X509_free(cert); }
  void operator()(X509_EXTENSION* extension) const {
    X509_EXTENSION_free(extension);
  }
  void operator()(BIGNUM* number) const { BN_free(number); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};
template <typename T>
using Owned = std::unique_ptr<T, OpenSslFree>;

constexpr long kValidBeforeNowSeconds = 60 * 60;      // Clocks differ.
constexpr long kValidAfterNowSeconds = 24 * 60 * 60;  // Longer than any test.

absl::Status Failed(absl::string_view step) {
  return absl::InternalError(absl::StrCat("self-signed certificate: ", step,
                                          ": ", TakeOpenSslErrors()));
}

absl::Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, /*issuer=*/cert, /*subject=*/cert, nullptr, nullptr,
                 0);
  Owned<X509_EXTENSION> extension(
      X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  if (extension == nullptr || X509_add_ext(cert, extension.get(), -1) != 1) {
    return Failed(
        absl::StrCat("extension ", OBJ_nid2sn(nid), " \"", value, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<Owned<X509>> MakeCertificate(
    EVP_PKEY* key, const SelfSignedCertificateOptions& options) {
  Owned<X509> cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return Failed("new certificate");
  }
  // RFC 5280 §4.1.2.2: positive, at most 20 bytes; random, so that two
  // certificates of one run never share a serial.
  Owned<BIGNUM> serial(BN_new());
  if (serial == nullptr ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ==
          nullptr) {
    return Failed("serial number");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                      -kValidBeforeNowSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidAfterNowSeconds) ==
          nullptr) {
    return Failed("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(options.common_name.c_str()),
          -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return Failed("name");
  }
  if (X509_set_pubkey(cert.get(), key) != 1) return Failed("public key");
  if (absl::Status s =
          AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = AddExtension(cert.get(), NID_key_usage,
                                    "critical,digitalSignature,keyCertSign");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          AddExtension(cert.get(), NID_subject_key_identifier, "hash");
      !s.ok()) {
    return s;
  }
  if (!options.subject_alt_names.empty()) {
    if (absl::Status s =
            AddExtension(cert.get(), NID_subject_alt_name,
                         absl::StrJoin(options.subject_alt_names, ","));
        !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return Failed("signing");
  return cert;
}

template <typename Writer>
absl::Status WritePem(const std::string& path, Writer write) {
  Owned<BIO> file(BIO_new_file(path.c_str(), "wb"));
  if (file == nullptr || write(file.get()) != 1 || BIO_flush(file.get()) != 1) {
    return Failed(absl::StrCat("writing ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CertificateFiles> WriteSelfSignedCertificate(
    const std::string& directory, const SelfSignedCertificateOptions& options) {
  if (mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return PosixError(
        errno, absl::StrCat("self-signed certificate: mkdir ", directory));
  }
  ERR_clear_error();
  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (key == nullptr) return Failed("EC P-256 key");
  absl::StatusOr<Owned<X509>> cert = MakeCertificate(key.get(), options);
  if (!cert.ok()) return cert.status();
  CertificateFiles files{.cert_file = absl::StrCat(directory, "/cert.pem"),
                         .key_file = absl::StrCat(directory, "/key.pem")};
  if (absl::Status s = WritePem(
          files.cert_file,
          [&](BIO* bio) { return PEM_write_bio_X509(bio, cert->get()); });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = WritePem(files.key_file,
                                [&](BIO* bio) {
                                  return PEM_write_bio_PrivateKey(
                                      bio, key.get(), nullptr, nullptr, 0,
                                      nullptr, nullptr);
                                });
      !s.ok()) {
    return s;
  }
  return files;
}

}  // namespace pinhole::net::real
