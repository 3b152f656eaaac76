// Every typed STUN attribute Pinhole knows, in one include. Each attribute is
// a small struct with `kType`, `static StatusOr<T> Decode(value, message)`
// and `void AppendTo(MessageBuilder&) const`, so
// `message.Get<XorMappedAddress>()` reads one and `builder.Add(...)` writes
// one. MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are
// written by MessageBuilder and checked by stun/integrity.h.
#ifndef PINHOLE_STUN_ATTRIBUTES_H_
#define PINHOLE_STUN_ATTRIBUTES_H_

#include "stun/address_attributes.h"       // IWYU pragma: export
#include "stun/auth_attributes.h"          // IWYU pragma: export
#include "stun/error_code.h"               // IWYU pragma: export
#include "stun/ice_attributes.h"           // IWYU pragma: export
#include "stun/nat_behavior_attributes.h"  // IWYU pragma: export
#include "stun/text_attributes.h"          // IWYU pragma: export
#include "stun/turn_attributes.h"          // IWYU pragma: export

#endif  // PINHOLE_STUN_ATTRIBUTES_H_
