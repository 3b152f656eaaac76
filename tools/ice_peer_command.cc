// `pinhole ice-peer`: one ICE agent (ice/agent.h: RFC 8445, trickle ICE,
// consent freshness) on real sockets, talking to another over a signalling
// channel of SDP attribute lines (ice/sdp.h):
//
//   pinhole ice-peer --role=controlled --local=192.0.2.1 --echo \
//       --stun=198.51.100.1:3478 --signal=listen:192.0.2.1:7000
//   pinhole ice-peer --role=controlling --local=203.0.113.5 --send=20 \
//       --turn=198.51.100.1:3478/tcp --turn-user=alice:secret \
//       --signal=connect:192.0.2.1:7000
//
// Each side sends "a=ice-ufrag:", "a=ice-pwd:", "a=ice-options:trickle"
// ("a=ice-lite" too when lite), then one "a=candidate:" line per candidate
// as it is gathered, then "a=end-of-candidates". The peer's lines are
// parsed with ParseIceLine: a bad line is reported on stderr and skipped,
// bad credentials end the run (exit 2). Its candidates reach the agent once
// its credentials have (they are held until then). --signal=stdio (the
// default) writes the lines to stdout and reads the peer's from stdin, so
// two processes can be joined by a pair of FIFOs and a human can paste;
// everything else is then printed on stderr. --signal=listen:IP:PORT and
// --signal=connect:IP:PORT use one TCP connection instead, and print on
// stdout.
//
// It prints "signalling on ADDRESS" (listen), "ready" once gathering has
// started, each local and remote candidate, state changes, and "connected in
// X ms: selected pair TYPE ADDRESS -> TYPE ADDRESS" (X counted from the
// peer's credentials, when checks could start), then "sent N received M" at
// the end; --json adds one JSON object with the same facts.
//
// When it ends: with --send, once every datagram came back (exit 0) or at
// --timeout (exit 1); with --echo alone, when the peer hangs up the
// signalling channel (exit 0); with neither, once connected (exit 0).
// Failing to connect within --timeout, ICE failing (no pair works, consent
// lost) or the peer hanging up before its credentials exit 1; bad flags
// exit 2. SIGINT and SIGTERM end it cleanly (exit 0 when connected and
// every --send echo came back). The agent is closed at the end, which
// releases its TURN allocations.
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
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "ice/agent_config.h"
#include "net/ip_address.h"
#include "net/real/real_network.h"
#include "net/real/tls_config.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "tools/client_flags.h"
#include "tools/command.h"
#include "tools/common_flags.h"
#include "tools/ice_session.h"

ABSL_FLAG(std::string, role, "",
          "controlling or controlled (RFC 8445 §6.1.1); required unless "
          "--lite, which is controlled.");
ABSL_FLAG(std::vector<std::string>, stun, {},
          "Comma-separated STUN servers, IP:PORT (UDP), to learn "
          "server-reflexive candidates from.");
ABSL_FLAG(std::vector<std::string>, turn, {},
          "Comma-separated TURN servers, IP:PORT over UDP unless suffixed "
          "/tcp or /tls, to allocate relayed candidates on (one per "
          "component and local address), with --turn-user.");
ABSL_FLAG(std::string, turn_user, "",
          "NAME:PASSWORD, the long-term credential (RFC 8489 §9.2) for every "
          "--turn server.");
ABSL_FLAG(bool, relay_only, false,
          "Gather and check relayed candidates only (as WebRTC's "
          "iceTransportPolicy \"relay\"); needs --turn.");
ABSL_FLAG(bool, lite, false,
          "Be an ICE lite agent (RFC 8445 §2.5): host candidates only, no "
          "checks of its own, controlled.");
ABSL_FLAG(int, components, 1,
          "Components of the data stream, 1-256 (WebRTC multiplexes RTP and "
          "RTCP on 1).");
ABSL_FLAG(absl::Duration, ta, absl::Milliseconds(50),
          "Ta, the pacing of connectivity checks (RFC 8445 §14.2).");
