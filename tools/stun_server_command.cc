// `pinhole stun-server`: Pinhole's STUN Binding server (stun/server/) on real
// UDP sockets.
//
//   pinhole stun-server --listen=192.0.2.1:3478 --alternate=192.0.2.2:3479
//
// Each --listen address gets its own server, over UDP or (suffix /tcp) TCP.
// --alternate turns the server of the first UDP listen address of its family
// into an RFC 5780 server: it then also listens on the alternate IP and port
// (four sockets in all). Port 0
// lets the operating system choose; the chosen addresses are printed, one
// "listening on ADDRESS" line each, then "ready", before any request is
// served. SIGINT or
// SIGTERM stop the server cleanly; it prints its counters and exits 0.
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "net/network.h"
#include "net/real/real_network.h"
#include "net/transport_address.h"
#include "stun/server/binding_server.h"
#include "stun/server/binding_service.h"
#include "tools/command.h"
#include "tools/common_flags.h"
#include "tools/server_flags.h"

ABSL_FLAG(std::string, alternate, "",
          "RFC 5780: the server's other IP and port, IP:PORT, for the first "
          "UDP --listen address of that family (which must name a specific "
          "IP).");
namespace pinhole::tools {
namespace {

absl::StatusOr<net::TransportAddress> ParseListen(absl::string_view text) {
  absl::StatusOr<net::TransportAddress> address =
      net::TransportAddress::Parse(text);
  if (!address.ok()) return address.status();
  if (address->protocol() == net::TransportProtocol::kTls) {
    return absl::InvalidArgumentError(
        absl::StrCat(text, ": the STUN server serves UDP and TCP, not TLS"));
  }
  return address;
}

absl::StatusOr<std::vector<stun::BindingServerConfig>> Configs() {
  std::vector<stun::BindingServerConfig> configs;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> users =
      UserFlag();
  if (!users.ok()) return users.status();
  for (const std::string& text : absl::GetFlag(FLAGS_listen)) {
    absl::StatusOr<net::TransportAddress> address = ParseListen(text);
    if (!address.ok()) return address.status();
    stun::BindingServerConfig config;
    config.primary = *address;
    config.software = absl::GetFlag(FLAGS_software);
    config.short_term_users = *users;
    configs.push_back(std::move(config));
  }
  if (configs.empty())
    return absl::InvalidArgumentError("nothing to --listen on");
  if (const std::string text = absl::GetFlag(FLAGS_alternate); !text.empty()) {
    absl::StatusOr<net::TransportAddress> alternate = ParseListen(text);
    if (!alternate.ok()) return alternate.status();
    bool placed = false;
    for (stun::BindingServerConfig& config : configs) {
      if (config.primary.family() != alternate->family() ||
          config.primary.protocol() != net::TransportProtocol::kUdp) {
        continue;
      }
      config.alternate_ip = alternate->ip();
      config.alternate_port = alternate->port();
      placed = true;
      break;
    }
    if (!placed) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--alternate=", text, " has no --listen address of its family"));
    }
  }
  return configs;
}

const char* KindName(stun::BindingServer::Event::Kind kind) {
  switch (kind) {
    case stun::BindingServer::Event::Kind::kAnswered:
      return "answered";
    case stun::BindingServer::Event::Kind::kErrorResponse:
      return "error response";
    case stun::BindingServer::Event::Kind::kIndication:
      return "indication";
    default:
      return "dropped";
  }
}

void Log(const stun::BindingServer::Event& event) {
  std::string line =
      absl::StrCat(event.source.ToString(), " -> ",
                   event.destination.ToString(), ": ", KindName(event.kind));
  if (event.error_code != 0) absl::StrAppend(&line, " ", event.error_code);
  if (!event.reason.empty()) absl::StrAppend(&line, " (", event.reason, ")");
  if (event.kind == stun::BindingServer::Event::Kind::kAnswered &&
      event.response_source != event.destination) {
    absl::StrAppend(&line, " from ", event.response_source.ToString());
  }
  // Wall-clock time, UTC, to the millisecond: logs are read next to others.
  const std::string now = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                           absl::UTCTimeZone());
  std::fprintf(stderr, "%s stun-server: %s\n", now.c_str(), line.c_str());
}

absl::StatusOr<std::unique_ptr<stun::BindingService>> Serve(
    net::Network& network, stun::BindingServerConfig config, bool verbose) {
  absl::StatusOr<std::unique_ptr<stun::BindingService>> service =
      stun::BindingService::Start(network, std::move(config),
                                  [verbose](stun::BindingServer::Event event) {
                                    if (verbose) Log(event);
                                  });
  if (!service.ok()) return service.status();
  for (const net::TransportAddress& address : (*service)->addresses()) {
    std::printf("listening on %s\n", address.ToString().c_str());
  }
  return service;
}

void PrintStats(
    const std::vector<std::unique_ptr<stun::BindingService>>& services) {
  stun::BindingServer::Stats total;
  for (const auto& service : services) {
    const stun::BindingServer::Stats& stats = service->server().stats();
    total.datagrams += stats.datagrams;
    total.requests += stats.requests;
    total.successes += stats.successes;
    total.errors += stats.errors;
    total.dropped += stats.dropped;
  }
  std::fprintf(stderr,
               "stun-server: %llu datagrams, %llu requests, %llu answered, "
               "%llu error responses, %llu dropped\n",
               static_cast<unsigned long long>(total.datagrams),
               static_cast<unsigned long long>(total.requests),
               static_cast<unsigned long long>(total.successes),
               static_cast<unsigned long long>(total.errors),
               static_cast<unsigned long long>(total.dropped));
}

}  // namespace

int RunStunServer(const std::vector<std::string>& arguments) {
  if (!arguments.empty()) {
    std::fprintf(stderr, "pinhole stun-server: unexpected argument '%s'\n",
                 arguments.front().c_str());
    return kExitUsage;
  }
  absl::StatusOr<std::vector<stun::BindingServerConfig>> configs = Configs();
  if (!configs.ok()) {
    std::fprintf(stderr, "pinhole stun-server: %s\n",
                 std::string(configs.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<net::real::RealNetwork>> network =
      net::real::RealNetwork::Create();
  if (!network.ok()) {
    std::fprintf(stderr, "pinhole stun-server: %s\n",
                 std::string(network.status().message()).c_str());
    return kExitFailure;
  }
  if (absl::Status signals = (*network)->StopOnSignals({SIGINT, SIGTERM});
      !signals.ok()) {
    std::fprintf(stderr, "pinhole stun-server: %s\n",
                 std::string(signals.message()).c_str());
    return kExitFailure;
  }
  const bool verbose = absl::GetFlag(FLAGS_verbose);
  std::vector<std::unique_ptr<stun::BindingService>> services;
  for (stun::BindingServerConfig& config : *configs) {
    absl::StatusOr<std::unique_ptr<stun::BindingService>> served =
        Serve(**network, std::move(config), verbose);
    if (!served.ok()) {
      std::fprintf(stderr, "pinhole stun-server: %s\n",
                   std::string(served.status().message()).c_str());
      return kExitFailure;
    }
    services.push_back(*std::move(served));
  }
  std::printf("ready\n");
  std::fflush(stdout);
  (*network)->Run();
  const std::optional<int> signal = (*network)->stop_signal();
  std::fprintf(stderr, "pinhole stun-server: stopped by %s\n",
               signal == SIGINT    ? "SIGINT"
               : signal == SIGTERM ? "SIGTERM"
                                   : "a request");
  PrintStats(services);
  return kExitOk;
}

}  // namespace pinhole::tools
