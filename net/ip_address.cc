#include "net/ip_address.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pinhole::net {
namespace {

// Longest input echoed in an error message; longer input is cut and marked.
constexpr size_t kMaxEchoed = 64;

absl::Status Invalid(absl::string_view text, absl::string_view reason) {
  std::string shown = absl::CHexEscape(text.substr(0, kMaxEchoed));
  if (text.size() > kMaxEchoed) absl::StrAppend(&shown, "...");
  return absl::InvalidArgumentError(
      absl::StrCat("invalid IP address \"", shown, "\": ", reason));
}

// Parses dotted-decimal IPv4; on failure returns the reason (without the
// input).
std::optional<std::string> ParseV4(absl::string_view text,
                                   std::array<uint8_t, 4>& out) {
  if (text.empty()) return "empty";
  // Count first: the error then says how many parts there were.
  const size_t dots = std::count(text.begin(), text.end(), '.');
  if (dots != 3) {
    return absl::StrCat("expected four dot-separated decimal parts, found ",
                        dots + 1);
  }
  size_t index = 0;
  for (absl::string_view part : absl::StrSplit(text, '.')) {
    if (part.empty()) return "empty part between dots";
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return absl::StrCat("unexpected character '",
                            absl::CHexEscape(absl::string_view(&c, 1)),
                            "' in IPv4 part \"",
                            absl::CHexEscape(part.substr(0, 8)), "\"");
      }
    }
    if (part.size() > 1 && part[0] == '0') {
      return absl::StrCat("leading zero in IPv4 part \"", part.substr(0, 8),
                          "\" (it could be read as octal)");
    }
    int value = 0;
    if (part.size() <= 3) {
      for (char c : part) value = value * 10 + (c - '0');
    }
    if (part.size() > 3 || value > 255) {
      return absl::StrCat("IPv4 part \"", part.substr(0, 8),
                          "\" is out of range 0-255");
    }
    out[index++] = static_cast<uint8_t>(value);
  }
  return std::nullopt;
}

std::optional<std::string> ParseHexGroup(absl::string_view group,
                                         uint16_t& out) {
  if (group.empty()) {
    return "empty group (a single ':' at the start or end, or ':::')";
  }
  if (group.size() > 4) {
    return absl::StrCat("group \"", group.substr(0, 8),
                        "\" has more than four hex digits");
  }
  uint16_t value = 0;
  for (char c : group) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!absl::ascii_isxdigit(u)) {
      return absl::StrCat("unexpected character '",
                          absl::CHexEscape(absl::string_view(&c, 1)),
                          "' in group \"", absl::CHexEscape(group), "\"");
    }
    const int digit =
        absl::ascii_isdigit(u) ? u - '0' : absl::ascii_tolower(u) - 'a' + 10;
    value = static_cast<uint16_t>(value * 16 + digit);
  }
  out = value;
  return std::nullopt;
}

// The 16-bit words of one side of "::" (or of a whole address without one).
// One side holds at most nine groups (eight colons are refused first), one of
// which may be a dotted IPv4 address worth two words.
struct V6Words {
  std::array<uint16_t, 10> words{};
  size_t count = 0;
};

