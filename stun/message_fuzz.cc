// Fuzz target: MessageView::Parse and every typed attribute decoder on
// arbitrary bytes. Whatever parses must keep the parser's invariants, and
// rebuilding its attributes with MessageBuilder must give a message that
// parses to the same attributes.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "build_defs/fuzz_check.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {
namespace {

template <typename... A>
void DecodeAll(const MessageView& message) {
  // Decoding may fail; it must not crash, and what decodes must re-encode.
  (
      [&] {
        absl::StatusOr<A> decoded = message.Get<A>();
        if (!decoded.ok()) return;
        MessageBuilder builder(message.type(), message.transaction_id());
        builder.Add(*decoded);
        // Values that decode may still be refused on encode (decoders accept
        // what RFC 5389 peers send, encoders write what RFC 8489 allows).
        (void)builder.Finish();
      }(),
      ...);
}

void Run(absl::Span<const uint8_t> input) {
  absl::StatusOr<MessageView> parsed = MessageView::Parse(input);
  if (!parsed.ok()) return;
  const MessageView& message = *parsed;
  FuzzCheck(message.size() == input.size(), "size");
  FuzzCheck(message.unknown_comprehension_required().size() <=
                message.unknown_count(),
            "unknown count");
  for (uint16_t type : message.unknown_comprehension_required()) {
    FuzzCheck(IsComprehensionRequired(type), "unknown list: optional type");
    FuzzCheck(KnownAttributeSlot(type) == kUnknownAttributeSlot,
              "unknown list: known type");
  }
  DecodeAll<MappedAddress, XorMappedAddress, AlternateServer, ResponseOrigin,
            OtherAddress, XorPeerAddress, XorRelayedAddress, Username, Realm,
            Nonce, Software, AlternateDomain, ErrorCode, AddressErrorCode,
            Priority, UseCandidate, IceControlled, IceControlling,
            ChangeRequest, ResponsePort, Padding, ChannelNumber, Lifetime, Data,
            RequestedAddressFamily, AdditionalAddressFamily, EvenPort,
            RequestedTransport, DontFragment, ReservationToken, Icmp,
            ConnectionId, Userhash, PasswordAlgorithmAttribute,
            PasswordAlgorithms, UnknownAttributes>(message);

  // Rebuild from the attributes that count, leaving out the integrity ones.
  if (message.is_rfc3489()) return;
  MessageBuilder builder(message.type(), message.transaction_id());
  std::vector<RawAttribute> kept;
  for (const RawAttribute attribute : message.attributes()) {
    if (attribute.type == attr::kMessageIntegrity ||
        attribute.type == attr::kMessageIntegritySha256 ||
        attribute.type == attr::kFingerprint) {
      continue;
    }
    builder.AddRaw(attribute.type, attribute.value);
    kept.push_back(attribute);
  }
  absl::StatusOr<std::vector<uint8_t>> rebuilt = builder.Finish();
  FuzzCheck(rebuilt.ok(), "rebuilding a parsed message failed");
  absl::StatusOr<MessageView> reparsed = MessageView::Parse(*rebuilt);
  FuzzCheck(reparsed.ok(), "a rebuilt message does not parse");
  FuzzCheck(reparsed->type() == message.type(), "type changed");
  size_t i = 0;
  for (const RawAttribute attribute : reparsed->attributes()) {
    FuzzCheck(i < kept.size(), "extra attribute");
    FuzzCheck(attribute.type == kept[i].type, "attribute type changed");
    FuzzCheck(attribute.value.size() == kept[i].value.size() &&
                  std::equal(attribute.value.begin(), attribute.value.end(),
                             kept[i].value.begin()),
              "attribute value changed");
    ++i;
  }
  FuzzCheck(i == kept.size(), "missing attribute");
}

}  // namespace
}  // namespace pinhole::stun

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pinhole::stun::Run(absl::MakeConstSpan(data, size));
  return 0;
}
