// The SDP syntax of ICE (RFC 8839): candidate lines (§5.1), the ICE
// parameters (ice-lite §5.3, ice-ufrag and ice-pwd §5.4, ice-options §5.6)
// and end-of-candidates (RFC 8840), one attribute per line, as a signalling
// channel carries them:
//
//   a=ice-ufrag:EsAw
//   a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1
//   a=ice-options:trickle
//   a=candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx ...
//   a=end-of-candidates
//
// Parsers take untrusted text: they accept a line with or without its "a="
// and its line ending (CR LF or LF), never crash, do work linear in the line
// and refuse lines over kMaxIceLineLength. Errors say which field was bad
// and quote it (shortened, escaped):
// - kInvalidArgument: the line is malformed, or is not an ICE attribute;
// - kUnimplemented: a well-formed candidate whose address is a name (an FQDN,
//   or an mDNS ".local" name, RFC 8839 §5.1): Pinhole resolves no names, and
//   an agent may skip such a candidate and carry on.
//
// Formatters write the attribute without "a=" and without a line ending.
#ifndef PINHOLE_ICE_SDP_H_
#define PINHOLE_ICE_SDP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ice/candidate.h"

namespace pinhole::ice {

// The longest line the parsers read, line ending included. A candidate line
// with every extension a browser writes is under 300 bytes.
inline constexpr size_t kMaxIceLineLength = 4096;

// --- Candidates.

// Parses "candidate:..." (RFC 8839 §5.1), with or without "a=":
//
//   candidate:<foundation> <component-id> <transport> <priority>
//       <connection-address> <port> typ <host|srflx|prflx|relay>
//       [raddr <address> rport <port>] *(<extension name> <value>)
//
// - foundation: 1 to 32 ice-chars (ALPHA, DIGIT, "+", "/");
// - component-id: 1 to 256, at most 3 digits;
// - transport: "UDP" or "TCP" in any case (the candidate's address gets
//   net::TransportProtocol kUdp or kTcp; related addresses get the same);
// - priority: 1 to 2^31 − 1 (RFC 8445 §5.1.2.1), at most 10 digits;
// - connection-address: an IPv4 or IPv6 literal (IPv6 without brackets);
// - port: 0 to 65535, at most 5 digits;
// - raddr and rport: both or neither, right after the type;
// - extensions: "tcptype active|passive|so" (TCP candidates only, RFC 6544
//   §4.5), "generation N" (0 to 2^32 − 1), "ufrag X" (4 to 256 ice-chars, as
//   ice-ufrag); any other name and its value (network-id, network-cost, ...)
//   are skipped, as RFC 8839 §5.1 says. An extension may appear once.
// Keywords and types are case-insensitive; fields are separated by one or
// more spaces. `base` is left unset: a parsed candidate is a remote one.
absl::StatusOr<Candidate> ParseCandidateAttribute(absl::string_view line);

// "candidate:<foundation> <component> udp|tcp <priority> <ip> <port> typ
// <type> [raddr <ip> rport <port>] [tcptype <t>] [generation <n>]
// [ufrag <u>]", in the lower case browsers write; `base` is not written. For
// a candidate that ParseCandidateAttribute could have returned,
// ParseCandidateAttribute(FormatCandidateAttribute(c)) == c.
std::string FormatCandidateAttribute(const Candidate& candidate);

// --- ICE parameters.

// The session- or media-level ICE attributes of one agent.
struct IceParameters {
  // ice-ufrag and ice-pwd (RFC 8839 §5.4); empty until announced.
  std::string ufrag;
  std::string pwd;
  // ice-options (§5.6): "trickle" (RFC 8838, RFC 8840) sets `trickle`; other
  // option tags are kept, in order, in `other_options` (RFC 8839 says an agent
  // ignores the ones it does not know).
  bool trickle = false;
  std::vector<std::string> other_options;
  // ice-lite (§5.3): the agent is a lite implementation.
  bool lite = false;
};

bool operator==(const IceParameters& a, const IceParameters& b);
bool operator!=(const IceParameters& a, const IceParameters& b);

// RFC 8839 §5.4: a ufrag is 4 to 256 ice-chars, a password 22 to 256. The
// error names the field and says its length or its first character that is
// not an ice-char; ValidatePwd never quotes the password itself.
absl::Status ValidateUfrag(absl::string_view ufrag);
absl::Status ValidatePwd(absl::string_view pwd);
absl::Status ValidateCredentials(absl::string_view ufrag,
                                 absl::string_view pwd);

// The attributes that announce `parameters`, one per line, in this order:
// "ice-ufrag:<ufrag>" and "ice-pwd:<pwd>" (each when not empty),
// "ice-options:<tags>" ("trickle" first; when there is any tag) and
// "ice-lite" (when lite). Applying them in order with ParseIceLine to an
// empty IceParameters gives back `parameters`, when those are valid.
std::vector<std::string> FormatIceParameters(const IceParameters& parameters);

// --- One line of signalling.

// end-of-candidates (RFC 8840): the sender will trickle no more.
inline constexpr absl::string_view kEndOfCandidatesAttribute =
    "end-of-candidates";

enum class IceLineKind : uint8_t {
  kUfrag,    // ice-ufrag: IceParameters::ufrag set.
  kPwd,      // ice-pwd: IceParameters::pwd set.
  kOptions,  // ice-options: `trickle` and `other_options` replaced.
  kLite,     // ice-lite: `lite` set.
  kCandidate,
  kEndOfCandidates,
};

// "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "candidate",
// "end-of-candidates": the attribute names.
absl::string_view IceLineKindName(IceLineKind kind);

// One line, parsed.
struct IceLine {
  IceLineKind kind = IceLineKind::kCandidate;
  // The candidate of a kCandidate line; unused otherwise.
  Candidate candidate;
};

// Parses one line of ICE signalling: ice-ufrag, ice-pwd, ice-options and
// ice-lite update `parameters` (a later line replaces what an earlier line of
// the same attribute said); a candidate line returns its candidate;
// end-of-candidates is reported. On error `parameters` is unchanged. Any
// other line (another attribute, an empty line) is an error naming it.
//
//   IceParameters remote;
//   for (const std::string& line : lines) {
//     absl::StatusOr<IceLine> parsed = ParseIceLine(line, remote);
//     if (!parsed.ok()) ...;
//     if (parsed->kind == IceLineKind::kCandidate) ...parsed->candidate...;
//   }
absl::StatusOr<IceLine> ParseIceLine(absl::string_view line,
                                     IceParameters& parameters);

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_SDP_H_
