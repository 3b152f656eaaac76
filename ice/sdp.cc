#include "ice/sdp.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "ice/candidate.h"
#include "net/ip_address.h"
#include "net/transport_address.h"

namespace pinhole::ice {
namespace {

// Longest piece of input an error message quotes; longer input is cut and
// marked.
constexpr size_t kMaxQuoted = 40;

constexpr absl::string_view kCandidatePrefix = "candidate:";
constexpr absl::string_view kIceAttributes =
    "ice-ufrag, ice-pwd, ice-options, ice-lite, candidate or "
    "end-of-candidates";

// RFC 8839 §5.1 and §5.4.
constexpr size_t kMaxFoundation = 32;
constexpr size_t kMinUfrag = 4;
constexpr size_t kMinPwd = 22;
constexpr size_t kMaxCredential = 256;
// RFC 8445 §5.1.2.1: a priority is 1 to 2^31 − 1.
constexpr uint32_t kMaxPriority = 0x7fffffff;

std::string Quote(absl::string_view text) {
  std::string shown = absl::CHexEscape(text.substr(0, kMaxQuoted));
  if (text.size() > kMaxQuoted) absl::StrAppend(&shown, "...");
  return absl::StrCat("\"", shown, "\"");
}

std::string QuoteChar(char c) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(&c, 1)), "'");
}

absl::Status CandidateError(absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("candidate attribute: ", message));
}

// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1).
bool IsIceChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' ||
         c == '/';
}

// The offset of the first character of `text` that is not an ice-char, or
// npos.
size_t FindNonIceChar(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsIceChar(text[i])) return i;
  }
  return absl::string_view::npos;
}

// Checks that `text` is `min` to `max` ice-chars. `secret` keeps the value
// out of the message (a password must not reach a log).
absl::Status ValidateIceChars(absl::string_view what, absl::string_view text,
                              size_t min, size_t max, bool secret) {
  const std::string named =
      secret ? std::string(what) : absl::StrCat(what, " ", Quote(text));
  if (text.size() < min || text.size() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(named, " is ", text.size(),
                     " characters long; RFC 8839 allows ", min, " to ", max));
  }
  const size_t bad = FindNonIceChar(text);
  if (bad != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        named, " has ", QuoteChar(text[bad]), " at offset ", bad,
        ", which is not an ice-char (letters, digits, '+' and '/')"));
  }
  return absl::OkStatus();
}

// Checks the length and bytes of a raw line and returns the attribute in it:
// without a leading "a=" and without trailing white space (the line ending).
absl::StatusOr<absl::string_view> Unwrap(absl::string_view line) {
  if (line.size() > kMaxIceLineLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("ICE line of ", line.size(), " bytes is longer than the ",
                     kMaxIceLineLength, " allowed: ", Quote(line)));
  }
  while (!line.empty() &&
         absl::ascii_isspace(static_cast<unsigned char>(line.back()))) {
    line.remove_suffix(1);
  }
  absl::ConsumePrefix(&line, "a=");
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ICE line has the byte ", QuoteChar(line[i]), " at offset ", i,
          "; SDP attributes are printable ASCII: ", Quote(line)));
    }
  }
  return line;
}

// The space-separated fields of a line; runs of spaces count as one.
class Fields {
 public:
  explicit Fields(absl::string_view text) : rest_(text) {}

  // The next field, or "" at the end.
  absl::string_view Next() {
    const size_t start = rest_.find_first_not_of(' ');
    if (start == absl::string_view::npos) {
      rest_ = absl::string_view();
      return rest_;
    }
    rest_.remove_prefix(start);
    const absl::string_view field = rest_.substr(0, rest_.find(' '));
    rest_.remove_prefix(field.size());
    return field;
  }

 private:
  absl::string_view rest_;
};

absl::StatusOr<absl::string_view> Require(Fields& fields,
                                          absl::string_view name) {
  const absl::string_view field = fields.Next();
  if (field.empty()) {
    return CandidateError(absl::StrCat("missing ", name));
  }
  return field;
}

