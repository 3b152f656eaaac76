#include "sim/host.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "net/datagram.h"
#include "sim/drop_reason.h"
#include "sim/simulator_timer.h"

namespace pinhole::sim {
namespace {

constexpr size_t kIpPacketLimit = 65535;

size_t MaxUdpPayload(net::AddressFamily family) {
  // IPv4 counts its header in the 65535; IPv6's payload length excludes it.
  return family == net::AddressFamily::kIpv4 ? kIpPacketLimit - 20 - 8
                                             : kIpPacketLimit - 8;
}

}  // namespace

class Host::UdpSocketImpl final : public net::UdpSocket {
 public:
  UdpSocketImpl(Host& host, const net::TransportAddress& local,
                ReceiveCallback on_receive)
      : host_(host),
        local_(local),
        on_receive_(std::make_shared<ReceiveCallback>(std::move(on_receive))) {}
  ~UdpSocketImpl() override { host_.Unbind(local_); }

  net::TransportAddress local_address() const override { return local_; }
  absl::Status SendTo(const net::TransportAddress& destination,
                      absl::Span<const uint8_t> payload) override {
    return host_.SendUdp(local_, destination, payload);
  }
  // The simulator never fragments (a datagram over a link's MTU is dropped),
  // so every datagram already travels as if DF were set.
  absl::Status SetDontFragment(bool /*dont_fragment*/) override {
    return absl::OkStatus();
  }

  void Deliver(const net::DatagramView& datagram) {
    // Held by a copy: the callback may destroy this socket.
    std::shared_ptr<ReceiveCallback> callback = on_receive_;
    (*callback)(datagram);
  }

 private:
  Host& host_;
  const net::TransportAddress local_;
  std::shared_ptr<ReceiveCallback> on_receive_;
};

absl::StatusOr<std::unique_ptr<Host>> Host::Create(Simulator& simulator,
                                                   absl::string_view name) {
  absl::StatusOr<Trace::NodeId> node = simulator.trace().RegisterNode(name);
  if (!node.ok()) return node.status();
  return std::unique_ptr<Host>(new Host(simulator, std::string(name), *node));
}

Host::Host(Simulator& simulator, std::string name, Trace::NodeId node)
    : simulator_(simulator),
      name_(std::move(name)),
      node_(node),
      random_(simulator.RandomStream("host/" + name_)) {}

Host::~Host() {
  tcp_handler_.reset();
  for (const auto& [event, packet] : local_queue_) simulator_.Cancel(event);
}

absl::StatusOr<int> Host::AddInterface(Link& link, LinkEnd end,
                                       std::vector<net::IpAddress> addresses) {
  if (addresses.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", name_, ": an interface needs an address"));
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    const net::IpAddress& a = addresses[i];
    if (a.IsUnspecified() || a.IsMulticast() || a.IsBroadcast()) {
      return absl::InvalidArgumentError(
          absl::StrCat("host ", name_, ": ", a.ToString(),
                       " cannot be an interface address"));
    }
    bool repeated = IsLocalAddress(a);
    for (size_t j = 0; j < i; ++j) repeated |= addresses[j] == a;
    if (repeated) {
      return absl::AlreadyExistsError(absl::StrCat(
          "host ", name_, " has the address ", a.ToString(), " already"));
    }
  }
  const int index = static_cast<int>(interfaces_.size());
  absl::StatusOr<std::unique_ptr<Port>> port = Port::Attach(
      link, end,
      [this, index](Packet packet) { Receive(index, std::move(packet)); });
  if (!port.ok()) return port.status();
  interfaces_.push_back(Interface{*std::move(port), std::move(addresses), {}});
  return index;
}

absl::Status Host::AddRoute(const net::IpPrefix& prefix, int interface) {
  if (interface < 0 || interface >= static_cast<int>(interfaces_.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", name_, " has no interface ", interface));
  }
  return routes_.Add(prefix, interface);
}

absl::Status Host::SetDefaultRoute(int interface) {
  if (absl::Status s = AddRoute(
          net::IpPrefix::Default(net::AddressFamily::kIpv4), interface);
      !s.ok()) {
    return s;
  }
  return AddRoute(net::IpPrefix::Default(net::AddressFamily::kIpv6), interface);
}

absl::Status Host::AddInterfaceTap(int interface, PacketTap tap) {
  if (interface < 0 || interface >= static_cast<int>(interfaces_.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", name_, " has no interface ", interface));
  }
  interfaces_[interface].taps.push_back(std::move(tap));
  return absl::OkStatus();
}

bool Host::IsLocalAddress(const net::IpAddress& address) const {
  for (const Interface& i : interfaces_) {
    for (const net::IpAddress& a : i.addresses) {
      if (a == address) return true;
    }
  }
  return false;
}

std::vector<net::IpAddress> Host::LocalAddresses() const {
  std::vector<net::IpAddress> all;
  for (const Interface& i : interfaces_) {
    all.insert(all.end(), i.addresses.begin(), i.addresses.end());
  }
  return all;
}

std::unique_ptr<net::Timer> Host::CreateTimer(
    absl::AnyInvocable<void()> on_fire) {
  return std::make_unique<SimulatorTimer>(simulator_, std::move(on_fire));
}

bool Host::PortFree(const net::IpAddress& address, uint16_t port) const {
  if (address.IsUnspecified()) {
    return !port_users_.contains(PortKey(address.family(), port));
  }
  return !sockets_.contains(net::TransportAddress(address, port)) &&
         !sockets_.contains(net::TransportAddress(
             net::IpAddress::Any(address.family()), port));
}

absl::StatusOr<std::unique_ptr<net::UdpSocket>> Host::BindUdp(
    const net::TransportAddress& local,
    net::UdpSocket::ReceiveCallback on_receive) {
  if (local.protocol() != net::TransportProtocol::kUdp) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", name_, ": BindUdp needs a UDP address, not ",
                     local.ToString()));
  }
  const net::IpAddress& ip = local.ip();
  if (!ip.IsUnspecified() && !IsLocalAddress(ip)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "host ", name_, " has no address ", ip.ToString(), " to bind"));
  }
  uint16_t port = local.port();
  if (port == 0) {
    constexpr int kRange = 65536 - kFirstEphemeralPort;
    for (int i = 0; i < kRange && port == 0; ++i) {
      const uint16_t candidate = next_ephemeral_;
      next_ephemeral_ =
          candidate == 65535 ? kFirstEphemeralPort : candidate + 1;
      if (PortFree(ip, candidate)) port = candidate;
    }
    if (port == 0) {
      return absl::ResourceExhaustedError(
          absl::StrCat("host ", name_, ": every ephemeral port of ",
                       ip.ToString(), " is taken"));
    }
  } else if (!PortFree(ip, port)) {
    return absl::AlreadyExistsError(
        absl::StrCat("host ", name_, ": UDP ", local.HostPort(), " is in use"));
  }
  const net::TransportAddress bound(ip, port);
  auto socket =
      std::make_unique<UdpSocketImpl>(*this, bound, std::move(on_receive));
  sockets_[bound] = socket.get();
  ++port_users_[PortKey(ip.family(), port)];
  return socket;
}

