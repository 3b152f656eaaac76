#include "ice/testing/nat_profiles.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "sim/nat/nat_presets.h"
#include "sim/testing/two_nats.h"

namespace pinhole::ice::testing {
namespace {

sim::NatBehavior Preset(absl::string_view name) {
  return *sim::NatPreset(name);
}

// One way from a side's host to the router.
net::Duration ToRouter(const NatProfile& profile) {
  using sim::TwoNats;
  net::Duration d = TwoNats::kWanLatency;
  if (profile.nat.has_value()) d += TwoNats::kLanLatency;
  if (profile.cgn.has_value()) d += TwoNats::kAccessLatency;
  return d;
}

net::Duration ServerRtt(const NatProfile& profile) {
  return (ToRouter(profile) + sim::TwoNats::kDcLatency) * 2;
}

net::Duration Gathering(const NatProfile& side, CandidateType type) {
  switch (type) {
    case CandidateType::kHost:
    case CandidateType::kPeerReflexive:
      return net::Duration::Zero();
    case CandidateType::kServerReflexive:
      return ServerRtt(side);
    case CandidateType::kRelayed:
      return ServerRtt(side) * 2;
  }
  return net::Duration::Zero();
}

}  // namespace

std::vector<NatProfile> MatrixProfiles() {
  return {
      {"open", std::nullopt, std::nullopt},
      {"full_cone", Preset("full_cone"), std::nullopt},
      {"address_restricted", Preset("address_restricted_cone"), std::nullopt},
      {"port_restricted", Preset("port_restricted_cone"), std::nullopt},
      {"symmetric", Preset("symmetric"), std::nullopt},
      {"double_cone", Preset("port_restricted_cone"), Preset("carrier_grade")},
      {"symmetric_then_cone", Preset("symmetric"), Preset("carrier_grade")},
  };
}

NatProfile ProfileNamed(absl::string_view name) {
  for (NatProfile& profile : MatrixProfiles()) {
    if (profile.name == name) return profile;
  }
  std::fprintf(stderr, "no NAT profile named %.*s\n",
               static_cast<int>(name.size()), name.data());
  std::abort();
}

void ApplyLeft(const NatProfile& profile, IcePairOptions& options) {
  options.left_nat = profile.nat;
  options.left_cgn = profile.cgn;
}

void ApplyRight(const NatProfile& profile, IcePairOptions& options) {
  options.right_nat = profile.nat;
  options.right_cgn = profile.cgn;
}

net::Duration TheoreticalMinimum(const NatProfile& left,
                                 const NatProfile& right,
                                 CandidateType left_local,
                                 CandidateType left_remote) {
  // The remote candidate must be gathered (and signalled) before the left
  // agent can check it, and a relayed local candidate allocated before a
  // check can leave from it. A reflexive local candidate needs nothing: the
  // check's answer reveals it.
  net::Duration gathering = Gathering(right, left_remote);
  if (left_local == CandidateType::kRelayed) {
    gathering = std::max(gathering, Gathering(left, left_local));
  }
  const bool relayed = left_local == CandidateType::kRelayed ||
                       left_remote == CandidateType::kRelayed;
  net::Duration one_way = ToRouter(left) + ToRouter(right);
  if (relayed) one_way += sim::TwoNats::kDcLatency * 2;
  return gathering + one_way * 2 * 2;
}

}  // namespace pinhole::ice::testing
