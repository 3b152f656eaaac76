#include "stun/error_code.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_format.h"
#include "stun/address_attributes.h"
#include "stun/attribute_codec.h"
#include "stun/text_attributes.h"

namespace pinhole::stun {
namespace {

constexpr TextLimits kReasonLimits{509, 763, 127, true};

absl::Status CheckCode(uint16_t type, int code) {
  if (code < 300 || code > 699) {
    return AttributeError(type,
                          absl::StrFormat("code %d is outside 300-699", code));
  }
  return absl::OkStatus();
}

// Decodes class, number and reason from `value`, whose first 4 bytes hold
// them (the family byte of ADDRESS-ERROR-CODE is the caller's business).
absl::Status DecodeCodeAndReason(uint16_t type, absl::Span<const uint8_t> value,
                                 int* code, absl::string_view* reason) {
  if (value.size() < 4) {
    return AttributeError(
        type, absl::StrFormat("%d bytes, at least 4 needed", value.size()));
  }
  const int error_class = value[2] & 0x07;
  const int number = value[3];
  if (error_class < 3 || error_class > 6) {
    return AttributeError(
        type, absl::StrFormat("class %d is outside 3-6", error_class));
  }
  if (number > 99) {
    return AttributeError(type,
                          absl::StrFormat("number %d is outside 0-99", number));
  }
  *code = error_class * 100 + number;
  *reason = absl::string_view(reinterpret_cast<const char*>(value.data()) + 4,
                              value.size() - 4);
  return CheckText(type, *reason, kReasonLimits.max_decode_bytes,
                   kReasonLimits);
}

void AppendCodeAndReason(MessageBuilder& builder, uint16_t type,
                         uint8_t first_byte, int code,
                         absl::string_view reason) {
  absl::Status status = CheckCode(type, code);
  if (status.ok()) {
    status =
        CheckText(type, reason, kReasonLimits.max_encode_bytes, kReasonLimits);
  }
  if (!status.ok()) return builder.Fail(std::move(status));
  absl::Span<uint8_t> out = builder.AppendAttribute(type, 4 + reason.size());
  if (out.empty()) return;
  out[0] = first_byte;
  out[2] = static_cast<uint8_t>(code / 100);
  out[3] = static_cast<uint8_t>(code % 100);
  if (!reason.empty())
    std::memcpy(out.data() + 4, reason.data(), reason.size());
}

}  // namespace

absl::string_view StandardReasonPhrase(int code) {
  switch (code) {
    case error::kTryAlternate:
      return "Try Alternate";
    case error::kBadRequest:
      return "Bad Request";
    case error::kUnauthenticated:
      return "Unauthenticated";
    case error::kForbidden:
      return "Forbidden";
    case error::kUnknownAttribute:
      return "Unknown Attribute";
    case error::kAllocationMismatch:
      return "Allocation Mismatch";
    case error::kStaleNonce:
      return "Stale Nonce";
    case error::kAddressFamilyNotSupported:
      return "Address Family not Supported";
    case error::kWrongCredentials:
      return "Wrong Credentials";
    case error::kUnsupportedTransportProtocol:
      return "Unsupported Transport Protocol";
    case error::kPeerAddressFamilyMismatch:
      return "Peer Address Family Mismatch";
    case error::kConnectionAlreadyExists:
      return "Connection Already Exists";
    case error::kConnectionTimeoutOrFailure:
      return "Connection Timeout or Failure";
    case error::kAllocationQuotaReached:
      return "Allocation Quota Reached";
    case error::kRoleConflict:
      return "Role Conflict";
    case error::kServerError:
      return "Server Error";
    case error::kInsufficientCapacity:
      return "Insufficient Capacity";
    default:
      return "";
  }
}

absl::StatusOr<ErrorCode> ErrorCode::Decode(absl::Span<const uint8_t> value,
                                            const MessageView& /*message*/) {
  ErrorCode result;
  absl::Status status =
      DecodeCodeAndReason(kType, value, &result.code, &result.reason);
  if (!status.ok()) return status;
  return result;
}

void ErrorCode::AppendTo(MessageBuilder& builder) const {
  AppendCodeAndReason(builder, kType, 0, code, reason);
}

absl::StatusOr<AddressErrorCode> AddressErrorCode::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  AddressErrorCode result;
  absl::Status status =
      DecodeCodeAndReason(kType, value, &result.code, &result.reason);
  if (!status.ok()) return status;
  if (value[0] == kFamilyIpv4) {
    result.family = net::AddressFamily::kIpv4;
  } else if (value[0] == kFamilyIpv6) {
    result.family = net::AddressFamily::kIpv6;
  } else {
    return AttributeError(
        kType, absl::StrFormat("unknown address family 0x%02X", value[0]));
  }
  return result;
}

void AddressErrorCode::AppendTo(MessageBuilder& builder) const {
  AppendCodeAndReason(
      builder, kType,
      family == net::AddressFamily::kIpv4 ? kFamilyIpv4 : kFamilyIpv6, code,
      reason);
}

}  // namespace pinhole::stun
