// `pinhole turn-server`: Pinhole's TURN server (turn/) on real sockets.
//
//   pinhole turn-server --listen=192.0.2.1:3478,192.0.2.1:3478/tcp \
//       --realm=example.org --users-file=/etc/pinhole/turn-users
//
// Clients reach it over UDP, TCP (suffix /tcp) and TLS (suffix /tls, with
// --tls-cert and --tls-key). It relays from --relay-ip (by default the
// specific --listen IPs, one per family) on ports drawn at random from
// --relay-ports. Peers on internal networks (loopback, private, link-local
// with the cloud metadata address, multicast, unique-local, the server's own
// addresses, and every IPv6 spelling of those) are refused with 403 unless
// --allow-peer lets them through; --deny-peer refuses more. The chosen
// addresses are printed, one "listening on ADDRESS" line each, then "ready".
// Every allocation created and deleted is logged on stderr; --verbose logs
// every refused request, permission and channel too. SIGINT or SIGTERM stop
// the server cleanly; it prints its counters and exits 0.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/real/real_network.h"
#include "net/transport_address.h"
#include "tools/command.h"
#include "tools/common_flags.h"
#include "tools/server_flags.h"
#include "turn/server.h"
#include "turn/server_config.h"
#include "turn/service.h"

ABSL_FLAG(std::string, realm, "pinhole",
          "The REALM of the long-term credentials (RFC 8489 §9.2).");
ABSL_FLAG(std::string, users_file, "",
          "A file of NAME:PASSWORD lines (blank lines and lines starting "
          "with # are skipped), added to --user.");
ABSL_FLAG(std::vector<std::string>, relay_ip, {},
          "The relayed addresses' IPs, at most one IPv4 and one IPv6; by "
          "default the specific --listen IPs.");
ABSL_FLAG(std::string, relay_ports, "49152-65535",
          "The range relayed ports are drawn from at random, LOW-HIGH.");
ABSL_FLAG(std::string, allow_peer, "",
          "Comma-separated prefixes to relay to even where the defaults "
          "refuse (for example 127.0.0.0/8 for tests on loopback).");
ABSL_FLAG(std::string, deny_peer, "",
          "Comma-separated prefixes never to relay to.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain (leaf first) for /tls listen addresses.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert.");
ABSL_FLAG(int, max_allocations, 10000,
          "Allocations held at once; beyond, 508 (Insufficient Capacity).");
ABSL_FLAG(int, user_quota, 32,
          "Allocations per user at once; beyond, 486 (Allocation Quota "
          "Reached).");

namespace pinhole::tools {
namespace {

std::string Now() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                          absl::UTCTimeZone());
}

absl::Status ReadUsersFile(
    const std::string& path,
    std::vector<std::pair<std::string, std::string>>& users) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read --users-file ", path));
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    const size_t colon = text.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": expected NAME:PASSWORD"));
    }
    users.emplace_back(std::string(text.substr(0, colon)),
                       std::string(text.substr(colon + 1)));
  }
  return absl::OkStatus();
}

absl::StatusOr<turn::TurnServiceConfig> Config() {
  turn::TurnServiceConfig config;
  turn::TurnServerConfig& server = config.server;
  server.realm = absl::GetFlag(FLAGS_realm);
  server.software = absl::GetFlag(FLAGS_software);
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> users =
      UserFlag();
  if (!users.ok()) return users.status();
  server.users = *std::move(users);
  if (const std::string file = absl::GetFlag(FLAGS_users_file); !file.empty()) {
    if (absl::Status s = ReadUsersFile(file, server.users); !s.ok()) return s;
  }
  if (server.users.empty()) {
    return absl::InvalidArgumentError(
        "no users: give --user=NAME:PASSWORD or --users-file");
  }
  for (const std::string& text : absl::GetFlag(FLAGS_listen)) {
    absl::StatusOr<net::TransportAddress> address =
        net::TransportAddress::Parse(text);
    if (!address.ok()) return address.status();
    config.listen.push_back(*address);
  }
  if (config.listen.empty()) {
    return absl::InvalidArgumentError("nothing to --listen on");
  }
  std::vector<net::IpAddress> relay_ips;
  for (const std::string& text : absl::GetFlag(FLAGS_relay_ip)) {
    absl::StatusOr<net::IpAddress> ip = net::IpAddress::Parse(text);
    if (!ip.ok()) return ip.status();
    relay_ips.push_back(*ip);
  }
  if (relay_ips.empty()) {
    for (const net::TransportAddress& address : config.listen) {
      if (!address.ip().IsUnspecified()) relay_ips.push_back(address.ip());
    }
  }
  for (const net::IpAddress& ip : relay_ips) {
    std::optional<net::IpAddress>& slot =
        ip.family() == net::AddressFamily::kIpv4 ? server.relay_ipv4
                                                 : server.relay_ipv6;
    if (!slot.has_value()) slot = ip;
  }
  if (!server.relay_ipv4.has_value() && !server.relay_ipv6.has_value()) {
    return absl::InvalidArgumentError(
        "no relay address: give --relay-ip, or --listen on a specific IP");
  }
  const std::string ports = absl::GetFlag(FLAGS_relay_ports);
  std::pair<std::string, std::string> range =
      absl::StrSplit(ports, absl::MaxSplits('-', 1));
  uint32_t low = 0;
  uint32_t high = 0;
  if (!absl::SimpleAtoi(range.first, &low) ||
      !absl::SimpleAtoi(range.second, &high) || low == 0 || high > 65535 ||
      low > high) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--relay-ports wants LOW-HIGH within 1-65535, not '", ports, "'"));
  }
  server.relay_port_min = static_cast<uint16_t>(low);
  server.relay_port_max = static_cast<uint16_t>(high);
  absl::StatusOr<std::vector<net::IpPrefix>> allow =
      net::IpPrefix::ParseList(absl::GetFlag(FLAGS_allow_peer));
  if (!allow.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--allow-peer: ", allow.status().message()));
  }
  absl::StatusOr<std::vector<net::IpPrefix>> deny =
      net::IpPrefix::ParseList(absl::GetFlag(FLAGS_deny_peer));
  if (!deny.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--deny-peer: ", deny.status().message()));
  }
  server.peer_policy.allow = *std::move(allow);
  server.peer_policy.deny = *std::move(deny);
  if (absl::GetFlag(FLAGS_max_allocations) < 1 ||
      absl::GetFlag(FLAGS_user_quota) < 1) {
    return absl::InvalidArgumentError(
        "--max-allocations and --user-quota must be at least 1");
  }
  server.max_allocations =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_allocations));
  server.max_allocations_per_user =
      static_cast<size_t>(absl::GetFlag(FLAGS_user_quota));
  return config;
}

