#include "net/real/testing/self_signed_certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <ctime>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace pinhole::net::real {
namespace {

X509* ReadCertificate(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "rb");
  if (bio == nullptr) return nullptr;
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

EVP_PKEY* ReadKey(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "rb");
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

TEST(SelfSignedCertificateTest, IsAFreshP256CertificateValidNowForItsNames) {
  absl::StatusOr<CertificateFiles> files =
      WriteSelfSignedCertificate(::testing::TempDir() + "/fresh");
  ASSERT_TRUE(files.ok()) << files.status();
  X509* cert = ReadCertificate(files->cert_file);
  EVP_PKEY* key = ReadKey(files->key_file);
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(key, nullptr);

  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
  // Self-signed: its own key verifies it.
  EXPECT_EQ(X509_verify(cert, key), 1);

  std::time_t now = std::time(nullptr);
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert), &now), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert), &now), 0);
  std::time_t in_two_days = now + 2 * 24 * 60 * 60;
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(cert), &in_two_days), 0);

  const uint8_t v4_loopback[] = {127, 0, 0, 1};
  uint8_t v6_loopback[16] = {};
  v6_loopback[15] = 1;
  EXPECT_EQ(X509_check_ip(cert, v4_loopback, sizeof(v4_loopback), 0), 1);
  EXPECT_EQ(X509_check_ip(cert, v6_loopback, sizeof(v6_loopback), 0), 1);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert, "example.com", 0, 0, nullptr), 0);

  X509_free(cert);
  EVP_PKEY_free(key);
}

TEST(SelfSignedCertificateTest,
     TakesTheCallersNamesAndMakesADifferentKeyEachTime) {
  const std::string directory = ::testing::TempDir() + "/named";
  absl::StatusOr<CertificateFiles> first = WriteSelfSignedCertificate(
      directory, {.subject_alt_names = {"DNS:turn.example"}});
  ASSERT_TRUE(first.ok()) << first.status();
  X509* named = ReadCertificate(first->cert_file);
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(X509_check_host(named, "turn.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(named, "localhost", 0, 0, nullptr), 0);

  // The same directory again: the files are replaced by a new pair.
  absl::StatusOr<CertificateFiles> second =
      WriteSelfSignedCertificate(directory);
  ASSERT_TRUE(second.ok()) << second.status();
  EVP_PKEY* key = ReadKey(second->key_file);
  ASSERT_NE(key, nullptr);
  EXPECT_NE(X509_check_private_key(named, key), 1);
  X509_free(named);
  EVP_PKEY_free(key);
}

TEST(SelfSignedCertificateTest, ADirectoryThatCannotBeMadeIsAnError) {
  absl::StatusOr<CertificateFiles> files =
      WriteSelfSignedCertificate(::testing::TempDir() + "/no/such/parent");
  EXPECT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("no/such/parent"), std::string::npos)
      << files.status();
}

}  // namespace
}  // namespace pinhole::net::real
