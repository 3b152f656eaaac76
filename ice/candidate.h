// `Candidate`: one ICE candidate (RFC 8445 §5.1), local or remote, and the
// vocabulary around it: candidate types, the priority formula (§5.1.2.1) and
// the pair priority (§6.1.2.3).
//
// A candidate is a transport address a peer may be reached at, with its type,
// the `base` it is sent from (§5.1.1.1: a host candidate is its own base; a
// server-reflexive or peer-reflexive candidate's base is the host candidate
// it was learned through; a relayed candidate is its own base), a foundation
// (§5.1.1.3), a priority and a component ID. The protocol of `address` is
// the candidate's transport (UDP; TCP for RFC 6544 candidates, parsed but not
// gathered).
#ifndef PINHOLE_ICE_CANDIDATE_H_
#define PINHOLE_ICE_CANDIDATE_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "net/transport_address.h"

namespace pinhole::ice {

enum class CandidateType : uint8_t {
  kHost,
  kServerReflexive,
  kPeerReflexive,
  kRelayed,
};

// "host", "srflx", "prflx" or "relay": the names of RFC 8839 §5.1.
absl::string_view CandidateTypeName(CandidateType type);

// RFC 6544 §4.5 tcptype of a TCP candidate.
enum class TcpType : uint8_t { kNone, kActive, kPassive, kSimultaneousOpen };

// "active", "passive", "so" ("" for kNone).
absl::string_view TcpTypeName(TcpType type);

// The recommended type preferences of RFC 8445 §5.1.2.2.
struct TypePreferences {
  uint32_t host = 126;
  uint32_t peer_reflexive = 110;
  uint32_t server_reflexive = 100;
  uint32_t relayed = 0;

  uint32_t For(CandidateType type) const;
};

// RFC 8445 §5.1.2.1: (2^24)·type preference + (2^8)·local preference +
// (256 − component ID). `type_preference` ≤ 126, `local_preference` ≤ 65535,
// 1 ≤ `component` ≤ 256.
uint32_t CandidatePriority(uint32_t type_preference, uint32_t local_preference,
                           uint32_t component);

// RFC 8445 §6.1.2.3: 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D ? 1 : 0), where G is
// the priority of the controlling agent's candidate and D the controlled's.
uint64_t PairPriority(uint32_t controlling, uint32_t controlled);

struct Candidate {
  std::string foundation;  // 1 to 32 ice-chars.
  uint32_t component = 1;  // 1 to 256.
  uint32_t priority = 0;
  CandidateType type = CandidateType::kHost;
  net::TransportAddress address;
  // The base (local candidates only; remote ones leave it unset).
  net::TransportAddress base;
  // raddr/rport of the candidate line: the base for reflexive candidates, the
  // mapped address for relayed ones (RFC 8839 §5.1). Unset for host ones.
  std::optional<net::TransportAddress> related;
  TcpType tcp_type = TcpType::kNone;
  // Local relayed candidates only: the transport to the TURN server that
  // relays it (RTCIceCandidateStats.relayProtocol). Never signalled.
  std::optional<net::TransportProtocol> relay_protocol;
  // Extensions of the candidate line that ICE agents in browsers send.
  std::optional<uint32_t> generation;
  std::string ufrag;

  // "host 192.0.2.1:5000/udp", with the component and priority: for logs and
  // test failures, not for signalling (ice/sdp.h writes candidate lines).
  std::string ToString() const;
};

// Every field equal, `base` included.
bool operator==(const Candidate& a, const Candidate& b);
bool operator!=(const Candidate& a, const Candidate& b);

// Writes ToString(), so test failures name the candidate.
std::ostream& operator<<(std::ostream& os, const Candidate& candidate);

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_CANDIDATE_H_
