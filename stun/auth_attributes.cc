#include "stun/auth_attributes.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stun/attribute_codec.h"
#include "stun/byte_io.h"
#include "stun/opaque_string.h"

namespace pinhole::stun {
namespace {

// Reads one algorithm entry at `*offset`, advancing it past the entry's
// padded parameters.
absl::StatusOr<PasswordAlgorithmEntry> ReadEntry(
    uint16_t type, absl::Span<const uint8_t> value, size_t* offset) {
  if (value.size() - *offset < 4) {
    return AttributeError(
        type, absl::StrFormat("truncated algorithm entry at byte %d", *offset));
  }
  PasswordAlgorithmEntry entry;
  entry.algorithm = LoadBe16(value.data() + *offset);
  const size_t length = LoadBe16(value.data() + *offset + 2);
  const size_t room = value.size() - *offset - 4;
  if (length > room) {
    return AttributeError(
        type, absl::StrFormat("algorithm parameters of %d bytes at byte %d "
                              "overrun the value",
                              length, *offset));
  }
  entry.parameters = value.subspan(*offset + 4, length);
  *offset += 4 + std::min(PaddedLength(length), room);
  return entry;
}

size_t EntrySize(const PasswordAlgorithmEntry& entry) {
  return 4 + PaddedLength(entry.parameters.size());
}

void WriteEntry(const PasswordAlgorithmEntry& entry, uint8_t* out) {
  StoreBe16(out, entry.algorithm);
  StoreBe16(out + 2, static_cast<uint16_t>(entry.parameters.size()));
  if (!entry.parameters.empty()) {
    std::memcpy(out + 4, entry.parameters.data(), entry.parameters.size());
  }
}

}  // namespace

absl::StatusOr<Userhash> Userhash::Compute(absl::string_view username,
                                           absl::string_view realm) {
  absl::StatusOr<std::string> prepared_username = PrepareOpaqueString(username);
  if (!prepared_username.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("username: ", prepared_username.status().message()));
  }
  absl::StatusOr<std::string> prepared_realm = PrepareOpaqueString(realm);
  if (!prepared_realm.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("realm: ", prepared_realm.status().message()));
  }
  const std::string input =
      absl::StrCat(*prepared_username, ":", *prepared_realm);
  Userhash result;
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), result.hash.data(), &size,
                 EVP_sha256(), nullptr) != 1 ||
      size != result.hash.size()) {
    return absl::InternalError("OpenSSL could not compute SHA-256");
  }
  return result;
}

absl::StatusOr<Userhash> Userhash::Decode(absl::Span<const uint8_t> value,
                                          const MessageView& /*message*/) {
  absl::Status status = CheckLength(kType, value, 32);
  if (!status.ok()) return status;
  Userhash result;
  std::memcpy(result.hash.data(), value.data(), 32);
  return result;
}

void Userhash::AppendTo(MessageBuilder& builder) const {
  builder.AddRaw(kType, hash);
}

absl::StatusOr<PasswordAlgorithmAttribute> PasswordAlgorithmAttribute::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  size_t offset = 0;
  absl::StatusOr<PasswordAlgorithmEntry> entry =
      ReadEntry(kType, value, &offset);
  if (!entry.ok()) return entry.status();
  if (offset != value.size()) {
    return AttributeError(kType, "bytes after the algorithm's parameters");
  }
  return PasswordAlgorithmAttribute{*entry};
}

void PasswordAlgorithmAttribute::AppendTo(MessageBuilder& builder) const {
  if (entry.parameters.size() > 0xFFFF) {
    return builder.Fail(AttributeError(kType, "parameters over 65535 bytes"));
  }
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, EntrySize(entry));
  if (!out.empty()) WriteEntry(entry, out.data());
}

absl::StatusOr<PasswordAlgorithms> PasswordAlgorithms::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  if (value.empty()) return AttributeError(kType, "the list is empty");
  PasswordAlgorithms result;
  size_t offset = 0;
  while (offset < value.size()) {
    absl::StatusOr<PasswordAlgorithmEntry> entry =
        ReadEntry(kType, value, &offset);
    if (!entry.ok()) return entry.status();
    result.entries.push_back(*entry);
  }
  return result;
}

void PasswordAlgorithms::AppendTo(MessageBuilder& builder) const {
  if (entries.empty()) {
    return builder.Fail(AttributeError(kType, "the list is empty"));
  }
  size_t size = 0;
  for (const PasswordAlgorithmEntry& entry : entries) {
    if (entry.parameters.size() > 0xFFFF) {
      return builder.Fail(AttributeError(kType, "parameters over 65535 bytes"));
    }
    size += EntrySize(entry);
  }
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, size);
  if (out.empty()) return;
  size_t offset = 0;
  for (const PasswordAlgorithmEntry& entry : entries) {
    WriteEntry(entry, out.data() + offset);
    offset += EntrySize(entry);
  }
}

absl::StatusOr<UnknownAttributes> UnknownAttributes::Decode(
    absl::Span<const uint8_t> value, const MessageView& /*message*/) {
  if (value.empty()) return AttributeError(kType, "the list is empty");
  if (value.size() % 2 != 0) {
    return AttributeError(
        kType,
        absl::StrFormat("%d bytes, not a list of 16-bit types", value.size()));
  }
  UnknownAttributes result;
  for (size_t i = 0; i < value.size(); i += 2) {
    result.types.push_back(LoadBe16(value.data() + i));
  }
  return result;
}

void UnknownAttributes::AppendTo(MessageBuilder& builder) const {
  if (types.empty()) {
    return builder.Fail(AttributeError(kType, "the list is empty"));
  }
  absl::Span<uint8_t> out = builder.AppendAttribute(kType, 2 * types.size());
  if (out.empty()) return;
  for (size_t i = 0; i < types.size(); ++i) {
    StoreBe16(out.data() + 2 * i, types[i]);
  }
}

}  // namespace pinhole::stun
