#include "turn/peer_address_policy.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace pinhole::turn {
namespace {

// A block the policy refuses unless an explicit rule says otherwise.
struct DefaultRefusal {
  net::IpPrefix prefix;
  absl::string_view category;
};

// The defaults of the header comment. Where two overlap (0.0.0.0 in 0.0.0.0/8,
// 255.255.255.255 in 240.0.0.0/4) the longer prefix names the reason.
const std::vector<DefaultRefusal>& DefaultRefusals() {
  static const auto* const refusals = [] {
    const std::pair<const char*, absl::string_view> table[] = {
        {"0.0.0.0/32", "unspecified"},
        {"0.0.0.0/8", "this network"},
        {"127.0.0.0/8", "loopback"},
        {"169.254.0.0/16", "link-local"},
        {"224.0.0.0/4", "multicast"},
        {"255.255.255.255/32", "limited broadcast"},
        {"240.0.0.0/4", "reserved"},
        {"10.0.0.0/8", "private"},
        {"172.16.0.0/12", "private"},
        {"192.168.0.0/16", "private"},
        {"100.64.0.0/10", "carrier-grade NAT shared address space"},
        // Not 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32:
        // the simulator's public hosts live there (see the header).
        {"::/128", "unspecified"},
        {"::1/128", "loopback"},
        {"fe80::/10", "link-local"},
        {"ff00::/8", "multicast"},
        {"fc00::/7", "unique-local"},
        {"fec0::/10", "deprecated site-local"},
        {"100::/64", "discard-only"},
    };
    auto* out = new std::vector<DefaultRefusal>;
    for (const auto& [text, category] : table) {
      out->push_back({*net::IpPrefix::Parse(text), category});
    }
    return out;
  }();
  return *refusals;
}

// "loopback (127.0.0.0/8)", or "unspecified (::)" for a single address.
std::string Describe(absl::string_view category, const net::IpPrefix& prefix) {
  const int width = prefix.address().is_v4() ? 32 : 128;
  return absl::StrCat(category, " (",
                      prefix.length() == width ? prefix.address().ToString()
                                               : prefix.ToString(),
                      ")");
}

// An IPv4 address that an IPv6 address carries, and the name of the spelling
// that carries it.
struct EmbeddedIpv4 {
  absl::string_view spelling;
  net::IpAddress address;
};

net::IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return net::IpAddress::FromV4Bytes({a, b, c, d});
}