void Host::Unbind(const net::TransportAddress& local) {
  sockets_.erase(local);
  const uint32_t key = PortKey(local.family(), local.port());
  if (--port_users_[key] == 0) port_users_.erase(key);
}

absl::StatusOr<std::unique_ptr<net::TcpListener>> Host::ListenTcp(
    const net::TransportAddress& local,
    net::TcpListener::AcceptCallback on_accept) {
  if (tcp_handler_ == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat("host ", name_, " has no TCP handler"));
  }
  return tcp_handler_->Listen(local, std::move(on_accept));
}

absl::StatusOr<std::unique_ptr<net::TcpStream>> Host::ConnectTcp(
    const net::TransportAddress& local, const net::TransportAddress& remote,
    net::TcpStream::Callbacks callbacks) {
  if (tcp_handler_ == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat("host ", name_, " has no TCP handler"));
  }
  return tcp_handler_->Connect(local, remote, std::move(callbacks));
}

absl::Status Host::Route(const net::IpAddress& destination,
                         const net::IpAddress& bound,
                         std::optional<int>& interface,
                         net::IpAddress& source) const {
  if (IsLocalAddress(destination)) {
    interface.reset();
    source = bound.IsUnspecified() ? destination : bound;
    return absl::OkStatus();
  }
  interface = routes_.Lookup(destination);
  if (!interface.has_value()) {
    return absl::UnavailableError(absl::StrCat(
        "host ", name_, " has no route to ", destination.ToString()));
  }
  if (!bound.IsUnspecified()) {
    // Source routing for the default route: a multihomed host sends from an
    // address through the interface that holds it (Wi-Fi and cellular each
    // reach the Internet through their own network). A more specific route
    // to the destination still wins.
    bool only_default = false;
    for (const RoutingTable::Route& route : routes_.routes()) {
      if (route.prefix.Contains(destination)) {
        only_default = route.prefix.length() == 0;
        break;
      }
    }
    for (size_t i = 0; only_default && i < interfaces_.size(); ++i) {
      for (const net::IpAddress& a : interfaces_[i].addresses) {
        if (a == bound) interface = static_cast<int>(i);
      }
    }
    source = bound;
    return absl::OkStatus();
  }
  for (const net::IpAddress& a : interfaces_[*interface].addresses) {
    if (a.family() == destination.family()) {
      source = a;
      return absl::OkStatus();
    }
  }
  return absl::UnavailableError(absl::StrCat(
      "host ", name_, ": the interface towards ", destination.ToString(),
      " has no ", net::AddressFamilyName(destination.family()), " address"));
}

