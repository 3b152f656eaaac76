#include "sim/testing/two_nats.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/ip_prefix.h"
#include "net/testing/addresses.h"
#include "sim/tcp/host_tcp.h"
#include "sim/testing/topology_building.h"

namespace pinhole::sim {

using net::testing::Ip;
using testing::Host32;
using testing::MakeLink;

net::IpAddress TwoNats::ServerIp() { return Ip("198.51.100.1"); }

TwoNats::TwoNats(const TwoNatsOptions& options)
    : options_(options),
      sim_(options.seed),
      left_(sim_.RandomStream("left-nat"), sim_.RandomStream("left-cgn")),
      right_(sim_.RandomStream("right-nat"), sim_.RandomStream("right-cgn")) {}

absl::StatusOr<std::unique_ptr<TwoNats>> TwoNats::Create(
    const TwoNatsOptions& options) {
  std::unique_ptr<TwoNats> network(new TwoNats(options));
  PINHOLE_RETURN_IF_ERROR(network->Build());
  return network;
}

absl::Status TwoNats::BuildSide(const char* name,
                                const std::optional<NatBehavior>& nat,
                                const std::optional<NatBehavior>& cgn,
                                const char* cgn_inside_ip,
                                const char* inside_ip, const char* outside_ip,
                                const char* direct_ip, int addresses,
                                Side& side) {
  if (addresses < 1 || addresses > 200 || (addresses > 1 && !nat.has_value())) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", name,
                     " host takes 1 to 200 addresses, more than one only "
                     "behind a NAT; not ",
                     addresses));
  }
  PINHOLE_ASSIGN_OR_RETURN(
      side.wan, MakeLink(sim_, absl::StrCat(name, "-wan"), kWanLatency));
  PINHOLE_ASSIGN_OR_RETURN(side.host, Host::Create(sim_, name));
  Link* host_link = side.wan.get();
  if (cgn.has_value() && !nat.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", name, " CGN needs a ", name, " NAT behind it"));
  }
  if (nat.has_value()) {
    side.ip = Ip(inside_ip);
    side.public_ip = Ip(outside_ip);
    net::IpAddress nat_outside = side.public_ip;
    Link* nat_link = side.wan.get();
    if (cgn.has_value()) {
      nat_outside = Ip(cgn_inside_ip);
      PINHOLE_ASSIGN_OR_RETURN(
          side.cgn, Nat::Create(*cgn, {side.public_ip}, side.cgn_random));
      PINHOLE_ASSIGN_OR_RETURN(
          side.access,
          MakeLink(sim_, absl::StrCat(name, "-access"), kAccessLatency));
      PINHOLE_ASSIGN_OR_RETURN(
          side.cgn_node, MiddleboxNode::Create(sim_, absl::StrCat(name, "-cgn"),
                                               side.cgn.get()));
      PINHOLE_RETURN_IF_ERROR(
          side.cgn_node->Attach(sim::Side::kInside, *side.access, LinkEnd::kB));
      PINHOLE_RETURN_IF_ERROR(
          side.cgn_node->Attach(sim::Side::kOutside, *side.wan, LinkEnd::kA));
      nat_link = side.access.get();
    }
    PINHOLE_ASSIGN_OR_RETURN(side.nat,
                             Nat::Create(*nat, {nat_outside}, side.random));
    PINHOLE_ASSIGN_OR_RETURN(
        side.lan, MakeLink(sim_, absl::StrCat(name, "-lan"), kLanLatency));
    PINHOLE_ASSIGN_OR_RETURN(
        side.node, MiddleboxNode::Create(sim_, absl::StrCat(name, "-nat"),
                                         side.nat.get()));
    PINHOLE_RETURN_IF_ERROR(
        side.node->Attach(sim::Side::kInside, *side.lan, LinkEnd::kB));
    PINHOLE_RETURN_IF_ERROR(
        side.node->Attach(sim::Side::kOutside, *nat_link, LinkEnd::kA));
    host_link = side.lan.get();
  } else {
    side.ip = Ip(direct_ip);
    side.public_ip = side.ip;
  }
  PINHOLE_RETURN_IF_ERROR(
      router_->AddInterface(*side.wan, LinkEnd::kB, {Host32(side.public_ip)})
          .status());
  side.ips = {side.ip};
  for (int i = 1; i < addresses; ++i) {
    side.ips.push_back(net::IpAddress::FromV4Value(side.ip.v4_value() +
                                                   static_cast<uint32_t>(i)));
  }
  int interface = 0;
  PINHOLE_ASSIGN_OR_RETURN(
      interface, side.host->AddInterface(*host_link, LinkEnd::kA, side.ips));
  PINHOLE_RETURN_IF_ERROR(side.host->SetDefaultRoute(interface));
  tcp::InstallTcp(*side.host);
  return absl::OkStatus();
}

absl::Status TwoNats::Build() {
  PINHOLE_ASSIGN_OR_RETURN(router_, Router::Create(sim_, "router"));
  PINHOLE_RETURN_IF_ERROR(BuildSide(
      "left", options_.left_nat, options_.left_cgn, "100.64.1.1", "192.168.1.2",
      "203.0.113.1", "203.0.113.10", options_.left_addresses, left_));
  PINHOLE_RETURN_IF_ERROR(
      BuildSide("right", options_.right_nat, options_.right_cgn, "100.64.2.1",
                "192.168.2.2", "203.0.113.2", "203.0.113.20",
                options_.right_addresses, right_));
  PINHOLE_ASSIGN_OR_RETURN(dc_, MakeLink(sim_, "dc", kDcLatency));
  PINHOLE_ASSIGN_OR_RETURN(server_, Host::Create(sim_, "server"));
  PINHOLE_RETURN_IF_ERROR(
      router_->AddInterface(*dc_, LinkEnd::kA, {Host32(ServerIp())}).status());
  int interface = 0;
  PINHOLE_ASSIGN_OR_RETURN(
      interface, server_->AddInterface(*dc_, LinkEnd::kB, {ServerIp()}));
  PINHOLE_RETURN_IF_ERROR(server_->SetDefaultRoute(interface));
  tcp::InstallTcp(*server_);
  return absl::OkStatus();
}

}  // namespace pinhole::sim
