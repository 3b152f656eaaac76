#include "sim/middlebox_node.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"

namespace pinhole::sim {

absl::StatusOr<std::unique_ptr<MiddleboxNode>> MiddleboxNode::Create(
    Simulator& simulator, absl::string_view name, Middlebox* middlebox) {
  if (middlebox == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("middlebox node \"", name, "\" needs a middlebox"));
  }
  absl::StatusOr<Trace::NodeId> node = simulator.trace().RegisterNode(name);
  if (!node.ok()) return node.status();
  return std::unique_ptr<MiddleboxNode>(
      new MiddleboxNode(simulator, std::string(name), *node, middlebox));
}

absl::Status MiddleboxNode::Attach(Side side, Link& link, LinkEnd end) {
  if (ports_[Index(side)] != nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("middlebox node ", name_, ": its ",
                     side == Side::kInside ? "inside" : "outside",
                     " side is attached already"));
  }
  absl::StatusOr<std::unique_ptr<Port>> port = Port::Attach(
      link, end,
      [this, side](Packet packet) { Process(side, std::move(packet)); });
  if (!port.ok()) return port.status();
  ports_[Index(side)] = *std::move(port);
  return absl::OkStatus();
}

void MiddleboxNode::Process(Side side, Packet packet) {
  const net::Time now = simulator_.Now();
  Trace& trace = simulator_.trace();
  // The 5-tuple as it arrived, kept only when a translation note may be
  // written (the copy is the only cost a disabled trace would otherwise pay).
  std::optional<std::pair<net::TransportAddress, net::TransportAddress>>
      arrived;
  if (trace.enabled()) arrived.emplace(packet.source, packet.destination);
  const Verdict verdict = middlebox_->Process(now, side, packet);
  if (verdict.action == Verdict::Action::kDrop) {
    trace.Dropped(now, node_, packet, verdict.reason);
    return;
  }
  const Side out =
      verdict.action == Verdict::Action::kReflect
          ? side
          : (side == Side::kInside ? Side::kOutside : Side::kInside);
  Port* port = ports_[Index(out)].get();
  if (port == nullptr) {
    trace.Dropped(now, node_, packet, DropReason::kNoRoute);
    return;
  }
  if (arrived.has_value() && (arrived->first != packet.source ||
                              arrived->second != packet.destination)) {
    NoteTranslation(now, packet, arrived->first, arrived->second);
  }
  trace.Forwarded(now, node_, packet);
  port->Send(std::move(packet));
}

void MiddleboxNode::NoteTranslation(net::Time now, Packet& translated,
                                    net::TransportAddress source,
                                    net::TransportAddress destination) {
  simulator_.trace().Translated(now, node_, translated, source, destination);
}

}  // namespace pinhole::sim
