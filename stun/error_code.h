// ERROR-CODE (RFC 8489 §14.8) and ADDRESS-ERROR-CODE (RFC 8656 §18.11).
//
// The code is class * 100 + number, 300-699; the reason phrase is UTF-8,
// under 128 characters (at most 509 bytes written, 763 accepted). The reason
// is a view: into the message when decoded, into the caller's string when
// encoding (ErrorCode::Standard() gives the RFC's phrase for known codes).
#ifndef PINHOLE_STUN_ERROR_CODE_H_
#define PINHOLE_STUN_ERROR_CODE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "stun/attribute_type.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {

// Error codes from RFC 8489 §14.8, RFC 8656 §19, RFC 8445 §7.3.1.1 and
// RFC 6062 §6.3.
namespace error {
inline constexpr int kTryAlternate = 300;
inline constexpr int kBadRequest = 400;
inline constexpr int kUnauthenticated = 401;
inline constexpr int kForbidden = 403;
inline constexpr int kUnknownAttribute = 420;
inline constexpr int kAllocationMismatch = 437;
inline constexpr int kStaleNonce = 438;
inline constexpr int kAddressFamilyNotSupported = 440;
inline constexpr int kWrongCredentials = 441;
inline constexpr int kUnsupportedTransportProtocol = 442;
inline constexpr int kPeerAddressFamilyMismatch = 443;
inline constexpr int kConnectionAlreadyExists = 446;
inline constexpr int kConnectionTimeoutOrFailure = 447;
inline constexpr int kAllocationQuotaReached = 486;
inline constexpr int kRoleConflict = 487;
inline constexpr int kServerError = 500;
inline constexpr int kInsufficientCapacity = 508;
}  // namespace error

// The RFC's reason phrase for `code`, or "" for codes it does not name.
absl::string_view StandardReasonPhrase(int code);

struct ErrorCode {
  static constexpr uint16_t kType = attr::kErrorCode;
  int code = error::kBadRequest;
  absl::string_view reason;

  // `code` with its standard reason phrase.
  static ErrorCode Standard(int code) {
    return ErrorCode{code, StandardReasonPhrase(code)};
  }

  static absl::StatusOr<ErrorCode> Decode(absl::Span<const uint8_t> value,
                                          const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

// ADDRESS-ERROR-CODE: the error for one address family of a dual allocation.
struct AddressErrorCode {
  static constexpr uint16_t kType = attr::kAddressErrorCode;
  net::AddressFamily family = net::AddressFamily::kIpv6;
  int code = error::kInsufficientCapacity;
  absl::string_view reason;

  static absl::StatusOr<AddressErrorCode> Decode(
      absl::Span<const uint8_t> value, const MessageView& message);
  void AppendTo(MessageBuilder& builder) const;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_ERROR_CODE_H_
