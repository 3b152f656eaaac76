#include "stun/attribute_type.h"

#include "absl/strings/str_format.h"

namespace pinhole::stun {
namespace {

// Names by slot, in the order of internal::kKnownTypes.
constexpr const char* kNames[kKnownAttributeCount] = {
    "MAPPED-ADDRESS",
    "USERNAME",
    "MESSAGE-INTEGRITY",
    "ERROR-CODE",
    "UNKNOWN-ATTRIBUTES",
    "REALM",
    "NONCE",
    "MESSAGE-INTEGRITY-SHA256",
    "PASSWORD-ALGORITHM",
    "USERHASH",
    "XOR-MAPPED-ADDRESS",
    "PASSWORD-ALGORITHMS",
    "ALTERNATE-DOMAIN",
    "SOFTWARE",
    "ALTERNATE-SERVER",
    "FINGERPRINT",
    "CHANGE-REQUEST",
    "PADDING",
    "RESPONSE-PORT",
    "RESPONSE-ORIGIN",
    "OTHER-ADDRESS",
    "CHANNEL-NUMBER",
    "LIFETIME",
    "XOR-PEER-ADDRESS",
    "DATA",
    "XOR-RELAYED-ADDRESS",
    "REQUESTED-ADDRESS-FAMILY",
    "EVEN-PORT",
    "REQUESTED-TRANSPORT",
    "DONT-FRAGMENT",
    "RESERVATION-TOKEN",
    "ADDITIONAL-ADDRESS-FAMILY",
    "ADDRESS-ERROR-CODE",
    "ICMP",
    "CONNECTION-ID",
    "PRIORITY",
    "USE-CANDIDATE",
    "ICE-CONTROLLED",
    "ICE-CONTROLLING",
    "CACHE-TIMEOUT",
};

}  // namespace

std::string AttributeTypeName(uint16_t type) {
  const int slot = KnownAttributeSlot(type);
  if (slot == kUnknownAttributeSlot) return absl::StrFormat("0x%04X", type);
  return kNames[slot];
}

}  // namespace pinhole::stun
