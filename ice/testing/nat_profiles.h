// The NAT situations of the ICE matrix (tests and benchmarks): what stands
// between one peer and the Internet, from none to a symmetric NAT behind a
// carrier-grade NAT; and the least simulated time to connected that RFC 8445
// allows for a selected pair on `IcePair`'s network. Test-only.
#ifndef PINHOLE_ICE_TESTING_NAT_PROFILES_H_
#define PINHOLE_ICE_TESTING_NAT_PROFILES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ice/candidate.h"
#include "ice/testing/ice_pair.h"
#include "net/time.h"
#include "sim/nat/nat_behavior.pb.h"

namespace pinhole::ice::testing {

struct NatProfile {
  std::string name;
  std::optional<sim::NatBehavior> nat;  // The home NAT; none: a public host.
  std::optional<sim::NatBehavior> cgn;  // A carrier-grade NAT in front.
};

// "open", "full_cone", "address_restricted", "port_restricted",
// "symmetric", "double_cone" (a port-restricted cone behind the
// carrier-grade preset, itself a cone) and "symmetric_then_cone" (a
// symmetric NAT behind the carrier-grade cone).
std::vector<NatProfile> MatrixProfiles();
// The profile of that name; the program stops on an unknown one (a test's
// typo).
NatProfile ProfileNamed(absl::string_view name);

// Sets the left or right side of `options` to `profile`.
void ApplyLeft(const NatProfile& profile, IcePairOptions& options);
void ApplyRight(const NatProfile& profile, IcePairOptions& options);

// The least time from the start to the controlling (left) agent's
// connected state for a selected pair of these candidate types (as the left
// agent sees them), with signalling that takes no time:
//   G + 2 × RTT(path)
// where G is the gathering the pair needs before its first check can leave:
// the remote candidate's (nothing for a host or peer-reflexive candidate, a
// Binding round trip to the server for a server-reflexive one, two Allocate
// round trips for a relayed one: the 401 challenge and the authenticated
// request) and a relayed local candidate's; and the two round trips are the
// check that makes the pair valid and the check that nominates it (RFC 8445
// §8.1.1, regular nomination). The path goes through the server when either
// candidate is relayed.
net::Duration TheoreticalMinimum(const NatProfile& left,
                                 const NatProfile& right,
                                 CandidateType left_local,
                                 CandidateType left_remote);

}  // namespace pinhole::ice::testing

#endif  // PINHOLE_ICE_TESTING_NAT_PROFILES_H_