ABSL_FLAG(std::string, signal, "stdio",
          "Where the ICE lines go: stdio (stdout and stdin; other output on "
          "stderr), listen:IP:PORT or connect:IP:PORT (one TCP connection; "
          "port 0 lets the system choose where to listen).");
ABSL_FLAG(bool, echo, false,
          "Send every datagram the peer sends back to it, on the same "
          "component.");
ABSL_FLAG(int, send, 0,
          "Once connected, send this many datagrams of --size bytes every "
          "--interval on component 1 (RTP-like: the first byte is 0x80, not "
          "STUN), and wait until the peer has echoed them all back.");

namespace pinhole::tools {
namespace {

int Fail(absl::string_view message, int status = kExitFailure) {
  std::fprintf(stderr, "pinhole ice-peer: %s\n", std::string(message).c_str());
  return status;
}

struct Options {
  IceSessionOptions session;
  bool tls = false;  // A TURN server is reached over TLS.
};

absl::StatusOr<Options> ParseOptions() {
  Options parsed;
  IceSessionOptions& options = parsed.session;
  ice::AgentConfig& config = options.config;
  config.lite = absl::GetFlag(FLAGS_lite);
  const std::string role = absl::GetFlag(FLAGS_role);
  if (role == "controlling") {
    config.role = ice::Role::kControlling;
  } else if (role == "controlled") {
    config.role = ice::Role::kControlled;
  } else if (!role.empty() || !config.lite) {
    return absl::InvalidArgumentError(
        "--role=controlling or --role=controlled is required");
  } else {
    config.role = ice::Role::kControlled;  // Lite.
  }
  if (config.lite && config.role != ice::Role::kControlled) {
    return absl::InvalidArgumentError("an ICE lite agent is controlled");
  }
  for (absl::string_view text :
       absl::StrSplit(absl::GetFlag(FLAGS_local), ',', absl::SkipEmpty())) {
    absl::StatusOr<net::IpAddress> ip =
        net::IpAddress::Parse(absl::StripAsciiWhitespace(text));
    if (!ip.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--local: ", ip.status().message()));
    }
    options.local.push_back(*ip);
  }
  for (const std::string& text : absl::GetFlag(FLAGS_stun)) {
    absl::StatusOr<net::TransportAddress> server =
        net::TransportAddress::Parse(text);
    if (!server.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--stun: ", server.status().message()));
    }
    if (server->protocol() != net::TransportProtocol::kUdp) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--stun: STUN servers are asked over UDP, not ", server->ToString()));
    }
    config.stun_servers.push_back(*server);
  }
  const std::vector<std::string> turn = absl::GetFlag(FLAGS_turn);
  std::optional<std::pair<std::string, std::string>> user;
  if (!turn.empty()) {
    user = SplitCredential(absl::GetFlag(FLAGS_turn_user));
    if (!user.has_value()) {
      return absl::InvalidArgumentError(
          "--turn needs --turn-user=NAME:PASSWORD");
    }
  }
  for (const std::string& text : turn) {
    absl::StatusOr<net::TransportAddress> server =
        net::TransportAddress::Parse(text);
    if (!server.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--turn: ", server.status().message()));
    }
    parsed.tls =
        parsed.tls || server->protocol() == net::TransportProtocol::kTls;
    config.turn_servers.push_back(
        ice::TurnServerConfig{*server, {user->first, user->second}});
  }
  if (absl::GetFlag(FLAGS_relay_only)) {
    if (turn.empty()) {
      return absl::InvalidArgumentError("--relay-only needs --turn");
    }
    config.candidate_policy = ice::CandidatePolicy::kRelayOnly;
  }
  if (config.lite && (!config.stun_servers.empty() || !turn.empty())) {
    return absl::InvalidArgumentError(
        "an ICE lite agent gathers host candidates only: no --stun or --turn");
  }
  const int components = absl::GetFlag(FLAGS_components);
  if (components < 1 || components > 256) {
    return absl::InvalidArgumentError("--components must be 1-256");
  }
  config.components = static_cast<uint32_t>(components);
  config.ta = net::Duration::FromAbsl(absl::GetFlag(FLAGS_ta));
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;