// A decimal number of at most `max_digits` digits in [min, max].
absl::StatusOr<uint32_t> ParseNumber(absl::string_view name,
                                     absl::string_view text, size_t max_digits,
                                     uint32_t min, uint32_t max) {
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return CandidateError(
          absl::StrCat(name, " ", Quote(text), " is not a decimal number"));
    }
  }
  if (text.size() > max_digits) {
    return CandidateError(absl::StrCat(
        name, " ", Quote(text), " has more than ", max_digits, " digits"));
  }
  uint64_t value = 0;  // At most 10 digits: no overflow.
  for (char c : text) value = value * 10 + static_cast<uint64_t>(c - '0');
  if (value < min || value > max) {
    return CandidateError(absl::StrCat(name, " ", Quote(text),
                                       " is out of range ", min, "-", max));
  }
  return static_cast<uint32_t>(value);
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view name,
                                   absl::string_view text) {
  absl::StatusOr<uint32_t> port = ParseNumber(name, text, 5, 0, 65535);
  if (!port.ok()) return port.status();
  return static_cast<uint16_t>(*port);
}

// Whether `text` has the shape of a domain name: dot-separated labels of
// letters, digits, '-' and '_', the last of which is not all digits (so a
// malformed IPv4 address is not taken for a name).
bool LooksLikeName(absl::string_view text) {
  absl::ConsumeSuffix(&text, ".");
  if (text.empty() || text.size() > 253) return false;
  bool last_label_has_letter = false;
  size_t label_size = 0;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (label_size == 0) return false;
      label_size = 0;
      last_label_has_letter = false;
      continue;
    }
    if (!absl::ascii_isalnum(u) && c != '-' && c != '_') return false;
    if (++label_size > 63) return false;
    if (absl::ascii_isalpha(u)) last_label_has_letter = true;
  }
  return label_size > 0 && last_label_has_letter;
}

// An IP literal; names get kUnimplemented, anything else kInvalidArgument.
absl::StatusOr<net::IpAddress> ParseAddress(absl::string_view name,
                                            absl::string_view text) {
  absl::StatusOr<net::IpAddress> ip = net::IpAddress::Parse(text);
  if (ip.ok()) return ip;
  if (LooksLikeName(text)) {
    absl::string_view bare = text;
    absl::ConsumeSuffix(&bare, ".");
    const bool mdns =
        bare.size() > 6 && absl::EndsWithIgnoreCase(bare, ".local");
    return absl::UnimplementedError(
        absl::StrCat("candidate attribute: ", name, " ", Quote(text), " is ",
                     mdns ? "an mDNS name (RFC 6762 .local)" : "a domain name",
                     ", not an IP address; Pinhole does not resolve names"));
  }
  return CandidateError(
      absl::StrCat("bad ", name, ": ", ip.status().message()));
}

absl::StatusOr<net::TransportProtocol> ParseTransport(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "udp")) return net::TransportProtocol::kUdp;
  if (absl::EqualsIgnoreCase(text, "tcp")) return net::TransportProtocol::kTcp;
  return CandidateError(
      absl::StrCat("transport ", Quote(text), " is neither UDP nor TCP"));
}

absl::StatusOr<CandidateType> ParseType(absl::string_view text) {
  for (CandidateType type :
       {CandidateType::kHost, CandidateType::kServerReflexive,
        CandidateType::kPeerReflexive, CandidateType::kRelayed}) {
    if (absl::EqualsIgnoreCase(text, CandidateTypeName(type))) return type;
  }
  return CandidateError(
      absl::StrCat("unknown candidate type ", Quote(text),
                   " (expected host, srflx, prflx or relay)"));
}

absl::StatusOr<TcpType> ParseTcpType(absl::string_view text) {
  for (TcpType type :
       {TcpType::kActive, TcpType::kPassive, TcpType::kSimultaneousOpen}) {
    if (absl::EqualsIgnoreCase(text, TcpTypeName(type))) return type;
  }
  return CandidateError(absl::StrCat("unknown tcptype ", Quote(text),
                                     " (expected active, passive or so)"));
}

