#include "ice/candidate.h"

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/transport_address.h"

namespace pinhole::ice {

absl::string_view CandidateTypeName(CandidateType type) {
  switch (type) {
    case CandidateType::kHost:
      return "host";
    case CandidateType::kServerReflexive:
      return "srflx";
    case CandidateType::kPeerReflexive:
      return "prflx";
    case CandidateType::kRelayed:
      return "relay";
  }
  return "unknown";
}

absl::string_view TcpTypeName(TcpType type) {
  switch (type) {
    case TcpType::kNone:
      return "";
    case TcpType::kActive:
      return "active";
    case TcpType::kPassive:
      return "passive";
    case TcpType::kSimultaneousOpen:
      return "so";
  }
  return "";
}

uint32_t TypePreferences::For(CandidateType type) const {
  switch (type) {
    case CandidateType::kHost:
      return host;
    case CandidateType::kServerReflexive:
      return server_reflexive;
    case CandidateType::kPeerReflexive:
      return peer_reflexive;
    case CandidateType::kRelayed:
      return relayed;
  }
  return 0;
}

uint32_t CandidatePriority(uint32_t type_preference, uint32_t local_preference,
                           uint32_t component) {
  // Arguments outside the ranges of §5.1.2.1 are clamped into them, so one
  // term never spills into another's bits and the sum stays below 2^31.
  const uint64_t type = std::min<uint32_t>(type_preference, 126);
  const uint64_t local = std::min<uint32_t>(local_preference, 65535);
  const uint64_t id = std::clamp<uint32_t>(component, 1, 256);
  return static_cast<uint32_t>((type << 24) + (local << 8) + (256 - id));
}

uint64_t PairPriority(uint32_t controlling, uint32_t controlled) {
  const uint64_t g = controlling;
  const uint64_t d = controlled;
  return (std::min(g, d) << 32) + 2 * std::max(g, d) + (g > d ? 1 : 0);
}

std::string Candidate::ToString() const {
  std::string text =
      absl::StrCat(CandidateTypeName(type), " ", address.ToString(), " c",
                   component, " p", priority);
  if (related.has_value()) {
    absl::StrAppend(&text, " raddr ", related->HostPort());
  }
  if (tcp_type != TcpType::kNone) {
    absl::StrAppend(&text, " tcptype ", TcpTypeName(tcp_type));
  }
  return text;
}

bool operator==(const Candidate& a, const Candidate& b) {
  return a.foundation == b.foundation && a.component == b.component &&
         a.priority == b.priority && a.type == b.type &&
         a.address == b.address && a.base == b.base && a.related == b.related &&
         a.tcp_type == b.tcp_type && a.relay_protocol == b.relay_protocol &&
         a.generation == b.generation && a.ufrag == b.ufrag;
}

bool operator!=(const Candidate& a, const Candidate& b) { return !(a == b); }

std::ostream& operator<<(std::ostream& os, const Candidate& candidate) {
  return os << candidate.ToString();
}

}  // namespace pinhole::ice