std::string Addresses(const std::vector<net::TransportAddress>& addresses) {
  return absl::StrJoin(addresses, ", ",
                       [](std::string* out, const net::TransportAddress& a) {
                         out->append(a.ToString());
                       });
}

void Log(const turn::TurnServer::Event& event, bool verbose) {
  using Kind = turn::TurnServer::Event::Kind;
  std::string line;
  switch (event.kind) {
    case Kind::kAllocated:
      line = absl::StrCat("allocation created for ", event.username, " at ",
                          event.client.ToString(), ": relayed ",
                          Addresses(event.relayed), ", lifetime ",
                          event.lifetime.ToSeconds(), " s");
      break;
    case Kind::kDeallocated:
      line = absl::StrCat("allocation deleted for ", event.username, " at ",
                          event.client.ToString(), " (", event.reason,
                          "): relayed ", Addresses(event.relayed));
      break;
    case Kind::kErrorResponse:
      if (!verbose) return;
      line = absl::StrCat("refused ", event.client.ToString(),
                          event.username.empty() ? "" : " ", event.username,
                          ": ", event.error_code, " ", event.reason);
      break;
    case Kind::kPermission:
      if (!verbose) return;
      line = absl::StrCat("permission for ", event.client.ToString(), " to ",
                          event.peer.ip().ToString());
      break;
    case Kind::kChannelBound:
      if (!verbose) return;
      line =
          absl::StrCat("channel ", event.channel, " for ",
                       event.client.ToString(), " to ", event.peer.ToString());
      break;
  }
  std::fprintf(stderr, "%s turn-server: %s\n", Now().c_str(), line.c_str());
}

int Fail(absl::string_view message, int status = kExitFailure) {
  std::fprintf(stderr, "pinhole turn-server: %s\n",
               std::string(message).c_str());
  return status;
}

}  // namespace

int RunTurnServer(const std::vector<std::string>& arguments) {
  if (!arguments.empty()) {
    return Fail(absl::StrCat("unexpected argument '", arguments.front(), "'"),
                kExitUsage);
  }
  absl::StatusOr<turn::TurnServiceConfig> config = Config();
  if (!config.ok()) return Fail(config.status().message(), kExitUsage);
  absl::StatusOr<std::unique_ptr<net::real::RealNetwork>> network =
      net::real::RealNetwork::Create();
  if (!network.ok()) return Fail(network.status().message());
  if (absl::Status s = (*network)->StopOnSignals({SIGINT, SIGTERM}); !s.ok()) {
    return Fail(s.message());
  }
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (!cert.empty() || !key.empty()) {
    if (cert.empty() || key.empty()) {
      return Fail("--tls-cert and --tls-key come together", kExitUsage);
    }
    net::real::TlsServerConfig tls;
    tls.cert_chain_file = cert;
    tls.private_key_file = key;
    tls.alpn_protocols = {"stun.turn"};  // RFC 7443.
    if (absl::Status s = (*network)->SetTlsServerConfig(std::move(tls));
        !s.ok()) {
      return Fail(s.message(), kExitUsage);
    }
  }
  const bool verbose = absl::GetFlag(FLAGS_verbose);
  absl::StatusOr<std::unique_ptr<turn::TurnService>> service =
      turn::TurnService::Start(**network, *std::move(config),
                               [verbose](const turn::TurnServer::Event& event) {
                                 Log(event, verbose);
                               });
  if (!service.ok()) return Fail(service.status().message());
  for (const net::TransportAddress& address : (*service)->addresses()) {
    std::printf("listening on %s\n", address.ToString().c_str());
  }
  std::printf("ready\n");
  std::fflush(stdout);
  (*network)->Run();
  const std::optional<int> signal = (*network)->stop_signal();
  const turn::TurnServer::Stats& stats = (*service)->server().stats();
  std::fprintf(stderr,
               "pinhole turn-server: stopped by %s; %llu allocations created, "
               "%llu requests (%llu refused), %llu datagrams relayed to "
               "peers, %llu to clients, %llu sends failed\n",
               signal == SIGINT    ? "SIGINT"
               : signal == SIGTERM ? "SIGTERM"
                                   : "a request",
               static_cast<unsigned long long>(stats.allocations_created),
               static_cast<unsigned long long>(stats.requests),
               static_cast<unsigned long long>(stats.errors),
               static_cast<unsigned long long>(stats.relayed_to_peers),
               static_cast<unsigned long long>(stats.relayed_to_clients),
               static_cast<unsigned long long>((*service)->send_failures()));
  service->reset();
  return kExitOk;
}

}  // namespace pinhole::tools