// Whether `bytes` (the 16 of an IPv6 address) begin with `prefix`.
bool StartsWith(absl::Span<const uint8_t> bytes,
                std::initializer_list<uint8_t> prefix) {
  return std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

// Every IPv4 address `peer` carries under the spellings of the header comment
// (two for Teredo, none for an IPv4 address or a plain IPv6 one).
absl::InlinedVector<EmbeddedIpv4, 2> EmbeddedIpv4s(const net::IpAddress& peer) {
  absl::InlinedVector<EmbeddedIpv4, 2> out;
  if (!peer.is_v6()) return out;
  const absl::Span<const uint8_t> b = peer.bytes();
  const net::IpAddress last32 = V4(b[12], b[13], b[14], b[15]);
  if (peer.IsV4Mapped()) {
    out.push_back({"IPv4-mapped IPv6", last32});
  } else if (peer.IsV4Compatible()) {
    out.push_back({"IPv4-compatible IPv6", last32});
  } else if (StartsWith(b, {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0})) {
    out.push_back({"IPv4-translated IPv6", last32});
  } else if (StartsWith(b, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
    out.push_back({"NAT64 (64:ff9b::/96)", last32});
  } else if (StartsWith(b, {0, 0x64, 0xff, 0x9b, 0, 1})) {
    // RFC 6052 §2.2, /48: the address straddles the u-octet (byte 8).
    out.push_back({"NAT64 (64:ff9b:1::/48)", V4(b[6], b[7], b[9], b[10])});
  } else if (StartsWith(b, {0x20, 0x02})) {
    out.push_back({"6to4", V4(b[2], b[3], b[4], b[5])});
  } else if (StartsWith(b, {0x20, 0x01, 0, 0})) {
    // RFC 4380 §4: the client's address is stored inverted.
    out.push_back({"Teredo server", V4(b[4], b[5], b[6], b[7])});
    out.push_back(
        {"Teredo client",
         V4(static_cast<uint8_t>(~b[12]), static_cast<uint8_t>(~b[13]),
            static_cast<uint8_t>(~b[14]), static_cast<uint8_t>(~b[15]))});
  }
  return out;
}

// A decision about one address as it is; `by_rule` when an explicit rule
// made it, so that an allow can be named even when it decided only the IPv4
// address inside an IPv6 spelling.
struct Decision {
  PeerVerdict verdict;
  bool by_rule = false;
};

// Rule 1 of the header: the most specific explicit rule containing `address`
// decides; denies are looked at first and only a strictly longer allow
// displaces one, so a tie goes to the deny. Nullopt when no rule matches.
std::optional<Decision> DecideByRule(const PeerAddressPolicy::Config& config,
                                     const net::IpAddress& address) {
  const net::IpPrefix* best = nullptr;
  bool deny = false;
  for (const net::IpPrefix& rule : config.deny) {
    if (rule.Contains(address) &&
        (best == nullptr || rule.length() > best->length())) {
      best = &rule;
      deny = true;
    }
  }
  for (const net::IpPrefix& rule : config.allow) {
    if (rule.Contains(address) &&
        (best == nullptr || rule.length() > best->length())) {
      best = &rule;
      deny = false;
    }
  }
  if (best == nullptr) return std::nullopt;
  return Decision{{!deny, absl::StrCat(deny ? "denied by --deny-peer "
                                            : "allowed by --allow-peer ",
                                       best->ToString())},
                  /*by_rule=*/true};
}

// Rule 3: the defaults, the server's own addresses first.
PeerVerdict DecideByDefault(const PeerAddressPolicy::Config& config,
                            const net::IpAddress& address) {
  for (const net::IpAddress& own : config.own_addresses) {
    if (own == address) {
      return {false,
              absl::StrCat("the server's own address (", own.ToString(), ")")};
    }
  }
  const DefaultRefusal* refusal = nullptr;
  for (const DefaultRefusal& candidate : DefaultRefusals()) {
    if (candidate.prefix.Contains(address) &&
        (refusal == nullptr ||
         candidate.prefix.length() > refusal->prefix.length())) {
      refusal = &candidate;
    }
  }
  if (refusal != nullptr) {
    return {false, Describe(refusal->category, refusal->prefix)};
  }
  return {true, "no rule refuses it"};
}

// Rules 1 to 3 for `address` as it is, not looking inside IPv6 spellings.
Decision DecideAsItIs(const PeerAddressPolicy::Config& config,
                      const net::IpAddress& address) {
  if (std::optional<Decision> decision = DecideByRule(config, address)) {
    return *std::move(decision);
  }
  return {DecideByDefault(config, address), /*by_rule=*/false};
}

}  // namespace

PeerAddressPolicy::PeerAddressPolicy(Config config)
    : config_(std::move(config)) {}

PeerVerdict PeerAddressPolicy::Check(const net::IpAddress& peer) const {
  Decision outer = DecideAsItIs(config_, peer);
  if (!outer.verdict.allowed) return std::move(outer.verdict);
  std::optional<PeerVerdict> named_allow;
  for (const EmbeddedIpv4& embedded : EmbeddedIpv4s(peer)) {
    Decision inner = DecideAsItIs(config_, embedded.address);
    if (inner.verdict.allowed && !inner.by_rule) continue;
    PeerVerdict verdict{
        inner.verdict.allowed,
        absl::StrCat(embedded.spelling, " of ", embedded.address.ToString(),
                     ": ", inner.verdict.reason)};
    if (!verdict.allowed) return verdict;
    if (!named_allow.has_value()) named_allow = std::move(verdict);
  }
  // Allowed: name the explicit allow that let it through, if one did.
  if (!outer.by_rule && named_allow.has_value()) return *std::move(named_allow);
  return std::move(outer.verdict);
}

}  // namespace pinhole::turn
