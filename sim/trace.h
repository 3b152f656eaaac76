// `Trace`: what happened to every packet in a simulation, in order, with
// simulated time, so that a run can be read, compared byte for byte with
// another, and reduced to one SHA-256 digest.
//
// Recording stores a fixed-size record (no text formatting) into chunks of
// 4096 records that are never moved or freed before the trace is (`Clear()`
// keeps them for reuse), so recording does not copy the trace as it grows;
// text is produced only on demand. A disabled trace records nothing, and every
// recording call returns at once. Memory: about 80 bytes a record.
//
// Text form: one line per record, fields separated by one space, each line
// ending in "\n". Packet records:
//
//   TIME NODE KIND PROTO SOURCE DESTINATION id=ID size=SIZE[ of=ID][
//   reason=REASON]
//
// - TIME: seconds since the clock's epoch with nine decimals
//   (`net::Time::ToString()`, e.g. "1000.000500000"); the simulator starts at
//   1000 s.
// - NODE: the name of the element that recorded it (a host, link, router or
//   middlebox); names never contain spaces (`RegisterNode` enforces it).
// - KIND: `sent` (a host put it on the network), `forwarded` (a router or
//   middlebox passed it on; the addresses are those it leaves with, so a NAT's
//   rewriting is visible), `delivered` (a host handed it to a socket or to its
//   TCP handler), `dropped` (with `reason=`), or `duplicated` (a link made a
//   copy with a new id; `of=` names the original).
// - PROTO: `udp` or `tcp`. SOURCE and DESTINATION: `net::TransportAddress::
//   HostPort()`, e.g. "10.0.0.1:5000", "[2001:db8::1]:443".
// - ID: the packet id; SIZE: `Packet::ip_size()`.
// - REASON: `DropReasonName()`, which may contain spaces; always last.
//
// Other events (a link going down, a NAT reboot):
//
//   TIME NODE event TEXT
//
// and events about one packet (a NAT creating a mapping for it):
//
//   TIME NODE note PROTO SOURCE DESTINATION id=ID size=SIZE text=TEXT
//
// where TEXT is free text with any line break replaced by a space.
#ifndef PINHOLE_SIM_TRACE_H_
#define PINHOLE_SIM_TRACE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/packet.h"

namespace pinhole::sim {

class Trace {
 public:
  using NodeId = uint32_t;

  enum class Kind : uint8_t {
    kSent,
    kForwarded,
    kDelivered,
    kDropped,
    kDuplicated,
    kEvent,
    kNote,
    // A middlebox rewrote the packet's addresses; printed as a note (see
    // `Translated`).
    kTranslated,
  };

  // Small and trivially copyable (about 80 bytes): recording is a store.
  struct Record {
    net::Time time;
    NodeId node = 0;
    Kind kind = Kind::kEvent;
    DropReason reason = DropReason::kLinkLoss;  // kDropped only.
    bool tcp = false;
    uint32_t size = 0;
    uint64_t packet_id = 0;
    // kDuplicated: the original's id. kEvent and kNote: the index of the
    // text (see `event_text()`). kTranslated: the index of the addresses
    // after translation.
    uint64_t original_id = 0;
    net::TransportAddress source;
    net::TransportAddress destination;
  };

  Trace() = default;
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // Every element registers its name once, and gets the id it records under.
  // Fails for an empty name, one with a space or control character, or one
  // already registered (names also name random streams, so they must be
  // unique).
  absl::StatusOr<NodeId> RegisterNode(absl::string_view name);
  absl::string_view node_name(NodeId node) const { return names_[node]; }

  bool enabled() const { return enabled_; }
  void set_enabled(bool enabled) { enabled_ = enabled; }

  void Sent(net::Time time, NodeId node, const Packet& packet) {
    if (enabled_) AddPacket(time, node, Kind::kSent, packet);
  }
  void Forwarded(net::Time time, NodeId node, const Packet& packet) {
    if (enabled_) AddPacket(time, node, Kind::kForwarded, packet);
  }
  void Delivered(net::Time time, NodeId node, const Packet& packet) {
    if (enabled_) AddPacket(time, node, Kind::kDelivered, packet);
  }
  void Dropped(net::Time time, NodeId node, const Packet& packet,
               DropReason reason) {
    if (enabled_) AddPacket(time, node, Kind::kDropped, packet).reason = reason;
  }
  void Duplicated(net::Time time, NodeId node, const Packet& copy,
                  uint64_t original_id) {
    if (enabled_) {
      AddPacket(time, node, Kind::kDuplicated, copy).original_id = original_id;
    }
  }
  // Any other event worth reading in a trace ("reboot").
  void Event(net::Time time, NodeId node, absl::string_view text);
  // An event about `packet` ("mapping created 10.0.0.2:5000 ->
  // 203.0.113.1:40000").
  void Note(net::Time time, NodeId node, const Packet& packet,
            absl::string_view text);
  // A middlebox changed `packet`'s addresses from `old_source` and
  // `old_destination` to the ones it now carries. Recorded without
  // formatting (a NAT does this for every packet); printed as the note
  //   ... note PROTO OLD_SOURCE OLD_DESTINATION id=ID size=SIZE
  //   text=translated OLD_SOURCE OLD_DESTINATION -> SOURCE DESTINATION
  void Translated(net::Time time, NodeId node, const Packet& packet,
                  const net::TransportAddress& old_source,
                  const net::TransportAddress& old_destination);

  size_t record_count() const { return count_; }
  // The `index`th record, in the order recorded. Requires index <
  // record_count().
  const Record& record(size_t index) const {
    return chunks_[index / kChunk][index % kChunk];
  }
  const Record& last_record() const { return record(count_ - 1); }
  // The text of the kEvent, kNote or kTranslated record `record`.
  std::string event_text(const Record& record) const;
  // Forgets every record (the registered names stay): for long runs that
  // digest or print the trace piecewise.
  void Clear() {
    count_ = 0;
    texts_.clear();
    translations_.clear();
  }
  // How many packets were dropped for `reason`: a coverage mark for tests.
  size_t CountDrops(DropReason reason) const;

  // One record as a line of the text form, without the "\n".
  std::string FormatRecord(const Record& record) const;
  // Every record, one line each.
  std::string ToText() const;
  // SHA-256 of `ToText()`, as 64 lower-case hex digits.
  std::string Sha256Hex() const;

 private:
  static constexpr size_t kChunk = 4096;

  Record& AddPacket(net::Time time, NodeId node, Kind kind,
                    const Packet& packet);
  Record& NewRecord();
  uint64_t AddText(absl::string_view text);

  bool enabled_ = true;
  std::vector<std::string> names_;
  std::map<std::string, NodeId, std::less<>> ids_;
  std::vector<std::unique_ptr<Record[]>> chunks_;
  size_t count_ = 0;
  std::vector<std::string> texts_;
  // The addresses after translation of each kTranslated record.
  std::vector<std::pair<net::TransportAddress, net::TransportAddress>>
      translations_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_TRACE_H_