// The known extensions of a candidate line, each allowed once.
absl::Status ParseExtension(absl::string_view name, absl::string_view value,
                            Candidate& candidate, bool& seen_tcp_type) {
  const auto twice = [&] {
    return CandidateError(
        absl::StrCat("extension ", Quote(name), " appears twice"));
  };
  if (absl::EqualsIgnoreCase(name, "raddr") ||
      absl::EqualsIgnoreCase(name, "rport")) {
    return CandidateError(absl::StrCat(
        name, " ", Quote(value),
        " must come right after the candidate type, as raddr ADDRESS rport "
        "PORT"));
  }
  if (absl::EqualsIgnoreCase(name, "tcptype")) {
    if (candidate.address.protocol() != net::TransportProtocol::kTcp) {
      return CandidateError(absl::StrCat(
          "tcptype ", Quote(value),
          " on a UDP candidate (RFC 6544 defines it for TCP only)"));
    }
    if (seen_tcp_type) return twice();
    seen_tcp_type = true;
    absl::StatusOr<TcpType> tcp_type = ParseTcpType(value);
    if (!tcp_type.ok()) return tcp_type.status();
    candidate.tcp_type = *tcp_type;
  } else if (absl::EqualsIgnoreCase(name, "generation")) {
    if (candidate.generation.has_value()) return twice();
    absl::StatusOr<uint32_t> generation = ParseNumber(
        "generation", value, 10, 0, std::numeric_limits<uint32_t>::max());
    if (!generation.ok()) return generation.status();
    candidate.generation = *generation;
  } else if (absl::EqualsIgnoreCase(name, "ufrag")) {
    if (!candidate.ufrag.empty()) return twice();
    absl::Status valid = ValidateIceChars("ufrag", value, kMinUfrag,
                                          kMaxCredential, /*secret=*/false);
    if (!valid.ok()) return CandidateError(valid.message());
    candidate.ufrag = std::string(value);
  }
  // Anything else (network-id, network-cost, ...) is skipped: RFC 8839 §5.1.
  return absl::OkStatus();
}

// The value of a candidate attribute: what follows "candidate:".
absl::StatusOr<Candidate> ParseCandidateValue(absl::string_view value) {
  Fields fields(value);
  Candidate candidate;

  absl::StatusOr<absl::string_view> field = Require(fields, "foundation");
  if (!field.ok()) return field.status();
  if (field->size() > kMaxFoundation) {
    return CandidateError(absl::StrCat("foundation ", Quote(*field), " is ",
                                       field->size(),
                                       " characters long; at most 32"));
  }
  if (const size_t bad = FindNonIceChar(*field);
      bad != absl::string_view::npos) {
    return CandidateError(absl::StrCat(
        "foundation ", Quote(*field), " has ", QuoteChar((*field)[bad]),
        ", which is not an ice-char (letters, digits, '+' and "
        "'/')"));
  }
  candidate.foundation = std::string(*field);

  field = Require(fields, "component-id");
  if (!field.ok()) return field.status();
  absl::StatusOr<uint32_t> component =
      ParseNumber("component-id", *field, 3, 1, 256);
  if (!component.ok()) return component.status();
  candidate.component = *component;

  field = Require(fields, "transport");
  if (!field.ok()) return field.status();
  absl::StatusOr<net::TransportProtocol> transport = ParseTransport(*field);
  if (!transport.ok()) return transport.status();

  field = Require(fields, "priority");
  if (!field.ok()) return field.status();
  absl::StatusOr<uint32_t> priority =
      ParseNumber("priority", *field, 10, 1, kMaxPriority);
  if (!priority.ok()) return priority.status();
  candidate.priority = *priority;

  field = Require(fields, "connection-address");
  if (!field.ok()) return field.status();
  absl::StatusOr<net::IpAddress> ip =
      ParseAddress("connection-address", *field);
  if (!ip.ok()) return ip.status();

  field = Require(fields, "port");
  if (!field.ok()) return field.status();
  absl::StatusOr<uint16_t> port = ParsePort("port", *field);
  if (!port.ok()) return port.status();
  candidate.address = net::TransportAddress(*ip, *port, *transport);

  field = Require(fields, "\"typ\" after the port");
  if (!field.ok()) return field.status();
  if (!absl::EqualsIgnoreCase(*field, "typ")) {
    return CandidateError(
        absl::StrCat("expected \"typ\" after the port, found ", Quote(*field)));
  }
  field = Require(fields, "candidate type after \"typ\"");
  if (!field.ok()) return field.status();
  absl::StatusOr<CandidateType> type = ParseType(*field);
  if (!type.ok()) return type.status();
  candidate.type = *type;

  absl::string_view name = fields.Next();
  if (absl::EqualsIgnoreCase(name, "raddr")) {
    field = Require(fields, "address after raddr");
    if (!field.ok()) return field.status();
    absl::StatusOr<net::IpAddress> related_ip = ParseAddress("raddr", *field);
    if (!related_ip.ok()) return related_ip.status();
    if (!absl::EqualsIgnoreCase(fields.Next(), "rport")) {
      return CandidateError("raddr without rport");
    }
    field = Require(fields, "port after rport");
    if (!field.ok()) return field.status();
    absl::StatusOr<uint16_t> related_port = ParsePort("rport", *field);
    if (!related_port.ok()) return related_port.status();
    candidate.related =
        net::TransportAddress(*related_ip, *related_port, *transport);
    name = fields.Next();
  } else if (absl::EqualsIgnoreCase(name, "rport")) {
    return CandidateError("rport without raddr");
  }

  bool seen_tcp_type = false;
  while (!name.empty()) {
    const absl::string_view extension_value = fields.Next();
    if (extension_value.empty()) {
      return CandidateError(
          absl::StrCat("extension ", Quote(name), " has no value"));
    }
    absl::Status status =
        ParseExtension(name, extension_value, candidate, seen_tcp_type);
    if (!status.ok()) return status;
    name = fields.Next();
  }
  return candidate;
}

