#include "stun/probe/testing/simulated_probe.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/ip_address.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "sim/simulator.h"
#include "sim/testing/behind_nat.h"
#include "stun/probe/nat_probe_result.h"
#include "stun/server/binding_server_config.h"
#include "stun/server/binding_service.h"

namespace pinhole::stun::testing {
namespace {

net::TransportAddress Udp(const net::IpAddress& ip, uint16_t port) {
  return net::TransportAddress(ip, port, net::TransportProtocol::kUdp);
}

}  // namespace

sim::NatBehavior NatOf(sim::NatBehavior::Mapping mapping,
                       sim::NatBehavior::Filtering filtering) {
  sim::NatBehavior behavior;
  behavior.set_mapping(mapping);
  behavior.set_filtering(filtering);
  behavior.set_port_assignment(sim::NatBehavior::PORT_PRESERVATION);
  return behavior;
}

absl::StatusOr<SimulatedProbe> RunSimulatedProbe(
    const SimulatedProbeOptions& options) {
  sim::BehindNatOptions network_options;
  network_options.seed = options.seed;
  network_options.nat = options.nat;
  network_options.cgn = options.cgn;
  absl::StatusOr<std::unique_ptr<sim::BehindNat>> network =
      sim::BehindNat::Create(network_options);
  if (!network.ok()) return network.status();
  using Server = SimulatedProbeOptions::Server;
  BindingServerConfig config;
  config.primary = Udp(sim::BehindNat::ServerIp(), 3478);
  if (options.server == Server::kRfc5780) {
    config.alternate_ip = sim::BehindNat::ServerAlternateIp();
    config.alternate_port = 3479;
  }
  std::unique_ptr<BindingService> service;
  if (options.server != Server::kNone) {
    absl::StatusOr<std::unique_ptr<BindingService>> started =
        BindingService::Start((*network)->server(), config);
    if (!started.ok()) return started.status();
    service = *std::move(started);
  }

  SimulatedProbe run;
  NatProbeOptions probe_options = options.probe;
  probe_options.server = config.primary;
  NatProbe probe((*network)->client().random(), probe_options);
  net::UdpDriver<NatProbe> driver((*network)->client(), probe,
                                  [&run](NatProbe::Event event) {
                                    run.progress.push_back(event.message);
                                    if (event.result.has_value())
                                      run.result = *std::move(event.result);
                                  });
  const net::IpAddress local = options.wildcard_sockets
                                   ? net::IpAddress::V4Any()
                                   : (*network)->client_ip();
  std::vector<net::TransportAddress> sockets;
  for (int i = 0; i < probe.SocketCount(); ++i) {
    absl::StatusOr<net::TransportAddress> bound = driver.Bind(Udp(local, 0));
    if (!bound.ok()) return bound.status();
    sockets.push_back(*bound);
  }
  sim::Simulator& sim = (*network)->sim();
  const net::Time start = sim.Now();
  if (absl::Status started = probe.Start(start, sockets); !started.ok()) {
    return started;
  }
  driver.Flush();
  if (!sim.RunUntil([&] { return probe.done(); }, start + options.limit)) {
    return absl::DeadlineExceededError(
        absl::StrCat("the probe did not finish in ", options.limit.ToString(),
                     ":\n", Describe(run)));
  }
  run.elapsed = sim.Now() - start;
  run.events = sim.events_run();
  if (options.keep_trace) run.trace = sim.trace().ToText();
  run.trace_sha256 = sim.trace().Sha256Hex();
  return run;
}

std::string Describe(const SimulatedProbe& run) {
  std::string text;
  for (const std::string& line : run.progress) {
    absl::StrAppend(&text, line, "\n");
  }
  return absl::StrCat(text, ToText(run.result));
}

}  // namespace pinhole::stun::testing
