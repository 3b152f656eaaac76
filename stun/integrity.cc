#include "stun/integrity.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stun/byte_io.h"
#include "stun/opaque_string.h"

namespace pinhole::stun {

struct IntegrityKey::MacState {
  struct Free {
    void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MAC_CTX, Free> ctx;
};

namespace {

EVP_MAC* HmacAlgorithm() {
  // Fetched once: fetching is what makes OpenSSL 3's one-shot HMAC() slow.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// A keyed HMAC context for `digest`. OpenSSL failing here means a broken
// installation (no SHA-1 or SHA-256), which no caller could recover from.
std::unique_ptr<IntegrityKey::MacState> MakeMacState(
    const std::vector<uint8_t>& key, const char* digest) {
  auto state = std::make_unique<IntegrityKey::MacState>();
  state->ctx.reset(EVP_MAC_CTX_new(HmacAlgorithm()));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                       const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end()};
  // HMAC with an empty key is defined (the key is zero-padded); OpenSSL wants
  // a non-null pointer for it.
  static const uint8_t kEmpty = 0;
  if (state->ctx == nullptr ||
      EVP_MAC_init(state->ctx.get(), key.empty() ? &kEmpty : key.data(),
                   key.size(), params) != 1) {
    std::abort();
  }
  return state;
}

void RunHmac(EVP_MAC_CTX* ctx, absl::Span<const uint8_t> header,
             absl::Span<const uint8_t> body, uint8_t* out, size_t out_size) {
  size_t written = 0;
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, header.data(), header.size()) != 1 ||
      EVP_MAC_update(ctx, body.data(), body.size()) != 1 ||
      EVP_MAC_final(ctx, out, &written, out_size) != 1 || written != out_size) {
    std::abort();
  }
}

}  // namespace

IntegrityKey::IntegrityKey(std::vector<uint8_t> key) : key_(std::move(key)) {}
IntegrityKey::IntegrityKey(const IntegrityKey& other) : key_(other.key_) {}
IntegrityKey& IntegrityKey::operator=(const IntegrityKey& other) {
  if (this != &other) {
    key_ = other.key_;
    sha1_.reset();
    sha256_.reset();
  }
  return *this;
}
IntegrityKey::IntegrityKey(IntegrityKey&&) noexcept = default;
IntegrityKey& IntegrityKey::operator=(IntegrityKey&&) noexcept = default;
IntegrityKey::~IntegrityKey() = default;

absl::StatusOr<IntegrityKey> IntegrityKey::ShortTerm(
    absl::string_view password) {
  absl::StatusOr<std::string> prepared = PrepareOpaqueString(password);
  if (!prepared.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("short-term password: ", prepared.status().message()));
  }
  return IntegrityKey(std::vector<uint8_t>(prepared->begin(), prepared->end()));
}

absl::StatusOr<IntegrityKey> IntegrityKey::LongTerm(
    absl::string_view username, absl::string_view realm,
    absl::string_view password, PasswordAlgorithm algorithm) {
  absl::StatusOr<std::string> prepared_realm = PrepareOpaqueString(realm);
  if (!prepared_realm.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("realm: ", prepared_realm.status().message()));
  }
  absl::StatusOr<std::string> prepared_password = PrepareOpaqueString(password);
  if (!prepared_password.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("password: ", prepared_password.status().message()));
  }
  const std::string input =
      absl::StrCat(username, ":", *prepared_realm, ":", *prepared_password);
  const EVP_MD* digest;
  switch (algorithm) {
    case PasswordAlgorithm::kMd5:
      digest = EVP_md5();
      break;
    case PasswordAlgorithm::kSha256:
      digest = EVP_sha256();
      break;
    default:
      return absl::InvalidArgumentError(absl::StrFormat(
          "unknown password algorithm 0x%04X", static_cast<int>(algorithm)));
  }
  std::vector<uint8_t> key(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), key.data(), &size, digest,
                 nullptr) != 1) {
    return absl::InternalError("OpenSSL could not compute the key digest");
  }
  key.resize(size);
  return IntegrityKey(std::move(key));
}

IntegrityKey IntegrityKey::FromBytes(absl::Span<const uint8_t> key) {
  return IntegrityKey(std::vector<uint8_t>(key.begin(), key.end()));
}

void IntegrityKey::HmacSha1(absl::Span<const uint8_t> header,
                            absl::Span<const uint8_t> body,
                            uint8_t* out) const {
  if (sha1_ == nullptr) sha1_ = MakeMacState(key_, "SHA1");
  RunHmac(sha1_->ctx.get(), header, body, out, kMessageIntegritySize);
}

