#include "turn/long_term_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/byte_io.h"
#include "stun/error_code.h"

namespace pinhole::turn {
namespace {

constexpr absl::string_view kNonceCookie = "obMatJos2";
// RFC 8489 §18.1: bit 0 (password algorithms) and bit 1 (username
// anonymity) of the 24-bit feature set, most significant first: bytes
// 0xC0 0x00 0x00, which base64 spells "wAAA".
constexpr absl::string_view kFeatures = "wAAA";
constexpr size_t kExpiryDigits = 16;
constexpr size_t kMacDigits = 24;
constexpr size_t kNonceSize =
    kNonceCookie.size() + kFeatures.size() + kExpiryDigits + kMacDigits;

// PASSWORD-ALGORITHMS as offered: SHA-256 first (the client takes the first
// it supports, RFC 8489 §9.2.4), then MD5, neither with parameters.
constexpr uint8_t kOfferedAlgorithms[] = {0x00, 0x02, 0x00, 0x00,
                                          0x00, 0x01, 0x00, 0x00};

absl::string_view AsString(absl::Span<const uint8_t> bytes) {
  return absl::string_view(reinterpret_cast<const char*>(bytes.data()),
                           bytes.size());
}

bool SameBytes(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace

LongTermAuth::LongTermAuth(std::string realm, net::Duration nonce_lifetime)
    : realm_(std::move(realm)),
      nonce_lifetime_(nonce_lifetime),
      decoy_key_(stun::IntegrityKey::FromBytes(std::vector<uint8_t>(16, 0))) {}

absl::StatusOr<LongTermAuth> LongTermAuth::Create(
    std::string realm,
    const std::vector<std::pair<std::string, std::string>>& users,
    net::Duration nonce_lifetime, net::Random& random) {
  if (users.empty()) {
    return absl::InvalidArgumentError(
        "a TURN server needs at least one user (long-term credentials, "
        "RFC 8656 §4)");
  }
  if (nonce_lifetime <= net::Duration::Zero()) {
    return absl::InvalidArgumentError("the nonce lifetime must be positive");
  }
  LongTermAuth auth(std::move(realm), nonce_lifetime);
  random.Fill(absl::MakeSpan(auth.secret_));
  auth.users_.reserve(users.size());
  for (const auto& [name, password] : users) {
    if (name.empty()) {
      return absl::InvalidArgumentError("a username is empty");
    }
    if (auth.by_name_.count(name) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("user \"", name, "\" is given twice"));
    }
    absl::StatusOr<stun::IntegrityKey> md5 =
        stun::IntegrityKey::LongTerm(name, auth.realm_, password);
    if (!md5.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("user \"", name, "\": ", md5.status().message()));
    }
    absl::StatusOr<stun::IntegrityKey> sha256 = stun::IntegrityKey::LongTerm(
        name, auth.realm_, password, stun::PasswordAlgorithm::kSha256);
    if (!sha256.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("user \"", name, "\": ", sha256.status().message()));
    }
    absl::StatusOr<stun::Userhash> hash =
        stun::Userhash::Compute(name, auth.realm_);
    if (!hash.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("user \"", name, "\": ", hash.status().message()));
    }
    auth.by_name_[name] = auth.users_.size();
    auth.by_hash_[hash->hash] = auth.users_.size();
    auth.users_.push_back(User{name, *std::move(md5), *std::move(sha256)});
  }
  return auth;
}

std::array<uint8_t, 12> LongTermAuth::NonceMac(
    uint64_t expiry, const net::TransportAddress& client) const {
  std::string input = absl::StrCat(expiry, "|", client.ToString());
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const uint8_t*>(input.data()), input.size(), digest,
       &length);
  std::array<uint8_t, 12> mac{};
  std::memcpy(mac.data(), digest, mac.size());
  return mac;
}

std::string LongTermAuth::NonceFor(net::Time now,
                                   const net::TransportAddress& client) const {
  const auto expiry =
      static_cast<uint64_t>((now + nonce_lifetime_).NanosecondsSinceEpoch());
  const std::array<uint8_t, 12> mac = NonceMac(expiry, client);
  return absl::StrCat(
      kNonceCookie, kFeatures, absl::StrFormat("%016x", expiry),
      absl::BytesToHexString(AsString(absl::MakeConstSpan(mac))));
}

bool LongTermAuth::NonceValid(net::Time now, absl::string_view nonce,
                              const net::TransportAddress& client) const {
  if (nonce.size() != kNonceSize ||
      !absl::StartsWith(nonce, absl::StrCat(kNonceCookie, kFeatures))) {
    return false;
  }
  nonce.remove_prefix(kNonceCookie.size() + kFeatures.size());
  uint64_t expiry = 0;
  if (!absl::SimpleHexAtoi(nonce.substr(0, kExpiryDigits), &expiry)) {
    return false;
  }
  const std::string mac = absl::HexStringToBytes(nonce.substr(kExpiryDigits));
  const std::array<uint8_t, 12> expected = NonceMac(expiry, client);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0) {
    return false;
  }
  return now.NanosecondsSinceEpoch() < static_cast<int64_t>(expiry);
}

