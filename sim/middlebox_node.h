// `MiddleboxNode`: puts a `Middlebox` (a NAT, a firewall; sim/middlebox.h) on
// a path, between an inside link and an outside link.
//
// Every packet arriving on either side goes to `Middlebox::Process` with the
// side it came from and the current time. On `Forward` it leaves by the other
// side, on `Reflect` by the side it came from (hairpinning), each recorded as
// `forwarded` with the addresses the middlebox left it with; on `Drop` it is
// recorded as `dropped` with the middlebox's reason. A side with nothing
// attached drops with `kNoRoute`. The node is transparent: it does not touch
// the hop limit.
//
// Translations are visible in the trace: when the middlebox changed the
// packet's source or destination (a NAT's rewriting) and the packet leaves
// (Forward or Reflect), the node first records a note about the packet as it
// arrived, then the `forwarded` record with the addresses it leaves with:
//
//   TIME NODE note PROTO SRC DST id=ID size=SIZE text=translated SRC DST ->
//   SRC' DST'
//   TIME NODE forwarded PROTO SRC' DST' id=ID size=SIZE
//
// (each one line; `Trace::Translated`). The text is "translated ", then the
// source and
// destination before and after (`net::TransportAddress::HostPort()`), both
// endpoints always, whichever changed; a hairpinned packet shows both
// rewritten. This format is stable: tests and tools may parse it. A dropped
// packet gets no note, whatever the middlebox did to it before refusing it.
// With the trace disabled the comparison is skipped too.
//
// The middlebox is not owned and must outlive the node.
#ifndef PINHOLE_SIM_MIDDLEBOX_NODE_H_
#define PINHOLE_SIM_MIDDLEBOX_NODE_H_

#include <array>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/link.h"
#include "sim/middlebox.h"
#include "sim/packet.h"
#include "sim/port.h"
#include "sim/simulator.h"
#include "sim/trace.h"

namespace pinhole::sim {

class MiddleboxNode {
 public:
  static absl::StatusOr<std::unique_ptr<MiddleboxNode>> Create(
      Simulator& simulator, absl::string_view name, Middlebox* middlebox);
  MiddleboxNode(const MiddleboxNode&) = delete;
  MiddleboxNode& operator=(const MiddleboxNode&) = delete;

  const std::string& name() const { return name_; }
  // The id under which the middlebox may add its own events to the trace
  // (`simulator.trace().Event(now, node_id(), "mapping created ...")`).
  Trace::NodeId node_id() const { return node_; }

  // Attaches `side` to `end` of `link`. Fails when the side is attached
  // already or the link end is taken.
  absl::Status Attach(Side side, Link& link, LinkEnd end);

 private:
  MiddleboxNode(Simulator& simulator, std::string name, Trace::NodeId node,
                Middlebox* middlebox)
      : simulator_(simulator),
        name_(std::move(name)),
        node_(node),
        middlebox_(middlebox) {}
  static size_t Index(Side side) { return side == Side::kInside ? 0 : 1; }
  void Process(Side side, Packet packet);
  // Notes that `translated` arrived as `source` -> `destination`.
  void NoteTranslation(net::Time now, Packet& translated,
                       net::TransportAddress source,
                       net::TransportAddress destination);

  Simulator& simulator_;
  const std::string name_;
  const Trace::NodeId node_;
  Middlebox* const middlebox_;
  std::array<std::unique_ptr<Port>, 2> ports_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_MIDDLEBOX_NODE_H_
