// Fuzz target: integrity and fingerprint checks on arbitrary messages and
// keys. The first input byte gives the key length; that many bytes are the
// key; the rest is the message. Checks must never crash, and a message
// re-signed with the key must verify while the original signature verifies
// only if it was right.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "build_defs/fuzz_check.h"
#include "stun/attribute_type.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::stun {
namespace {

void Run(absl::Span<const uint8_t> input) {
  if (input.empty()) return;
  const size_t key_size = std::min<size_t>(input[0], input.size() - 1);
  const IntegrityKey key = IntegrityKey::FromBytes(input.subspan(1, key_size));
  const absl::Span<const uint8_t> bytes = input.subspan(1 + key_size);

  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  if (!message.ok()) return;
  const absl::Status sha1 = VerifyMessageIntegrity(*message, key);
  const absl::Status sha256 = VerifyMessageIntegritySha256(*message, key);
  const absl::Status fingerprint = VerifyFingerprint(*message);
  FuzzCheck(sha1.ok() || sha1.code() == absl::StatusCode::kNotFound ||
                sha1.code() == absl::StatusCode::kUnauthenticated,
            "MESSAGE-INTEGRITY status");
  FuzzCheck(sha256.ok() || sha256.code() == absl::StatusCode::kNotFound ||
                sha256.code() == absl::StatusCode::kUnauthenticated,
            "MESSAGE-INTEGRITY-SHA256 status");
  FuzzCheck(fingerprint.ok() ||
                fingerprint.code() == absl::StatusCode::kNotFound ||
                fingerprint.code() == absl::StatusCode::kInvalidArgument,
            "FINGERPRINT status");

  // Re-sign the counted attributes: the result must verify with this key.
  MessageBuilder builder(message->type(), message->transaction_id());
  for (const RawAttribute attribute : message->attributes()) {
    if (attribute.type == attr::kMessageIntegrity ||
        attribute.type == attr::kMessageIntegritySha256 ||
        attribute.type == attr::kFingerprint) {
      continue;
    }
    builder.AddRaw(attribute.type, attribute.value);
  }
  builder.AddMessageIntegrity(key)
      .AddMessageIntegritySha256(key)
      .AddFingerprint();
  absl::StatusOr<std::vector<uint8_t>> signed_bytes = builder.Finish();
  if (!signed_bytes.ok()) return;  // Too large once signed.
  absl::StatusOr<MessageView> signed_message =
      MessageView::Parse(*signed_bytes);
  FuzzCheck(signed_message.ok(), "a signed message does not parse");
  FuzzCheck(VerifyMessageIntegrity(*signed_message, key).ok(), "MI re-sign");
  FuzzCheck(VerifyMessageIntegritySha256(*signed_message, key).ok(),
            "MI-SHA256 re-sign");
  FuzzCheck(VerifyFingerprint(*signed_message).ok(), "FINGERPRINT re-sign");
}

}  // namespace
}  // namespace pinhole::stun

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pinhole::stun::Run(absl::MakeConstSpan(data, size));
  return 0;
}
