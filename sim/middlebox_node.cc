#include "sim/middlebox_node.h"

#include <utility>

#include "absl/strings/str_cat.h"
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
  const Verdict verdict = middlebox_->Process(now, side, packet);
  if (verdict.action == Verdict::Action::kDrop) {
    simulator_.trace().Dropped(now, node_, packet, verdict.reason);
    return;
  }
  const Side out =
      verdict.action == Verdict::Action::kReflect
          ? side
          : (side == Side::kInside ? Side::kOutside : Side::kInside);
  Port* port = ports_[Index(out)].get();
  if (port == nullptr) {
    simulator_.trace().Dropped(now, node_, packet, DropReason::kNoRoute);
    return;
  }
  simulator_.trace().Forwarded(now, node_, packet);
  port->Send(std::move(packet));
}

}  // namespace pinhole::sim