absl::Status NoValue(absl::string_view name, absl::string_view attribute) {
  if (attribute.size() == name.size()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      name, " takes no value, found ", Quote(attribute.substr(name.size()))));
}

absl::Status ParseOptions(absl::string_view value, IceParameters& parameters) {
  bool trickle = false;
  std::vector<std::string> others;
  Fields fields(value);
  for (absl::string_view tag = fields.Next(); !tag.empty();
       tag = fields.Next()) {
    if (const size_t bad = FindNonIceChar(tag);
        bad != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ice-options tag ", Quote(tag), " has ", QuoteChar(tag[bad]),
          ", which is not an ice-char (letters, digits, '+' and '/')"));
    }
    if (tag == "trickle") {
      trickle = true;
    } else {
      others.emplace_back(tag);
    }
  }
  if (!trickle && others.empty()) {
    return absl::InvalidArgumentError(
        "ice-options without an option tag (RFC 8839 §5.6 wants at least "
        "one)");
  }
  parameters.trickle = trickle;
  parameters.other_options = std::move(others);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Candidate> ParseCandidateAttribute(absl::string_view line) {
  absl::StatusOr<absl::string_view> attribute = Unwrap(line);
  if (!attribute.ok()) return attribute.status();
  if (!absl::ConsumePrefix(&*attribute, kCandidatePrefix)) {
    return CandidateError(
        absl::StrCat("expected \"candidate:\", found ", Quote(*attribute)));
  }
  return ParseCandidateValue(*attribute);
}

std::string FormatCandidateAttribute(const Candidate& candidate) {
  std::string line = absl::StrCat(
      kCandidatePrefix, candidate.foundation, " ", candidate.component, " ",
      net::TransportProtocolName(candidate.address.protocol()), " ",
      candidate.priority, " ", candidate.address.ip().ToString(), " ",
      candidate.address.port(), " typ ", CandidateTypeName(candidate.type));
  if (candidate.related.has_value()) {
    absl::StrAppend(&line, " raddr ", candidate.related->ip().ToString(),
                    " rport ", candidate.related->port());
  }
  if (candidate.tcp_type != TcpType::kNone) {
    absl::StrAppend(&line, " tcptype ", TcpTypeName(candidate.tcp_type));
  }
  if (candidate.generation.has_value()) {
    absl::StrAppend(&line, " generation ", *candidate.generation);
  }
  if (!candidate.ufrag.empty()) {
    absl::StrAppend(&line, " ufrag ", candidate.ufrag);
  }
  return line;
}

bool operator==(const IceParameters& a, const IceParameters& b) {
  return a.ufrag == b.ufrag && a.pwd == b.pwd && a.trickle == b.trickle &&
         a.other_options == b.other_options && a.lite == b.lite;
}

