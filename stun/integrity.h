// Message integrity and fingerprint (RFC 8489 §9, §14.5-§14.7).
//
// An `IntegrityKey` is the HMAC key for MESSAGE-INTEGRITY (HMAC-SHA1) and
// MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256). Build one per credential and keep
// it: it holds the hash states after the HMAC pads, so each message costs
// only its own hashing and allocates nothing. Keys are immutable values;
// copies share their state and may be used from any thread.
//
// The HMAC covers the message up to (not including) the integrity attribute,
// with the header's length field set as if the message ended right after that
// attribute; FINGERPRINT's CRC-32 is computed likewise, up to the FINGERPRINT
// attribute. Comparisons run in constant time (CRYPTO_memcmp).
#ifndef PINHOLE_STUN_INTEGRITY_H_
#define PINHOLE_STUN_INTEGRITY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "stun/message.h"

namespace pinhole::stun {

// PASSWORD-ALGORITHM values (RFC 8489 §18.5).
enum class PasswordAlgorithm : uint16_t {
  kMd5 = 0x0001,
  kSha256 = 0x0002,
};

inline constexpr size_t kMessageIntegritySize = 20;
inline constexpr size_t kMessageIntegritySha256MaxSize = 32;
inline constexpr size_t kMessageIntegritySha256MinSize = 16;
inline constexpr size_t kFingerprintSize = 4;
inline constexpr uint32_t kFingerprintXor = 0x5354554e;

class IntegrityKey {
 public:
  // Short-term credentials (RFC 8489 §9.1.1): key = OpaqueString(password).
  // ICE's connectivity checks use this with the peer's ICE password.
  static absl::StatusOr<IntegrityKey> ShortTerm(absl::string_view password);

  // Long-term credentials (RFC 8489 §9.2.2):
  // key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)),
  // or SHA-256 of the same for PasswordAlgorithm::kSha256. `username` is used
  // as given (it is the USERNAME attribute's value, already prepared).
  static absl::StatusOr<IntegrityKey> LongTerm(
      absl::string_view username, absl::string_view realm,
      absl::string_view password,
      PasswordAlgorithm algorithm = PasswordAlgorithm::kMd5);

  // A key from its bytes, as a server that stores derived keys holds them.
  static IntegrityKey FromBytes(absl::Span<const uint8_t> key);

  absl::Span<const uint8_t> bytes() const { return key_; }

  // HMAC-SHA1 (20 bytes into `out`) or HMAC-SHA256 (32 bytes) of `header`
  // (the 20-byte header, length already adjusted) followed by `body`.
  void HmacSha1(absl::Span<const uint8_t> header,
                absl::Span<const uint8_t> body, uint8_t* out) const;
  void HmacSha256(absl::Span<const uint8_t> header,
                  absl::Span<const uint8_t> body, uint8_t* out) const;

 public:
  struct MacState;  // The keyed hash states; opaque.

 private:
  IntegrityKey(std::vector<uint8_t> key, std::shared_ptr<const MacState> state);
  static IntegrityKey Make(std::vector<uint8_t> key);

  std::vector<uint8_t> key_;
  std::shared_ptr<const MacState> state_;
};

// Checks MESSAGE-INTEGRITY. NotFound when the message has none;
// Unauthenticated when it does not match `key`.
absl::Status VerifyMessageIntegrity(const MessageView& message,
                                    const IntegrityKey& key);

// Checks MESSAGE-INTEGRITY-SHA256 (of any allowed truncated length). NotFound
// when absent; Unauthenticated when it does not match.
absl::Status VerifyMessageIntegritySha256(const MessageView& message,
                                          const IntegrityKey& key);

// Checks FINGERPRINT. NotFound when absent; InvalidArgument on a mismatch.
absl::Status VerifyFingerprint(const MessageView& message);

// CRC-32 (ISO-HDLC, the CRC of zlib and Ethernet) of `header` then `body`,
// XOR 0x5354554e. Computed by libdeflate, which uses carry-less
// multiplication where the CPU has it.
uint32_t StunFingerprint(absl::Span<const uint8_t> header,
                         absl::Span<const uint8_t> body);

// The 20-byte header of `message` with its length field set so the message
// would end `end` bytes from its start: the form HMACs and FINGERPRINT cover.
std::array<uint8_t, kHeaderSize> HeaderWithLength(
    absl::Span<const uint8_t> message, size_t end);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_INTEGRITY_H_
