#include "net/transport_address.h"

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"

namespace pinhole::net {
namespace {

constexpr size_t kMaxEchoed = 80;

absl::Status Invalid(absl::string_view text, absl::string_view reason) {
  std::string shown = absl::CHexEscape(text.substr(0, kMaxEchoed));
  if (text.size() > kMaxEchoed) absl::StrAppend(&shown, "...");
  return absl::InvalidArgumentError(
      absl::StrCat("invalid transport address \"", shown, "\": ", reason));
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("missing port");
  if (text.size() > 5 || (text.size() > 1 && text[0] == '0')) {
    return absl::InvalidArgumentError("port is not a decimal number 0-65535");
  }
  uint32_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("port is not a decimal number 0-65535");
    }
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > 65535)
    return absl::InvalidArgumentError("port is out of range 0-65535");
  return static_cast<uint16_t>(value);
}

}  // namespace

absl::string_view TransportProtocolName(TransportProtocol protocol) {
  switch (protocol) {
    case TransportProtocol::kUdp:
      return "udp";
    case TransportProtocol::kTcp:
      return "tcp";
    case TransportProtocol::kTls:
      return "tls";
  }
  return "unknown";
}

absl::StatusOr<TransportProtocol> ParseTransportProtocol(
    absl::string_view name) {
  for (TransportProtocol p : {TransportProtocol::kUdp, TransportProtocol::kTcp,
                              TransportProtocol::kTls}) {
    if (absl::EqualsIgnoreCase(name, TransportProtocolName(p))) return p;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown transport protocol \"",
                   absl::CHexEscape(name.substr(0, kMaxEchoed)),
                   "\" (expected udp, tcp or tls)"));
}

absl::StatusOr<TransportAddress> TransportAddress::Parse(
    absl::string_view text, TransportProtocol default_protocol) {
  absl::string_view rest = text;
  TransportProtocol protocol = default_protocol;
  if (const size_t slash = rest.rfind('/'); slash != absl::string_view::npos) {
    absl::StatusOr<TransportProtocol> parsed =
        ParseTransportProtocol(rest.substr(slash + 1));
    if (!parsed.ok()) return Invalid(text, parsed.status().message());
    protocol = *parsed;
    rest = rest.substr(0, slash);
  }

  absl::string_view host, port;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) return Invalid(text, "missing ']'");
    host = rest.substr(1, close - 1);
    absl::string_view after = rest.substr(close + 1);
    if (after.empty() || after[0] != ':')
      return Invalid(text, "expected ':PORT' after ']'");
    port = after.substr(1);
    if (host.find(':') == absl::string_view::npos) {
      return Invalid(text, "brackets are for IPv6 addresses only");
    }
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == absl::string_view::npos)
      return Invalid(text, "expected ADDRESS:PORT");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) {
      return Invalid(
          text,
          "an IPv6 address with a port must be in brackets: [ADDRESS]:PORT");
    }
  }

  absl::StatusOr<IpAddress> ip = IpAddress::Parse(host);
  if (!ip.ok()) return Invalid(text, ip.status().message());
  absl::StatusOr<uint16_t> port_number = ParsePort(port);
  if (!port_number.ok()) return Invalid(text, port_number.status().message());
  return TransportAddress(*ip, *port_number, protocol);
}

std::string TransportAddress::HostPort() const {
  if (ip_.is_v6()) return absl::StrCat("[", ip_.ToString(), "]:", port_);
  return absl::StrCat(ip_.ToString(), ":", port_);
}

std::string TransportAddress::ToString() const {
  return absl::StrCat(HostPort(), "/", TransportProtocolName(protocol_));
}

std::ostream& operator<<(std::ostream& os, const TransportAddress& address) {
  return os << address.ToString();
}

}  // namespace pinhole::net