bool operator!=(const IceParameters& a, const IceParameters& b) {
  return !(a == b);
}

absl::Status ValidateUfrag(absl::string_view ufrag) {
  return ValidateIceChars("ice-ufrag", ufrag, kMinUfrag, kMaxCredential,
                          /*secret=*/false);
}

absl::Status ValidatePwd(absl::string_view pwd) {
  return ValidateIceChars("ice-pwd", pwd, kMinPwd, kMaxCredential,
                          /*secret=*/true);
}

absl::Status ValidateCredentials(absl::string_view ufrag,
                                 absl::string_view pwd) {
  absl::Status status = ValidateUfrag(ufrag);
  if (!status.ok()) return status;
  return ValidatePwd(pwd);
}

std::vector<std::string> FormatIceParameters(const IceParameters& parameters) {
  std::vector<std::string> lines;
  if (!parameters.ufrag.empty()) {
    lines.push_back(absl::StrCat("ice-ufrag:", parameters.ufrag));
  }
  if (!parameters.pwd.empty()) {
    lines.push_back(absl::StrCat("ice-pwd:", parameters.pwd));
  }
  if (parameters.trickle || !parameters.other_options.empty()) {
    std::vector<absl::string_view> tags;
    if (parameters.trickle) tags.push_back("trickle");
    for (const std::string& tag : parameters.other_options) {
      tags.push_back(tag);
    }
    lines.push_back(absl::StrCat("ice-options:", absl::StrJoin(tags, " ")));
  }
  if (parameters.lite) lines.push_back("ice-lite");
  return lines;
}

absl::string_view IceLineKindName(IceLineKind kind) {
  switch (kind) {
    case IceLineKind::kUfrag:
      return "ice-ufrag";
    case IceLineKind::kPwd:
      return "ice-pwd";
    case IceLineKind::kOptions:
      return "ice-options";
    case IceLineKind::kLite:
      return "ice-lite";
    case IceLineKind::kCandidate:
      return "candidate";
    case IceLineKind::kEndOfCandidates:
      return "end-of-candidates";
  }
  return "unknown";
}

absl::StatusOr<IceLine> ParseIceLine(absl::string_view line,
                                     IceParameters& parameters) {
  absl::StatusOr<absl::string_view> attribute = Unwrap(line);
  if (!attribute.ok()) return attribute.status();
  if (attribute->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty line; expected ", kIceAttributes));
  }
  const size_t colon = attribute->find(':');
  const absl::string_view name = attribute->substr(0, colon);
  const absl::string_view value = colon == absl::string_view::npos
                                      ? absl::string_view()
                                      : attribute->substr(colon + 1);
  IceLine parsed;
  if (name == "candidate") {
    parsed.kind = IceLineKind::kCandidate;
    absl::StatusOr<Candidate> candidate = ParseCandidateValue(value);
    if (!candidate.ok()) return candidate.status();
    parsed.candidate = *std::move(candidate);
  } else if (name == "ice-ufrag") {
    parsed.kind = IceLineKind::kUfrag;
    absl::Status status = ValidateUfrag(value);
    if (!status.ok()) return status;
    parameters.ufrag = std::string(value);
  } else if (name == "ice-pwd") {
    parsed.kind = IceLineKind::kPwd;
    absl::Status status = ValidatePwd(value);
    if (!status.ok()) return status;
    parameters.pwd = std::string(value);
  } else if (name == "ice-options") {
    parsed.kind = IceLineKind::kOptions;
    absl::Status status = ParseOptions(value, parameters);
    if (!status.ok()) return status;
  } else if (name == "ice-lite") {
    parsed.kind = IceLineKind::kLite;
    absl::Status status = NoValue(name, *attribute);
    if (!status.ok()) return status;
    parameters.lite = true;
  } else if (name == kEndOfCandidatesAttribute) {
    parsed.kind = IceLineKind::kEndOfCandidates;
    absl::Status status = NoValue(name, *attribute);
    if (!status.ok()) return status;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("not an ICE attribute: ", Quote(*attribute), "; expected ",
                     kIceAttributes));
  }
  return parsed;
}

}  // namespace pinhole::ice
