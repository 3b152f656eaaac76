#include "sim/testing/behind_nat.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/ip_prefix.h"
#include "net/testing/addresses.h"
#include "sim/tcp/host_tcp.h"
#include "sim/testing/topology_building.h"

namespace pinhole::sim {

using net::testing::Ip;
using testing::Host32;
using testing::MakeLink;

net::IpAddress BehindNat::ClientIp() { return Ip("192.168.1.2"); }
net::IpAddress BehindNat::NatIp() { return Ip("203.0.113.1"); }
net::IpAddress BehindNat::HomeNatIp() { return Ip("100.64.0.2"); }
net::IpAddress BehindNat::ServerIp() { return Ip("198.51.100.1"); }
net::IpAddress BehindNat::ServerAlternateIp() { return Ip("198.51.100.2"); }

BehindNat::BehindNat(const BehindNatOptions& options)
    : options_(options),
      sim_(options.seed),
      nat_random_(sim_.RandomStream("nat")),
      cgn_random_(sim_.RandomStream("cgn")),
      client_ip_(options.nat.has_value() ? ClientIp() : Ip("203.0.113.10")) {}

absl::StatusOr<std::unique_ptr<BehindNat>> BehindNat::Create(
    const BehindNatOptions& options) {
  std::unique_ptr<BehindNat> network(new BehindNat(options));
  PINHOLE_RETURN_IF_ERROR(network->Build());
  return network;
}

net::Duration BehindNat::ClientToServer() const {
  return (nat_ != nullptr ? kLanLatency : net::Duration::Zero()) + kWanLatency +
         kDcLatency;
}

absl::StatusOr<Link*> BehindNat::BuildNats() {
  const bool chained = options_.cgn.has_value();
  PINHOLE_ASSIGN_OR_RETURN(
      nat_, Nat::Create(*options_.nat, {chained ? HomeNatIp() : NatIp()},
                        nat_random_));
  PINHOLE_ASSIGN_OR_RETURN(lan_, MakeLink(sim_, "lan", kLanLatency));
  PINHOLE_ASSIGN_OR_RETURN(nat_node_,
                           MiddleboxNode::Create(sim_, "nat", nat_.get()));
  PINHOLE_RETURN_IF_ERROR(nat_node_->Attach(Side::kInside, *lan_, LinkEnd::kB));
  Link* outside = wan_.get();
  if (chained) {
    PINHOLE_ASSIGN_OR_RETURN(
        cgn_, Nat::Create(*options_.cgn, {NatIp()}, cgn_random_));
    PINHOLE_ASSIGN_OR_RETURN(isp_, MakeLink(sim_, "isp", kIspLatency));
    PINHOLE_ASSIGN_OR_RETURN(cgn_node_,
                             MiddleboxNode::Create(sim_, "cgn", cgn_.get()));
    PINHOLE_RETURN_IF_ERROR(
        cgn_node_->Attach(Side::kInside, *isp_, LinkEnd::kB));
    PINHOLE_RETURN_IF_ERROR(
        cgn_node_->Attach(Side::kOutside, *wan_, LinkEnd::kA));
    outside = isp_.get();
  }
  PINHOLE_RETURN_IF_ERROR(
      nat_node_->Attach(Side::kOutside, *outside, LinkEnd::kA));
  return lan_.get();
}

absl::Status BehindNat::Build() {
  PINHOLE_ASSIGN_OR_RETURN(wan_, MakeLink(sim_, "wan", kWanLatency));
  PINHOLE_ASSIGN_OR_RETURN(dc_, MakeLink(sim_, "dc", kDcLatency));
  PINHOLE_ASSIGN_OR_RETURN(router_, Router::Create(sim_, "router"));
  PINHOLE_ASSIGN_OR_RETURN(client_, Host::Create(sim_, "client"));
  PINHOLE_ASSIGN_OR_RETURN(server_, Host::Create(sim_, "server"));
  Link* client_link = wan_.get();
  if (options_.nat.has_value()) {
    PINHOLE_ASSIGN_OR_RETURN(client_link, BuildNats());
    PINHOLE_RETURN_IF_ERROR(
        router_->AddInterface(*wan_, LinkEnd::kB, {Host32(NatIp())}).status());
  } else {
    if (options_.cgn.has_value()) {
      return absl::InvalidArgumentError("a CGN needs a home NAT inside it");
    }
    PINHOLE_RETURN_IF_ERROR(
        router_->AddInterface(*wan_, LinkEnd::kB, {Host32(client_ip_)})
            .status());
  }
  int client_interface = 0;
  PINHOLE_ASSIGN_OR_RETURN(
      client_interface,
      client_->AddInterface(*client_link, LinkEnd::kA, {client_ip_}));
  PINHOLE_RETURN_IF_ERROR(client_->SetDefaultRoute(client_interface));
  PINHOLE_RETURN_IF_ERROR(
      router_
          ->AddInterface(*dc_, LinkEnd::kA,
                         {Host32(ServerIp()), Host32(ServerAlternateIp())})
          .status());
  int server_interface = 0;
  PINHOLE_ASSIGN_OR_RETURN(
      server_interface,
      server_->AddInterface(*dc_, LinkEnd::kB,
                            {ServerIp(), ServerAlternateIp()}));
  PINHOLE_RETURN_IF_ERROR(server_->SetDefaultRoute(server_interface));
  tcp::InstallTcp(*client_);
  tcp::InstallTcp(*server_);
  return absl::OkStatus();
}

}  // namespace pinhole::sim
