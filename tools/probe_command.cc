// `pinhole probe`: RFC 5780 NAT behaviour discovery on real sockets.
//
//   pinhole probe --server=stun.example.org-address:3478 [--json] [--lifetime]
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "net/ip_address.h"
#include "net/real/real_network.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "stun/probe/nat_probe.h"
#include "stun/probe/nat_probe_result.h"
#include "tools/client_flags.h"
#include "tools/command.h"
#include "tools/common_flags.h"

ABSL_FLAG(bool, hairpinning, true, "Test hairpinning (RFC 5780 §4.5).");
ABSL_FLAG(bool, lifetime, false,
          "Also measure the binding lifetime (RFC 5780 §4.6); takes about "
          "--lifetime_max plus a few rounds.");
ABSL_FLAG(absl::Duration, lifetime_max, absl::Seconds(300),
          "The longest silence the lifetime search tries.");
ABSL_FLAG(absl::Duration, lifetime_resolution, absl::Seconds(1),
          "How narrow the lifetime bracket must get.");

namespace pinhole::tools {
namespace {

absl::StatusOr<net::IpAddress> ChooseLocal(const net::IpAddress& server) {
  if (absl::GetFlag(FLAGS_local).empty()) {
    return net::IpAddress::Any(server.family());
  }
  absl::StatusOr<net::IpAddress> local =
      net::IpAddress::Parse(absl::GetFlag(FLAGS_local));
  if (local.ok() && local->family() != server.family()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--local=", local->ToString(),
                     " is not of the server's address family"));
  }
  return local;
}

absl::StatusOr<stun::NatProbeOptions> Options() {
  stun::NatProbeOptions options;
  if (absl::GetFlag(FLAGS_server).empty()) {
    return absl::InvalidArgumentError("--server is required");
  }
  absl::StatusOr<net::TransportAddress> server =
      net::TransportAddress::Parse(absl::GetFlag(FLAGS_server));
  if (!server.ok()) return server.status();
  options.server = *server;
  options.test_hairpinning = absl::GetFlag(FLAGS_hairpinning);
  options.discover_lifetime = absl::GetFlag(FLAGS_lifetime);
  options.lifetime_max =
      net::Duration::FromAbsl(absl::GetFlag(FLAGS_lifetime_max));
  options.lifetime_resolution =
      net::Duration::FromAbsl(absl::GetFlag(FLAGS_lifetime_resolution));
  if (absl::Status valid = options.Validate(); !valid.ok()) return valid;
  return options;
}

// An upper bound on the probe's run: every phase waits out at most one
// retransmission schedule, and the lifetime search a few rounds of at most
// `lifetime_max` each.
net::Duration RunLimit(const stun::NatProbeOptions& options) {
  net::Duration limit = net::Duration::Seconds(60);
  if (options.discover_lifetime) limit += options.lifetime_max * 8;
  return limit;
}

}  // namespace

int RunProbe(const std::vector<std::string>& arguments) {
  if (!arguments.empty()) {
    std::fprintf(stderr, "pinhole probe: unexpected argument '%s'\n",
                 arguments.front().c_str());
    return kExitUsage;
  }
  absl::StatusOr<stun::NatProbeOptions> options = Options();
  if (!options.ok()) {
    std::fprintf(stderr, "pinhole probe: %s\n",
                 std::string(options.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<net::real::RealNetwork>> network =
      net::real::RealNetwork::Create();
  if (!network.ok()) {
    std::fprintf(stderr, "pinhole probe: %s\n",
                 std::string(network.status().message()).c_str());
    return kExitFailure;
  }
  absl::StatusOr<net::IpAddress> local = ChooseLocal(options->server.ip());
  if (!local.ok()) {
    std::fprintf(stderr, "pinhole probe: %s\n",
                 std::string(local.status().message()).c_str());
    return kExitUsage;
  }
  const bool verbose = absl::GetFlag(FLAGS_verbose);
  std::optional<stun::NatProbeResult> result;
  stun::NatProbe probe((*network)->random(), *options);
  net::UdpDriver<stun::NatProbe> driver(
      **network, probe, [&](stun::NatProbe::Event event) {
        if (verbose && !event.result.has_value()) {
          std::fprintf(stderr, "probe: %s\n", event.message.c_str());
        }
        if (event.result.has_value()) result = *std::move(event.result);
      });
  std::vector<net::TransportAddress> sockets;
  for (int i = 0; i < probe.SocketCount(); ++i) {
    absl::StatusOr<net::TransportAddress> bound = driver.Bind(
        net::TransportAddress(*local, 0, net::TransportProtocol::kUdp));
    if (!bound.ok()) {
      std::fprintf(stderr, "pinhole probe: cannot bind on %s: %s\n",
                   local->ToString().c_str(),
                   std::string(bound.status().message()).c_str());
      return kExitFailure;
    }
    sockets.push_back(*bound);
  }
  const net::Time start = (*network)->clock().Now();
  if (absl::Status started = probe.Start(start, sockets); !started.ok()) {
    std::fprintf(stderr, "pinhole probe: %s\n",
                 std::string(started.message()).c_str());
    return kExitFailure;
  }
  driver.Flush();
  (void)(*network)->StopOnSignals({SIGINT, SIGTERM});
  (*network)->RunUntil([&] { return probe.done(); },
                       start + RunLimit(*options));
  if (!result.has_value()) {
    std::fprintf(stderr, "pinhole probe: interrupted before the end\n");
    return kExitFailure;
  }
  const std::string text = absl::GetFlag(FLAGS_json)
                               ? stun::ToJson(*result) + "\n"
                               : stun::ToText(*result);
  std::fputs(text.c_str(), stdout);
  return result->error().empty() ? kExitOk : kExitFailure;
}

}  // namespace pinhole::tools
