// STUN attribute types (IANA "STUN Attributes" registry) that Pinhole knows.
// Types 0x0000-0x7FFF are comprehension-required: a receiver that does not
// understand one must reject the message (RFC 8489 §14, a 420 answer to a
// request); types 0x8000-0xFFFF are comprehension-optional and skipped.
#ifndef PINHOLE_STUN_ATTRIBUTE_TYPE_H_
#define PINHOLE_STUN_ATTRIBUTE_TYPE_H_

#include <cstdint>
#include <string>

namespace pinhole::stun {

namespace attr {
// RFC 8489.
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kRealm = 0x0014;
inline constexpr uint16_t kNonce = 0x0015;
inline constexpr uint16_t kMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kPasswordAlgorithm = 0x001D;
inline constexpr uint16_t kUserhash = 0x001E;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPasswordAlgorithms = 0x8002;
inline constexpr uint16_t kAlternateDomain = 0x8003;
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kAlternateServer = 0x8023;
inline constexpr uint16_t kFingerprint = 0x8028;
// RFC 5780 (NAT behaviour discovery).
inline constexpr uint16_t kChangeRequest = 0x0003;
inline constexpr uint16_t kPadding = 0x0026;
inline constexpr uint16_t kResponsePort = 0x0027;
inline constexpr uint16_t kResponseOrigin = 0x802B;
inline constexpr uint16_t kOtherAddress = 0x802C;
// RFC 8656 (TURN).
inline constexpr uint16_t kChannelNumber = 0x000C;
inline constexpr uint16_t kLifetime = 0x000D;
inline constexpr uint16_t kXorPeerAddress = 0x0012;
inline constexpr uint16_t kData = 0x0013;
inline constexpr uint16_t kXorRelayedAddress = 0x0016;
inline constexpr uint16_t kRequestedAddressFamily = 0x0017;
inline constexpr uint16_t kEvenPort = 0x0018;
inline constexpr uint16_t kRequestedTransport = 0x0019;
inline constexpr uint16_t kDontFragment = 0x001A;
inline constexpr uint16_t kReservationToken = 0x0022;
inline constexpr uint16_t kAdditionalAddressFamily = 0x8000;
inline constexpr uint16_t kAddressErrorCode = 0x8001;
inline constexpr uint16_t kIcmp = 0x8004;
// RFC 6062 (TURN TCP allocations).
inline constexpr uint16_t kConnectionId = 0x002A;
// RFC 8445 (ICE).
inline constexpr uint16_t kPriority = 0x0024;
inline constexpr uint16_t kUseCandidate = 0x0025;
inline constexpr uint16_t kIceControlled = 0x8029;
inline constexpr uint16_t kIceControlling = 0x802A;
}  // namespace attr

constexpr bool IsComprehensionRequired(uint16_t type) { return type < 0x8000; }

// Pinhole's known attributes are numbered densely (their "slot") so a parsed
// message can index them in a small fixed table.
inline constexpr int kKnownAttributeCount = 40;
inline constexpr int kUnknownAttributeSlot = -1;

namespace internal {
// The known types, in slot order.
inline constexpr uint16_t kKnownTypes[kKnownAttributeCount] = {
    attr::kMappedAddress,
    attr::kUsername,
    attr::kMessageIntegrity,
    attr::kErrorCode,
    attr::kUnknownAttributes,
    attr::kRealm,
    attr::kNonce,
    attr::kMessageIntegritySha256,
    attr::kPasswordAlgorithm,
    attr::kUserhash,
    attr::kXorMappedAddress,
    attr::kPasswordAlgorithms,
    attr::kAlternateDomain,
    attr::kSoftware,
    attr::kAlternateServer,
    attr::kFingerprint,
    attr::kChangeRequest,
    attr::kPadding,
    attr::kResponsePort,
    attr::kResponseOrigin,
    attr::kOtherAddress,
    attr::kChannelNumber,
    attr::kLifetime,
    attr::kXorPeerAddress,
    attr::kData,
    attr::kXorRelayedAddress,
    attr::kRequestedAddressFamily,
    attr::kEvenPort,
    attr::kRequestedTransport,
    attr::kDontFragment,
    attr::kReservationToken,
    attr::kAdditionalAddressFamily,
    attr::kAddressErrorCode,
    attr::kIcmp,
    attr::kConnectionId,
    attr::kPriority,
    attr::kUseCandidate,
    attr::kIceControlled,
    attr::kIceControlling,
    0x8027,  // CACHE-TIMEOUT (RFC 5780): known, kept opaque.
};

// Every known type is below 0x0040 or in 0x8000-0x803F, so one 128-entry
// table, built at compile time, maps a type to its slot.
constexpr int TableIndex(uint16_t type) {
  if (type < 0x0040) return type;
  if (type >= 0x8000 && type < 0x8040) return 0x40 + (type - 0x8000);
  return -1;
}

struct SlotTable {
  int8_t slot[128];
};

constexpr SlotTable BuildSlotTable() {
  SlotTable table{};
  for (int i = 0; i < 128; ++i) table.slot[i] = kUnknownAttributeSlot;
  for (int slot = 0; slot < kKnownAttributeCount; ++slot) {
    table.slot[TableIndex(kKnownTypes[slot])] = static_cast<int8_t>(slot);
  }
  return table;
}

inline constexpr SlotTable kSlotTable = BuildSlotTable();
}  // namespace internal

// The slot of a known attribute type, or kUnknownAttributeSlot.
constexpr int KnownAttributeSlot(uint16_t type) {
  const int index = internal::TableIndex(type);
  return index < 0 ? kUnknownAttributeSlot : internal::kSlotTable.slot[index];
}

// "XOR-MAPPED-ADDRESS", ...; "0x1234" for unknown types.
std::string AttributeTypeName(uint16_t type);

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_ATTRIBUTE_TYPE_H_
