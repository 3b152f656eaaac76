#include "sim/ip_prefix.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pinhole::sim {

absl::StatusOr<IpPrefix> IpPrefix::Create(const net::IpAddress& address,
                                          int length) {
  const int width = address.is_v4() ? 32 : 128;
  if (length < 0 || length > width) {
    return absl::InvalidArgumentError(absl::StrCat(
        "prefix length ", length, " is out of range for ",
        net::AddressFamilyName(address.family()), " (0-", width, ")"));
  }
  return IpPrefix(address.Masked(length), length);
}

absl::StatusOr<IpPrefix> IpPrefix::Parse(absl::string_view text) {
  const size_t slash = text.find('/');
  absl::StatusOr<net::IpAddress> address =
      net::IpAddress::Parse(text.substr(0, slash));
  if (!address.ok()) return address.status();
  if (slash == absl::string_view::npos) {
    return Create(*address, address->is_v4() ? 32 : 128);
  }
  const absl::string_view digits = text.substr(slash + 1);
  int length = 0;
  if (digits.empty() || digits.size() > 3 ||
      digits.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(digits, &length)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a prefix: bad length"));
  }
  return Create(*address, length);
}

IpPrefix IpPrefix::Default(net::AddressFamily family) {
  return IpPrefix(net::IpAddress::Any(family), 0);
}

std::string IpPrefix::ToString() const {
  return absl::StrCat(address_.ToString(), "/", length_);
}

}  // namespace pinhole::sim
