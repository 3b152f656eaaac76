#include "sim/trace.h"

#include <openssl/evp.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace pinhole::sim {
namespace {

absl::string_view KindName(Trace::Kind kind) {
  switch (kind) {
    case Trace::Kind::kSent:
      return "sent";
    case Trace::Kind::kForwarded:
      return "forwarded";
    case Trace::Kind::kDelivered:
      return "delivered";
    case Trace::Kind::kDropped:
      return "dropped";
    case Trace::Kind::kDuplicated:
      return "duplicated";
    case Trace::Kind::kEvent:
      return "event";
  }
  return "unknown";
}

}  // namespace

absl::StatusOr<Trace::NodeId> Trace::RegisterNode(absl::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("an element's name must not be empty");
  }
  for (char c : name) {
    if (c <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("element name \"", name,
                       "\" has a space or control character; traces need "
                       "names that are one word"));
    }
  }
  if (ids_.find(name) != ids_.end()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "an element named \"", name, "\" exists already in this simulation"));
  }
  const NodeId id = static_cast<NodeId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

Trace::Record& Trace::AddPacket(net::Time time, NodeId node, Kind kind,
                                const Packet& packet) {
  Record& r = records_.emplace_back();
  r.time = time;
  r.node = node;
  r.kind = kind;
  r.tcp = packet.is_tcp();
  r.size = static_cast<uint32_t>(packet.ip_size());
  r.packet_id = packet.id;
  r.source = packet.source;
  r.destination = packet.destination;
  return r;
}

void Trace::Event(net::Time time, NodeId node, absl::string_view text) {
  if (!enabled_) return;
  Record& r = records_.emplace_back();
  r.time = time;
  r.node = node;
  r.kind = Kind::kEvent;
  r.text = absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
}

size_t Trace::CountDrops(DropReason reason) const {
  size_t n = 0;
  for (const Record& r : records_) {
    if (r.kind == Kind::kDropped && r.reason == reason) ++n;
  }
  return n;
}

std::string Trace::FormatRecord(const Record& r) const {
  std::string line = absl::StrCat(r.time.ToString(), " ", names_[r.node], " ",
                                  KindName(r.kind));
  if (r.kind == Kind::kEvent) {
    absl::StrAppend(&line, " ", r.text);
    return line;
  }
  absl::StrAppend(&line, r.tcp ? " tcp " : " udp ", r.source.HostPort(), " ",
                  r.destination.HostPort(), " id=", r.packet_id,
                  " size=", r.size);
  if (r.kind == Kind::kDuplicated)
    absl::StrAppend(&line, " of=", r.original_id);
  if (r.kind == Kind::kDropped) {
    absl::StrAppend(&line, " reason=", DropReasonName(r.reason));
  }
  return line;
}

std::string Trace::ToText() const {
  std::string text;
  for (const Record& r : records_) {
    absl::StrAppend(&text, FormatRecord(r), "\n");
  }
  return text;
}

std::string Trace::Sha256Hex() const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const Record& r : records_) {
    const std::string line = absl::StrCat(FormatRecord(r), "\n");
    EVP_DigestUpdate(ctx, line.data(), line.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace pinhole::sim
