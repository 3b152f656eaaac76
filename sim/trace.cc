#include "sim/trace.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
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
    case Trace::Kind::kNote:
    case Trace::Kind::kTranslated:
      return "note";
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

Trace::Record& Trace::NewRecord() {
  if (count_ == chunks_.size() * kChunk) {
    chunks_.push_back(std::make_unique<Record[]>(kChunk));
  }
  Record& r = chunks_[count_ / kChunk][count_ % kChunk];
  ++count_;
  return r;
}

Trace::Record& Trace::AddPacket(net::Time time, NodeId node, Kind kind,
                                const Packet& packet) {
  Record& r = NewRecord();
  r.time = time;
  r.node = node;
  r.kind = kind;
  r.tcp = packet.is_tcp();
  r.size = static_cast<uint32_t>(packet.ip_size());
  r.packet_id = packet.id;
  r.reason = DropReason::kLinkLoss;
  r.original_id = 0;
  r.source = packet.source;
  r.destination = packet.destination;
  return r;
}

void Trace::Event(net::Time time, NodeId node, absl::string_view text) {
  if (!enabled_) return;
  Record& r = NewRecord();
  r = Record();
  r.time = time;
  r.node = node;
  r.kind = Kind::kEvent;
  r.original_id = AddText(text);
}

void Trace::Note(net::Time time, NodeId node, const Packet& packet,
                 absl::string_view text) {
  if (!enabled_) return;
  AddPacket(time, node, Kind::kNote, packet).original_id = AddText(text);
}

void Trace::Translated(net::Time time, NodeId node, const Packet& packet,
                       const net::TransportAddress& old_source,
                       const net::TransportAddress& old_destination) {
  if (!enabled_) return;
  Record& record = AddPacket(time, node, Kind::kTranslated, packet);
  record.source = old_source;
  record.destination = old_destination;
  record.original_id = translations_.size();
  translations_.emplace_back(packet.source, packet.destination);
}

std::string Trace::event_text(const Record& record) const {
  if (record.kind != Kind::kTranslated) return texts_[record.original_id];
  const auto& [source, destination] = translations_[record.original_id];
  return absl::StrCat("translated ", record.source.HostPort(), " ",
                      record.destination.HostPort(), " -> ", source.HostPort(),
                      " ", destination.HostPort());
}

uint64_t Trace::AddText(absl::string_view text) {
  texts_.push_back(
      absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}}));
  return texts_.size() - 1;
}

size_t Trace::CountDrops(DropReason reason) const {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) {
    const Record& r = record(i);
    if (r.kind == Kind::kDropped && r.reason == reason) ++n;
  }
  return n;
}

std::string Trace::FormatRecord(const Record& r) const {
  std::string line = absl::StrCat(r.time.ToString(), " ", names_[r.node], " ",
                                  KindName(r.kind));
  if (r.kind == Kind::kEvent) {
    absl::StrAppend(&line, " ", texts_[r.original_id]);
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
  if (r.kind == Kind::kNote || r.kind == Kind::kTranslated) {
    absl::StrAppend(&line, " text=", event_text(r));
  }
  return line;
}

std::string Trace::ToText() const {
  std::string text;
  for (size_t i = 0; i < count_; ++i) {
    absl::StrAppend(&text, FormatRecord(record(i)), "\n");
  }
  return text;
}

std::string Trace::Sha256Hex() const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (size_t i = 0; i < count_; ++i) {
    const std::string line = absl::StrCat(FormatRecord(record(i)), "\n");
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
