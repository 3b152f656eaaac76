// ICE's attributes on connectivity checks (RFC 8445 §7.1.1, §16.1):
// PRIORITY (32 bits), USE-CANDIDATE (empty), ICE-CONTROLLED and
// ICE-CONTROLLING (the agent's 64-bit tie-breaker).
#ifndef PINHOLE_STUN_ICE_ATTRIBUTES_H_
#define PINHOLE_STUN_ICE_ATTRIBUTES_H_

#include <cstdint>

#include "stun/attribute_type.h"
#include "stun/fixed_attributes.h"

namespace pinhole::stun {

using Priority = IntegerAttribute<attr::kPriority, uint32_t>;
using UseCandidate = FlagAttribute<attr::kUseCandidate>;
using IceControlled = IntegerAttribute<attr::kIceControlled, uint64_t>;
using IceControlling = IntegerAttribute<attr::kIceControlling, uint64_t>;

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_ICE_ATTRIBUTES_H_