void IntegrityKey::HmacSha256(absl::Span<const uint8_t> header,
                              absl::Span<const uint8_t> body,
                              uint8_t* out) const {
  if (sha256_ == nullptr) sha256_ = MakeMacState(key_, "SHA256");
  RunHmac(sha256_->ctx.get(), header, body, out,
          kMessageIntegritySha256MaxSize);
}

std::array<uint8_t, kHeaderSize> HeaderWithLength(
    absl::Span<const uint8_t> message, size_t end) {
  std::array<uint8_t, kHeaderSize> header;
  std::memcpy(header.data(), message.data(), kHeaderSize);
  StoreBe16(header.data() + 2, static_cast<uint16_t>(end - kHeaderSize));
  return header;
}

uint32_t StunFingerprint(absl::Span<const uint8_t> header,
                         absl::Span<const uint8_t> body) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, header.data(), static_cast<uInt>(header.size()));
  crc = crc32(crc, body.data(), static_cast<uInt>(body.size()));
  return static_cast<uint32_t>(crc) ^ kFingerprintXor;
}

namespace {

// The HMAC input for an integrity attribute at `offset` with `value_size`
// bytes: the adjusted header, then the bytes between header and attribute.
struct HmacInput {
  std::array<uint8_t, kHeaderSize> header;
  absl::Span<const uint8_t> body;
};

HmacInput InputFor(const MessageView& message, size_t offset,
                   size_t value_size) {
  const absl::Span<const uint8_t> bytes = message.bytes();
  return HmacInput{
      HeaderWithLength(bytes, offset + kAttributeHeaderSize + value_size),
      bytes.subspan(kHeaderSize, offset - kHeaderSize)};
}

}  // namespace

absl::Status VerifyMessageIntegrity(const MessageView& message,
                                    const IntegrityKey& key) {
  const std::optional<size_t> offset = message.message_integrity_offset();
  if (!offset.has_value()) {
    return absl::NotFoundError("the message has no MESSAGE-INTEGRITY");
  }
  const HmacInput input = InputFor(message, *offset, kMessageIntegritySize);
  uint8_t expected[kMessageIntegritySize];
  key.HmacSha1(input.header, input.body, expected);
  const uint8_t* carried =
      message.bytes().data() + *offset + kAttributeHeaderSize;
  if (CRYPTO_memcmp(expected, carried, kMessageIntegritySize) != 0) {
    return absl::UnauthenticatedError(
        "MESSAGE-INTEGRITY does not match the key");
  }
  return absl::OkStatus();
}

absl::Status VerifyMessageIntegritySha256(const MessageView& message,
                                          const IntegrityKey& key) {
  const std::optional<size_t> offset =
      message.message_integrity_sha256_offset();
  if (!offset.has_value()) {
    return absl::NotFoundError("the message has no MESSAGE-INTEGRITY-SHA256");
  }
  const uint8_t* attribute = message.bytes().data() + *offset;
  const size_t length = LoadBe16(attribute + 2);  // Checked by Parse().
  const HmacInput input = InputFor(message, *offset, length);
  uint8_t expected[kMessageIntegritySha256MaxSize];
  key.HmacSha256(input.header, input.body, expected);
  if (CRYPTO_memcmp(expected, attribute + kAttributeHeaderSize, length) != 0) {
    return absl::UnauthenticatedError(
        "MESSAGE-INTEGRITY-SHA256 does not match the key");
  }
  return absl::OkStatus();
}

absl::Status VerifyFingerprint(const MessageView& message) {
  const std::optional<size_t> offset = message.fingerprint_offset();
  if (!offset.has_value()) {
    return absl::NotFoundError("the message has no FINGERPRINT");
  }
  const absl::Span<const uint8_t> bytes = message.bytes();
  const auto header = HeaderWithLength(
      bytes, *offset + kAttributeHeaderSize + kFingerprintSize);
  const uint32_t expected = StunFingerprint(
      header, bytes.subspan(kHeaderSize, *offset - kHeaderSize));
  const uint32_t carried =
      LoadBe32(bytes.data() + *offset + kAttributeHeaderSize);
  if (expected != carried) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "FINGERPRINT mismatch: the message carries 0x%08X, its bytes give "
        "0x%08X",
        carried, expected));
  }
  return absl::OkStatus();
}

}  // namespace pinhole::stun
