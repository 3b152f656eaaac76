// `Port`: one attachment of a node (host interface, router interface,
// middlebox side) to one end of a link. Packets arriving there go to the
// node's handler; packets the node sends through it enter the link.
#ifndef PINHOLE_SIM_PORT_H_
#define PINHOLE_SIM_PORT_H_

#include <memory>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "sim/link.h"
#include "sim/packet.h"
#include "sim/packet_sink.h"

namespace pinhole::sim {

class Port final : public PacketSink {
 public:
  using Handler = absl::AnyInvocable<void(Packet packet)>;

  // Fails when something is attached at that end of the link already.
  static absl::StatusOr<std::unique_ptr<Port>> Attach(Link& link, LinkEnd end,
                                                      Handler handler) {
    std::unique_ptr<Port> port(new Port(link, end, std::move(handler)));
    if (absl::Status s = link.Attach(end, port.get()); !s.ok()) return s;
    return port;
  }

  void Receive(Packet packet) override { handler_(std::move(packet)); }
  void Send(Packet packet) { link_.Send(end_, std::move(packet)); }
  Link& link() const { return link_; }
  LinkEnd end() const { return end_; }

 private:
  Port(Link& link, LinkEnd end, Handler handler)
      : link_(link), end_(end), handler_(std::move(handler)) {}

  Link& link_;
  const LinkEnd end_;
  Handler handler_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_PORT_H_