void LongTermAuth::AddChallenge(net::Time now,
                                const net::TransportAddress& client,
                                stun::MessageBuilder& builder) const {
  const std::string nonce = NonceFor(now, client);
  builder.Add(stun::Realm{realm_});
  builder.Add(stun::Nonce{nonce});
  builder.AddRaw(stun::attr::kPasswordAlgorithms,
                 absl::MakeConstSpan(kOfferedAlgorithms));
}

const LongTermAuth::User* LongTermAuth::FindUser(
    const stun::MessageView& request) const {
  if (const std::optional<absl::Span<const uint8_t>> name =
          request.Find(stun::attr::kUsername)) {
    const auto it = by_name_.find(AsString(*name));
    return it == by_name_.end() ? nullptr : &users_[it->second];
  }
  absl::StatusOr<stun::Userhash> hash = request.Get<stun::Userhash>();
  if (!hash.ok()) return nullptr;
  const auto it = by_hash_.find(hash->hash);
  return it == by_hash_.end() ? nullptr : &users_[it->second];
}

absl::StatusOr<LongTermAuth::Credentials> LongTermAuth::Check(
    net::Time now, const stun::MessageView& request,
    const net::TransportAddress& client, Refusal& refusal) const {
  const auto refuse = [&refusal](int code, std::string reason) {
    refusal = Refusal{code, std::move(reason)};
    return absl::UnauthenticatedError(refusal.reason);
  };
  const std::optional<absl::Span<const uint8_t>> sha256 =
      request.Find(stun::attr::kMessageIntegritySha256);
  const bool sha1 = request.message_integrity_offset().has_value();
  if (!sha1 && !sha256.has_value()) {
    return refuse(stun::error::kUnauthenticated,
                  "no MESSAGE-INTEGRITY: credentials required");
  }
  const std::optional<absl::Span<const uint8_t>> nonce =
      request.Find(stun::attr::kNonce);
  if ((!request.Has(stun::attr::kUsername) &&
       !request.Has(stun::attr::kUserhash)) ||
      !request.Has(stun::attr::kRealm) || !nonce.has_value()) {
    return refuse(stun::error::kBadRequest,
                  "MESSAGE-INTEGRITY without USERNAME (or USERHASH), REALM "
                  "and NONCE (RFC 8489 §9.2.4)");
  }
  // RFC 8489 §9.2.4: with the cookie, PASSWORD-ALGORITHMS must come back
  // exactly as offered (downgrade protection) together with a
  // PASSWORD-ALGORITHM from it; without either, MD5.
  stun::PasswordAlgorithm algorithm = stun::PasswordAlgorithm::kMd5;
  const std::optional<absl::Span<const uint8_t>> offered =
      request.Find(stun::attr::kPasswordAlgorithms);
  const bool chose = request.Has(stun::attr::kPasswordAlgorithm);
  if (offered.has_value() != chose) {
    return refuse(stun::error::kBadRequest,
                  "PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM come together");
  }
  if (chose) {
    if (!SameBytes(*offered, absl::MakeConstSpan(kOfferedAlgorithms))) {
      return refuse(stun::error::kBadRequest,
                    "PASSWORD-ALGORITHMS differs from the one offered");
    }
    absl::StatusOr<stun::PasswordAlgorithmAttribute> choice =
        request.Get<stun::PasswordAlgorithmAttribute>();
    if (!choice.ok() || !choice->entry.parameters.empty() ||
        (choice->entry.algorithm !=
             static_cast<uint16_t>(stun::PasswordAlgorithm::kMd5) &&
         choice->entry.algorithm !=
             static_cast<uint16_t>(stun::PasswordAlgorithm::kSha256))) {
      return refuse(stun::error::kBadRequest,
                    "PASSWORD-ALGORITHM is not one offered");
    }
    algorithm = static_cast<stun::PasswordAlgorithm>(choice->entry.algorithm);
  }
  if (!NonceValid(now, AsString(*nonce), client)) {
    return refuse(stun::error::kStaleNonce, "the NONCE is stale or not ours");
  }
  const User* user = FindUser(request);
  const stun::IntegrityKey* key = &decoy_key_;
  if (user != nullptr) {
    key = algorithm == stun::PasswordAlgorithm::kSha256 ? &user->sha256_key
                                                        : &user->md5_key;
  }
  // The REALM must be ours; the MAC would fail anyway, but the reason is
  // clearer.
  const bool realm_matches =
      AsString(*request.Find(stun::attr::kRealm)) == realm_;
  const absl::Status mac =
      sha256.has_value() ? stun::VerifyMessageIntegritySha256(request, *key)
                         : stun::VerifyMessageIntegrity(request, *key);
  if (user == nullptr) {
    return refuse(stun::error::kUnauthenticated, "unknown user");
  }
  if (!realm_matches) {
    return refuse(stun::error::kUnauthenticated,
                  absl::StrCat("REALM is not \"", realm_, "\""));
  }
  if (!mac.ok()) {
    return refuse(stun::error::kUnauthenticated,
                  absl::StrCat("MESSAGE-INTEGRITY", sha256 ? "-SHA256" : "",
                               " does not match user \"", user->name, "\""));
  }
  Credentials credentials;
  credentials.user = user;
  credentials.key = key;
  credentials.sha256 = sha256.has_value();
  if (sha256.has_value()) credentials.sha256_length = sha256->size();
  return credentials;
}

}  // namespace pinhole::turn