// Parses one side of "::" (or the whole address when there is none) into
// 16-bit words, without allocating. The dotted IPv4 form is allowed only as the
// last group of the side that ends the address.
std::optional<std::string> ParseV6Groups(absl::string_view side,
                                         bool ends_address, V6Words& out) {
  if (side.empty()) return std::nullopt;
  if (std::count(side.begin(), side.end(), ':') > 8) return "too many groups";
  const char* const side_end = side.data() + side.size();
  for (absl::string_view group : absl::StrSplit(side, ':')) {
    if (group.find('.') != absl::string_view::npos) {
      const bool last = group.data() + group.size() == side_end;
      if (!ends_address || !last) {
        return "an embedded IPv4 address must be the last 32 bits";
      }
      std::array<uint8_t, 4> v4;
      if (auto error = ParseV4(group, v4)) {
        return absl::StrCat("bad embedded IPv4 address: ", *error);
      }
      out.words[out.count++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      out.words[out.count++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      continue;
    }
    uint16_t word;
    if (auto error = ParseHexGroup(group, word)) return error;
    out.words[out.count++] = word;
  }
  return std::nullopt;
}

std::optional<std::string> ParseV6(absl::string_view text,
                                   std::array<uint8_t, 16>& out) {
  const size_t zone = text.find('%');
  if (zone != absl::string_view::npos) {
    return absl::StrCat("zone identifiers (\"",
                        absl::CHexEscape(text.substr(zone, kMaxEchoed)),
                        "\") are not supported by Pinhole");
  }
  if (text.find(":::") != absl::string_view::npos) return "':::' is not valid";
  const size_t gap = text.find("::");
  if (gap != absl::string_view::npos &&
      text.find("::", gap + 1) != absl::string_view::npos) {
    return "'::' appears more than once";
  }
  V6Words head, tail;
  if (gap == absl::string_view::npos) {
    if (auto error = ParseV6Groups(text, /*ends_address=*/true, head)) {
      return error;
    }
    if (head.count != 8) {
      return absl::StrCat("expected 8 groups without '::', found ", head.count);
    }
  } else {
    if (auto error =
            ParseV6Groups(text.substr(0, gap), /*ends_address=*/false, head)) {
      return error;
    }
    if (auto error =
            ParseV6Groups(text.substr(gap + 2), /*ends_address=*/true, tail)) {
      return error;
    }
    // "::" stands for one or more zero groups (RFC 4291 §2.2).
    if (head.count + tail.count > 7) {
      return absl::StrCat("too many groups (", head.count + tail.count,
                          ") for an address with '::'");
    }
  }
  std::array<uint16_t, 8> words{};
  std::copy_n(head.words.begin(), head.count, words.begin());
  std::copy_n(tail.words.begin(), tail.count, words.end() - tail.count);
  for (size_t i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(words[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(words[i]);
  }
  return std::nullopt;
}

std::string FormatV4(const uint8_t* b) {
  return absl::StrFormat("%d.%d.%d.%d", b[0], b[1], b[2], b[3]);
}

std::string FormatV6(const std::array<uint8_t, 16>& b) {
  std::array<uint16_t, 8> words;
  for (size_t i = 0; i < 8; ++i)
    words[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);

  // RFC 5952 §4.2: the longest run of at least two zero groups; the first of
  // equal runs.
  int best_start = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  if (best_length < 2) best_start = -1;

  // RFC 5952 §5: mixed notation for IPv4-mapped (::ffff:a.b.c.d) and
  // IPv4-compatible
  // (::a.b.c.d) addresses; the compatible form needs a non-zero seventh group,
  // so that "::2" stays "::2".
  const bool mapped = best_start == 0 && best_length == 5 && words[5] == 0xffff;
  const bool compatible = best_start == 0 && best_length == 6;
  const int hex_groups = (mapped || compatible) ? 6 : 8;

  std::string out;
  for (int i = 0; i < hex_groups;) {
    if (i == best_start) {
      out += "::";
      i += best_length;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    absl::StrAppendFormat(&out, "%x", words[i]);
    ++i;
  }
  if (mapped || compatible) {
    if (out.back() != ':') out += ':';
    out += FormatV4(&b[12]);
  }
  return out;
}

}  // namespace

absl::string_view AddressFamilyName(AddressFamily family) {
  return family == AddressFamily::kIpv4 ? "IPv4" : "IPv6";
}

IpAddress IpAddress::FromV4Bytes(const std::array<uint8_t, 4>& bytes) {
  IpAddress a;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

IpAddress IpAddress::FromV6Bytes(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = AddressFamily::kIpv6;
  a.bytes_ = bytes;
  return a;
}

absl::StatusOr<IpAddress> IpAddress::FromBytes(
    absl::Span<const uint8_t> bytes) {
  if (bytes.size() == 4) {
    return FromV4Bytes({bytes[0], bytes[1], bytes[2], bytes[3]});
  }
  if (bytes.size() == 16) {
    std::array<uint8_t, 16> v6;
    std::copy(bytes.begin(), bytes.end(), v6.begin());
    return FromV6Bytes(v6);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "an IP address is 4 (IPv4) or 16 (IPv6) bytes long, not ", bytes.size()));
}

IpAddress IpAddress::FromV4Value(uint32_t value) {
  return FromV4Bytes(
      {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
       static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)});
}

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  if (text.empty()) return Invalid(text, "empty");
  if (text.find(':') == absl::string_view::npos) {
    std::array<uint8_t, 4> v4;
    if (auto error = ParseV4(text, v4)) return Invalid(text, *error);
    return FromV4Bytes(v4);
  }
  std::array<uint8_t, 16> v6;
  if (auto error = ParseV6(text, v6)) return Invalid(text, *error);
  return FromV6Bytes(v6);
}

IpAddress IpAddress::V6Any() { return FromV6Bytes({}); }

IpAddress IpAddress::V4Loopback() { return FromV4Bytes({127, 0, 0, 1}); }

IpAddress IpAddress::V6Loopback() {
  std::array<uint8_t, 16> b{};
  b[15] = 1;
  return FromV6Bytes(b);
}

IpAddress IpAddress::Any(AddressFamily family) {
  return family == AddressFamily::kIpv4 ? V4Any() : V6Any();
}

absl::Span<const uint8_t> IpAddress::bytes() const {
  return absl::MakeConstSpan(bytes_.data(), is_v4() ? 4 : 16);
}

uint32_t IpAddress::v4_value() const {
  return static_cast<uint32_t>(bytes_[0]) << 24 |
         static_cast<uint32_t>(bytes_[1]) << 16 |
         static_cast<uint32_t>(bytes_[2]) << 8 | bytes_[3];
}

std::string IpAddress::ToString() const {
  return is_v4() ? FormatV4(bytes_.data()) : FormatV6(bytes_);
}

namespace {

// True when the first `bits` bits of `bytes` equal those of `prefix`.
bool HasPrefix(const std::array<uint8_t, 16>& bytes,
               std::initializer_list<uint8_t> prefix, int bits) {
  const uint8_t* p = prefix.begin();
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask =
        bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    const uint8_t want = i < static_cast<int>(prefix.size()) ? p[i] : 0;
    if ((bytes[i] & mask) != (want & mask)) return false;
  }
  return true;
}

}  // namespace

bool IpAddress::IsUnspecified() const {
  return std::all_of(bytes_.begin(), bytes_.end(),
                     [](uint8_t b) { return b == 0; });
}

bool IpAddress::IsThisNetwork() const { return is_v4() && bytes_[0] == 0; }

bool IpAddress::IsLoopback() const {
  if (is_v4()) return bytes_[0] == 127;
  return *this == V6Loopback();
}

bool IpAddress::IsPrivate() const {
  return is_v4() &&
         (HasPrefix(bytes_, {10}, 8) || HasPrefix(bytes_, {172, 16}, 12) ||
          HasPrefix(bytes_, {192, 168}, 16));
}

bool IpAddress::IsSharedAddressSpace() const {
  return is_v4() && HasPrefix(bytes_, {100, 64}, 10);
}

bool IpAddress::IsLinkLocal() const {
  return is_v4() ? HasPrefix(bytes_, {169, 254}, 16)
                 : HasPrefix(bytes_, {0xfe, 0x80}, 10);
}

bool IpAddress::IsUniqueLocal() const {
  return is_v6() && HasPrefix(bytes_, {0xfc}, 7);
}

bool IpAddress::IsMulticast() const {
  return is_v4() ? HasPrefix(bytes_, {224}, 4) : bytes_[0] == 0xff;
}

bool IpAddress::IsBroadcast() const {
  return is_v4() && v4_value() == 0xffffffff;
}

bool IpAddress::IsV4Mapped() const {
  return is_v6() &&
         HasPrefix(bytes_, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96);
}

bool IpAddress::IsV4Compatible() const {
  return is_v6() && HasPrefix(bytes_, {}, 96) && !IsUnspecified() &&
         *this != V6Loopback();
}

bool IpAddress::IsNat64() const {
  return is_v6() &&
         (HasPrefix(bytes_, {0x00, 0x64, 0xff, 0x9b}, 96) ||
          HasPrefix(bytes_, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48));
}

std::optional<IpAddress> IpAddress::EmbeddedV4() const {
  const bool nat64_96 =
      is_v6() && HasPrefix(bytes_, {0x00, 0x64, 0xff, 0x9b}, 96);
  if (!IsV4Mapped() && !IsV4Compatible() && !nat64_96) return std::nullopt;
  return FromV4Bytes({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

IpAddress IpAddress::ToV4Mapped() const {
  if (is_v6()) return *this;
  std::array<uint8_t, 16> b{};
  b[10] = b[11] = 0xff;
  std::copy(bytes_.begin(), bytes_.begin() + 4, b.begin() + 12);
  return FromV6Bytes(b);
}

IpAddress IpAddress::Masked(int prefix_length) const {
  IpAddress out = *this;
  const int total = is_v4() ? 32 : 128;
  prefix_length = std::clamp(prefix_length, 0, total);
  for (int i = 0; i < total / 8; ++i) {
    const int keep = std::clamp(prefix_length - 8 * i, 0, 8);
    out.bytes_[i] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const IpAddress& address) {
  return os << address.ToString();
}

}  // namespace pinhole::net