  const std::string signal = absl::GetFlag(FLAGS_signal);
  if (signal != "stdio") {
    absl::string_view rest = signal;
    if (absl::ConsumePrefix(&rest, "listen:")) {
      options.signal = IceSessionOptions::Signal::kListen;
    } else if (absl::ConsumePrefix(&rest, "connect:")) {
      options.signal = IceSessionOptions::Signal::kConnect;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--signal wants stdio, listen:IP:PORT or connect:IP:PORT, not '",
          signal, "'"));
    }
    absl::StatusOr<net::TransportAddress> address =
        net::TransportAddress::Parse(rest, net::TransportProtocol::kTcp);
    if (!address.ok() || address->protocol() != net::TransportProtocol::kTcp ||
        (options.signal == IceSessionOptions::Signal::kConnect &&
         (address->port() == 0 || address->ip().IsUnspecified()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("--signal: '", rest, "' is not a TCP IP:PORT",
                       options.signal == IceSessionOptions::Signal::kConnect
                           ? " to connect to"
                           : ""));
    }
    options.signal_address = *address;
  }

  options.echo = absl::GetFlag(FLAGS_echo);
  options.send = absl::GetFlag(FLAGS_send);
  options.size = absl::GetFlag(FLAGS_size);
  if (options.send < 0 ||
      (options.send > 0 &&
       (options.size < kEchoHeaderSize || options.size > 65500))) {
    return absl::InvalidArgumentError(
        "--send must be at least 0 and --size 12-65500");
  }
  options.interval = net::Duration::FromAbsl(absl::GetFlag(FLAGS_interval));
  options.timeout = net::Duration::FromAbsl(absl::GetFlag(FLAGS_timeout));
  if (options.interval < net::Duration::Zero() ||
      options.timeout <= net::Duration::Zero()) {
    return absl::InvalidArgumentError(
        "--interval must not be negative, --timeout must be positive");
  }
  options.json = absl::GetFlag(FLAGS_json);
  return parsed;
}

// The host addresses to gather on: --local, or every address of the
// machine's interfaces but loopback (RFC 8445 §5.1.1.1: loopback addresses
// are not candidates unless asked for).
absl::StatusOr<std::vector<net::IpAddress>> LocalAddresses(
    const net::real::RealNetwork& network) {
  std::vector<net::IpAddress> addresses;
  for (const net::IpAddress& ip : network.LocalAddresses()) {
    if (!ip.IsLoopback()) addresses.push_back(ip);
  }
  if (addresses.empty()) {
    return absl::InvalidArgumentError(
        "no interface address but loopback: give --local");
  }
  return addresses;
}

}  // namespace

int RunIcePeer(const std::vector<std::string>& arguments) {
  if (!arguments.empty()) {
    return Fail(absl::StrCat("unexpected argument '", arguments.front(), "'"),
                kExitUsage);
  }
  absl::StatusOr<Options> options = ParseOptions();
  if (!options.ok()) return Fail(options.status().message(), kExitUsage);
  absl::StatusOr<std::unique_ptr<net::real::RealNetwork>> network =
      net::real::RealNetwork::Create();
  if (!network.ok()) return Fail(network.status().message());
  if (absl::Status s = (*network)->StopOnSignals({SIGINT, SIGTERM}); !s.ok()) {
    return Fail(s.message());
  }
  if (options->tls) {
    net::real::TlsClientConfig tls;
    tls.ca_file = absl::GetFlag(FLAGS_ca_file);
    tls.verify_peer = !absl::GetFlag(FLAGS_insecure);
    tls.alpn_protocols = {"stun.turn"};  // RFC 7443.
    if (absl::Status s = (*network)->SetTlsClientConfig(tls); !s.ok()) {
      return Fail(s.message(), kExitUsage);
    }
  }
  if (options->session.local.empty()) {
    absl::StatusOr<std::vector<net::IpAddress>> local =
        LocalAddresses(**network);
    if (!local.ok()) return Fail(local.status().message(), kExitUsage);
    options->session.local = *std::move(local);
  }
  return RunIceSession(**network, options->session);
}

}  // namespace pinhole::tools
