#include "stun/attribute_type.h"

#include <array>

#include "absl/strings/str_format.h"

namespace pinhole::stun {
namespace {

struct KnownAttribute {
  uint16_t type;
  const char* name;
};

// The order gives each attribute its slot; nothing else depends on it.
constexpr KnownAttribute kKnown[kKnownAttributeCount] = {
    {attr::kMappedAddress, "MAPPED-ADDRESS"},
    {attr::kUsername, "USERNAME"},
    {attr::kMessageIntegrity, "MESSAGE-INTEGRITY"},
    {attr::kErrorCode, "ERROR-CODE"},
    {attr::kUnknownAttributes, "UNKNOWN-ATTRIBUTES"},
    {attr::kRealm, "REALM"},
    {attr::kNonce, "NONCE"},
    {attr::kMessageIntegritySha256, "MESSAGE-INTEGRITY-SHA256"},
    {attr::kPasswordAlgorithm, "PASSWORD-ALGORITHM"},
    {attr::kUserhash, "USERHASH"},
    {attr::kXorMappedAddress, "XOR-MAPPED-ADDRESS"},
    {attr::kPasswordAlgorithms, "PASSWORD-ALGORITHMS"},
    {attr::kAlternateDomain, "ALTERNATE-DOMAIN"},
    {attr::kSoftware, "SOFTWARE"},
    {attr::kAlternateServer, "ALTERNATE-SERVER"},
    {attr::kFingerprint, "FINGERPRINT"},
    {attr::kChangeRequest, "CHANGE-REQUEST"},
    {attr::kPadding, "PADDING"},
    {attr::kResponsePort, "RESPONSE-PORT"},
    {attr::kResponseOrigin, "RESPONSE-ORIGIN"},
    {attr::kOtherAddress, "OTHER-ADDRESS"},
    {attr::kChannelNumber, "CHANNEL-NUMBER"},
    {attr::kLifetime, "LIFETIME"},
    {attr::kXorPeerAddress, "XOR-PEER-ADDRESS"},
    {attr::kData, "DATA"},
    {attr::kXorRelayedAddress, "XOR-RELAYED-ADDRESS"},
    {attr::kRequestedAddressFamily, "REQUESTED-ADDRESS-FAMILY"},
    {attr::kEvenPort, "EVEN-PORT"},
    {attr::kRequestedTransport, "REQUESTED-TRANSPORT"},
    {attr::kDontFragment, "DONT-FRAGMENT"},
    {attr::kReservationToken, "RESERVATION-TOKEN"},
    {attr::kAdditionalAddressFamily, "ADDITIONAL-ADDRESS-FAMILY"},
    {attr::kAddressErrorCode, "ADDRESS-ERROR-CODE"},
    {attr::kIcmp, "ICMP"},
    {attr::kConnectionId, "CONNECTION-ID"},
    {attr::kPriority, "PRIORITY"},
    {attr::kUseCandidate, "USE-CANDIDATE"},
    {attr::kIceControlled, "ICE-CONTROLLED"},
    {attr::kIceControlling, "ICE-CONTROLLING"},
    {0x8027, "CACHE-TIMEOUT"},  // RFC 5780; parsed as opaque.
};

// Every known type is below 0x0040 or in 0x8000-0x803F: one 128-entry table,
// built at compile time, maps a type to its slot.
constexpr int TableIndex(uint16_t type) {
  if (type < 0x0040) return type;
  if (type >= 0x8000 && type < 0x8040) return 0x40 + (type - 0x8000);
  return -1;
}

constexpr std::array<int8_t, 128> BuildSlotTable() {
  std::array<int8_t, 128> table{};
  for (auto& entry : table) entry = kUnknownAttributeSlot;
  for (int slot = 0; slot < kKnownAttributeCount; ++slot) {
    table[TableIndex(kKnown[slot].type)] = static_cast<int8_t>(slot);
  }
  return table;
}

constexpr std::array<int8_t, 128> kSlotTable = BuildSlotTable();

}  // namespace

int KnownAttributeSlot(uint16_t type) {
  const int index = TableIndex(type);
  return index < 0 ? kUnknownAttributeSlot : kSlotTable[index];
}

std::string AttributeTypeName(uint16_t type) {
  const int slot = KnownAttributeSlot(type);
  if (slot == kUnknownAttributeSlot) return absl::StrFormat("0x%04X", type);
  return kKnown[slot].name;
}

}  // namespace pinhole::stun
