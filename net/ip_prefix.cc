#include "net/ip_prefix.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace pinhole::net {

absl::StatusOr<IpPrefix> IpPrefix::Create(const IpAddress& address,
                                          int length) {
  const int width = address.is_v4() ? 32 : 128;
  if (length < 0 || length > width) {
    return absl::InvalidArgumentError(
        absl::StrCat("prefix length ", length, " is out of range for ",
                     AddressFamilyName(address.family()), " (0-", width, ")"));
  }
  return IpPrefix(address.Masked(length), length);
}

absl::StatusOr<IpPrefix> IpPrefix::Parse(absl::string_view text) {
  const size_t slash = text.find('/');
  absl::StatusOr<IpAddress> address = IpAddress::Parse(text.substr(0, slash));
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

absl::StatusOr<std::vector<IpPrefix>> IpPrefix::ParseList(
    absl::string_view text) {
  std::vector<IpPrefix> prefixes;
  if (absl::StripAsciiWhitespace(text).empty()) return prefixes;
  int position = 0;
  for (absl::string_view entry : absl::StrSplit(text, ',')) {
    ++position;
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prefix list \"", text, "\": entry ", position, " is empty"));
    }
    absl::StatusOr<IpPrefix> prefix = Parse(entry);
    if (!prefix.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("prefix list \"", text, "\": entry ", position, " \"",
                       entry, "\": ", prefix.status().message()));
    }
    prefixes.push_back(*prefix);
  }
  return prefixes;
}

IpPrefix IpPrefix::Default(AddressFamily family) {
  return IpPrefix(IpAddress::Any(family), 0);
}

std::string IpPrefix::ToString() const {
  return absl::StrCat(address_.ToString(), "/", length_);
}

std::ostream& operator<<(std::ostream& os, const IpPrefix& prefix) {
  return os << prefix.ToString();
}

}  // namespace pinhole::net
