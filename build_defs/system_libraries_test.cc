// Each system library answers at its Bazel label with a published test vector:
// zlib's CRC-32 (STUN FINGERPRINT, RFC 8489 §14.7), OpenSSL's HMAC-SHA1
// (MESSAGE-INTEGRITY, RFC 2202), SHA-256 and MD5 (long-term credential keys,
// FIPS 180-2 and RFC 1321).
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace {

std::string Hex(const unsigned char* bytes, size_t size) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), size));
}

TEST(SystemLibrariesTest, ZlibCrc32CheckValue) {
  const std::string input = "123456789";
  EXPECT_EQ(
      crc32(0, reinterpret_cast<const Bytef*>(input.data()), input.size()),
      0xcbf43926u);
}

TEST(SystemLibrariesTest, OpenSslHmacSha1Rfc2202Case2) {
  const std::string key = "Jefe";
  const std::string data = "what do ya want for nothing?";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ASSERT_NE(HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
                 reinterpret_cast<const unsigned char*>(data.data()),
                 data.size(), mac, &length),
            nullptr);
  EXPECT_EQ(Hex(mac, length), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(SystemLibrariesTest, OpenSslDigests) {
  const std::string abc = "abc";
  unsigned char sha256[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(abc.data()), abc.size(),
         sha256);
  EXPECT_EQ(Hex(sha256, sizeof(sha256)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  unsigned char md5[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ASSERT_EQ(
      EVP_Digest(abc.data(), abc.size(), md5, &length, EVP_md5(), nullptr), 1);
  EXPECT_EQ(Hex(md5, length), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