absl::StatusOr<Host::RouteInfo> Host::RouteTowards(
    const net::IpAddress& destination) const {
  std::optional<int> interface;
  net::IpAddress source;
  if (absl::Status s =
          Route(destination, net::IpAddress::Any(destination.family()),
                interface, source);
      !s.ok()) {
    return s;
  }
  if (!interface.has_value()) return RouteInfo{source, 65535};
  const Port& port = *interfaces_[*interface].port;
  return RouteInfo{source, port.link().config(port.end()).mtu};
}

absl::Status Host::SendUdp(const net::TransportAddress& local,
                           const net::TransportAddress& destination,
                           absl::Span<const uint8_t> payload) {
  if (destination.protocol() != net::TransportProtocol::kUdp ||
      destination.family() != local.family() ||
      destination.ip().IsUnspecified() || destination.port() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", name_, ": UDP socket ", local.HostPort(),
                     " cannot send to ", destination.ToString()));
  }
  if (payload.size() > MaxUdpPayload(destination.family())) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", name_, ": a UDP payload of ", payload.size(),
                     " bytes does not fit in one IP packet"));
  }
  std::optional<int> interface;
  net::IpAddress source;
  if (absl::Status s = Route(destination.ip(), local.ip(), interface, source);
      !s.ok()) {
    return s;
  }
  Packet packet;
  packet.id = simulator_.NextPacketId();
  packet.source = net::TransportAddress(source, local.port());
  packet.destination = destination;
  packet.payload.assign(payload.begin(), payload.end());
  Transmit(interface, std::move(packet));
  return absl::OkStatus();
}

absl::Status Host::SendPacket(Packet packet) {
  const net::TransportProtocol protocol = packet.source.protocol();
  if (protocol == net::TransportProtocol::kTls ||
      packet.destination.protocol() != protocol ||
      packet.destination.family() != packet.source.family() ||
      packet.destination.ip().IsUnspecified()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "host ", name_, ": cannot send a packet from ",
        packet.source.ToString(), " to ", packet.destination.ToString(),
        " (protocols must match and be UDP or TCP; families must match)"));
  }
  std::optional<int> interface;
  net::IpAddress source;
  if (absl::Status s =
          Route(packet.destination.ip(), packet.source.ip(), interface, source);
      !s.ok()) {
    return s;
  }
  packet.source = net::TransportAddress(source, packet.source.port(),
                                        packet.source.protocol());
  packet.id = simulator_.NextPacketId();
  Transmit(interface, std::move(packet));
  return absl::OkStatus();
}

void Host::Transmit(std::optional<int> interface, Packet packet) {
  simulator_.trace().Sent(simulator_.Now(), node_, packet);
  if (!interface.has_value()) {
    const EventId event = simulator_.ScheduleIn(net::Duration::Zero(),
                                                [this] { DeliverLocal(); });
    local_queue_.emplace_back(event, std::move(packet));
    return;
  }
  Interface& i = interfaces_[*interface];
  for (PacketTap& tap : i.taps) tap(simulator_.Now(), packet);
  i.port->Send(std::move(packet));
}

void Host::DeliverLocal() {
  Packet packet = std::move(local_queue_.front().second);
  local_queue_.pop_front();
  Deliver(std::move(packet));
}

void Host::Receive(int interface, Packet packet) {
  for (PacketTap& tap : interfaces_[interface].taps) {
    tap(simulator_.Now(), packet);
  }
  if (!IsLocalAddress(packet.destination.ip())) {
    simulator_.trace().Dropped(simulator_.Now(), node_, packet,
                               DropReason::kNoRoute);
    return;
  }
  Deliver(std::move(packet));
}

void Host::Deliver(Packet packet) {
  const net::Time now = simulator_.Now();
  if (packet.is_tcp()) {
    if (tcp_handler_ == nullptr) {
      simulator_.trace().Dropped(now, node_, packet,
                                 DropReason::kPortUnreachable);
      return;
    }
    simulator_.trace().Delivered(now, node_, packet);
    tcp_handler_->HandlePacket(std::move(packet));
    return;
  }
  const net::TransportAddress& to = packet.destination;
  auto it = sockets_.find(to);
  if (it == sockets_.end()) {
    it = sockets_.find(
        net::TransportAddress(net::IpAddress::Any(to.family()), to.port()));
  }
  if (it == sockets_.end()) {
    simulator_.trace().Dropped(now, node_, packet,
                               DropReason::kPortUnreachable);
    return;
  }
  simulator_.trace().Delivered(now, node_, packet);
  it->second->Deliver(
      net::DatagramView{packet.source, packet.destination, packet.payload});
}

}  // namespace pinhole::sim
