// `pinhole turn-client`: Pinhole's TURN client (turn/client.h) on real
// sockets. It allocates on --server, relays --count messages of --size bytes
// to --peer (which must echo them, as coturn's turnutils_peer does), and
// reports what came back:
//
//   pinhole turn-client --server=192.0.2.1:3478/tls --credential=alice:secret \
//       --peer=198.51.100.7:3480 --count=20
//
// Prints "allocated ..." once the relayed address is known, one line per
// peer event with --verbose, and a summary "relayed N of M messages, ...".
// Exits 0 when every message came back intact within --timeout, 1 otherwise
// (a failed allocation included), 2 for bad flags. The allocation is
// released before exit.
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
#include "absl/time/time.h"
#include "net/ip_address.h"
#include "net/real/real_network.h"
#include "net/real/tls_config.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "tools/client_flags.h"
#include "tools/command.h"
#include "tools/common_flags.h"
#include "turn/client.h"
#include "turn/client_config.h"
#include "turn/client_driver.h"
#include "turn/client_event.h"

ABSL_FLAG(std::string, credential, "",
          "NAME:PASSWORD, the long-term credential (RFC 8489 §9.2). "
          "Required.");
ABSL_FLAG(std::string, peer, "",
          "The peer to relay to, IP:PORT; it must echo what it receives. "
          "Without it the client only allocates and releases.");
ABSL_FLAG(int, count, 10, "Messages to relay to --peer.");
ABSL_FLAG(bool, channels, true,
          "Relay over a channel (ChannelData) once bound; false: Send "
          "indications only.");
namespace pinhole::tools {
namespace {

using turn::TurnClient;
using Kind = turn::TurnClientEvent::Kind;

int Fail(absl::string_view message, int status = kExitFailure) {
  std::fprintf(stderr, "pinhole turn-client: %s\n",
               std::string(message).c_str());
  return status;
}

// Message i of the run: its index in the first 4 bytes, then a pattern of
// it, so a reordered, cut or corrupted echo shows.
std::vector<uint8_t> Message(int i, int size) {
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  for (size_t k = 0; k < bytes.size(); ++k) {
    bytes[k] = k < 4 ? static_cast<uint8_t>(i >> (8 * (3 - k)))
                     : static_cast<uint8_t>(i * 31 + k);
  }
  return bytes;
}

struct Options {
  turn::TurnClientConfig config;
  std::optional<net::TransportAddress> peer;
  int count = 0;
  int size = 0;
};

absl::StatusOr<Options> ParseOptions() {
  Options options;
  absl::StatusOr<net::TransportAddress> server =
      net::TransportAddress::Parse(absl::GetFlag(FLAGS_server));
  if (absl::GetFlag(FLAGS_server).empty() || !server.ok()) {
    return absl::InvalidArgumentError(
        "--server=IP:PORT[/tcp|/tls] is required");
  }
  const std::optional<std::pair<std::string, std::string>> credential =
      SplitCredential(absl::GetFlag(FLAGS_credential));
  if (!credential.has_value()) {
    return absl::InvalidArgumentError("--credential=NAME:PASSWORD is required");
  }
  options.config.server = *server;
  options.config.credential = {credential->first, credential->second};
  options.config.use_channels = absl::GetFlag(FLAGS_channels);
  net::IpAddress local = net::IpAddress::Any(server->family());
  if (const std::string text = absl::GetFlag(FLAGS_local); !text.empty()) {
    absl::StatusOr<net::IpAddress> ip = net::IpAddress::Parse(text);
    if (!ip.ok()) return ip.status();
    local = *ip;
  }
  options.config.local = net::TransportAddress(local, 0, server->protocol());
  if (const std::string text = absl::GetFlag(FLAGS_peer); !text.empty()) {
    absl::StatusOr<net::TransportAddress> peer =
        net::TransportAddress::Parse(text);
    if (!peer.ok()) return peer.status();
    options.peer = *peer;
  }
  options.count = absl::GetFlag(FLAGS_count);
  options.size = absl::GetFlag(FLAGS_size);
  if (options.count < 0 || options.size < 4 ||
      options.size > static_cast<int>(TurnClient::kMaxDataSize)) {
    return absl::InvalidArgumentError(
        "--count must be at least 0 and --size 4-65500");
  }
  return options;
}

// Drives one client: the driver of its transport, the events it reported,
// and the run's bookkeeping.
class Run {
 public:
  Run(net::real::RealNetwork& network, TurnClient& client)
      : network_(network), client_(client) {}

  absl::Status Start() {
    absl::StatusOr<std::unique_ptr<turn::TurnClientDriver>> driver =
        turn::TurnClientDriver::Start(network_, client_,
                                      [this](turn::TurnClientEvent event) {
                                        events_.push_back(std::move(event));
                                      });
    if (!driver.ok()) return driver.status();
    driver_ = *std::move(driver);
    return absl::OkStatus();
  }

  net::Time Now() const { return network_.clock().Now(); }
  void Flush() { driver_->Flush(); }

  // Runs the loop until an event of one of `kinds` (returned) or
  // `deadline`.
  std::optional<turn::TurnClientEvent> WaitFor(std::vector<Kind> kinds,
                                               net::Time deadline) {
    std::optional<turn::TurnClientEvent> found;
    network_.RunUntil(
        [&] {
          for (; seen_ < events_.size(); ++seen_) {
            const turn::TurnClientEvent& event = events_[seen_];
            Note(event);
            for (const Kind kind : kinds) {
              if (event.kind == kind) {
                found = event;
                ++seen_;
                return true;
              }
            }
          }
          return false;
        },
        deadline);
    return found;
  }

  // Runs until `done` or `deadline`, noting events.
  void RunUntil(absl::FunctionRef<bool()> done, net::Time deadline) {
    network_.RunUntil(
        [&] {
          for (; seen_ < events_.size(); ++seen_) Note(events_[seen_]);
          return done();
        },
        deadline);
  }

  // kData payloads, in arrival order.
  const std::vector<std::vector<uint8_t>>& received() const {
    return received_;
  }

 private:
  void Note(const turn::TurnClientEvent& event) {
    if (absl::GetFlag(FLAGS_verbose)) {
      std::fprintf(stderr, "pinhole turn-client: %s\n",
                   turn::ToString(event).c_str());
    }
    if (event.kind == Kind::kData) received_.push_back(event.data);
  }

  net::real::RealNetwork& network_;
  TurnClient& client_;
  std::unique_ptr<turn::TurnClientDriver> driver_;
  std::vector<turn::TurnClientEvent> events_;
  size_t seen_ = 0;
  std::vector<std::vector<uint8_t>> received_;
};

}  // namespace

int RunTurnClient(const std::vector<std::string>& arguments) {
  if (!arguments.empty()) {
    return Fail(absl::StrCat("unexpected argument '", arguments.front(), "'"),
                kExitUsage);
  }
  absl::StatusOr<Options> options = ParseOptions();
  if (!options.ok()) return Fail(options.status().message(), kExitUsage);
  absl::StatusOr<std::unique_ptr<net::real::RealNetwork>> network =
      net::real::RealNetwork::Create();
  if (!network.ok()) return Fail(network.status().message());
  if (options->config.server.protocol() == net::TransportProtocol::kTls) {
    net::real::TlsClientConfig tls;
    tls.ca_file = absl::GetFlag(FLAGS_ca_file);
    tls.verify_peer = !absl::GetFlag(FLAGS_insecure);
    tls.alpn_protocols = {"stun.turn"};  // RFC 7443.
    if (absl::Status s = (*network)->SetTlsClientConfig(tls); !s.ok()) {
      return Fail(s.message(), kExitUsage);
    }
  }
  absl::StatusOr<std::unique_ptr<TurnClient>> client =
      TurnClient::Create((*network)->random(), options->config);
  if (!client.ok()) return Fail(client.status().message(), kExitUsage);
  int status = kExitOk;
  {
    Run run(**network, **client);
    if (absl::Status s = run.Start(); !s.ok()) {
      return Fail(s.message());
    }
    const net::Time deadline =
        run.Now() + net::Duration::FromAbsl(absl::GetFlag(FLAGS_timeout));
    if (absl::Status s = (*client)->Allocate(run.Now()); !s.ok()) {
      return Fail(s.message());
    }
    run.Flush();
    std::optional<turn::TurnClientEvent> allocated =
        run.WaitFor({Kind::kAllocated, Kind::kAllocateFailed}, deadline);
    if (!allocated.has_value() || allocated->kind != Kind::kAllocated) {
      return Fail(allocated.has_value()
                      ? std::string(allocated->status.message())
                      : "no answer to the Allocate in time");
    }
    std::printf("allocated %s, mapped %s, lifetime %lld s\n",
                allocated->relayed.at(0).ToString().c_str(),
                allocated->mapped.has_value()
                    ? allocated->mapped->ToString().c_str()
                    : "?",
                static_cast<long long>(allocated->lifetime.ToSeconds()));
    std::fflush(stdout);
    if (options->peer.has_value() && options->count > 0) {
      const net::TransportAddress peer = *options->peer;
      const net::Duration interval =
          net::Duration::FromAbsl(absl::GetFlag(FLAGS_interval));
      int sent = 0;
      for (int i = 0; i < options->count && run.Now() < deadline; ++i) {
        absl::Status s =
            (*client)->Send(run.Now(), peer, Message(i, options->size));
        if (!s.ok()) {
          status = Fail(absl::StrCat("send ", i, ": ", s.message()));
          break;
        }
        ++sent;
        run.Flush();
        const net::Time next = run.Now() + interval;
        run.RunUntil([] { return false; }, next);
      }
      run.RunUntil(
          [&] { return run.received().size() >= static_cast<size_t>(sent); },
          deadline);
      int intact = 0;
      std::vector<bool> seen(static_cast<size_t>(options->count), false);
      for (const std::vector<uint8_t>& data : run.received()) {
        if (data.size() < 4) continue;
        const int index =
            (data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3];
        if (index >= 0 && index < options->count && !seen[index] &&
            data == Message(index, options->size)) {
          seen[index] = true;
          ++intact;
        }
      }
      std::printf("relayed %d of %d messages to %s and back intact (%s)\n",
                  intact, options->count, peer.ToString().c_str(),
                  (*client)->BoundChannel(peer).has_value()
                      ? "over a channel"
                      : "Send indications");
      if (intact != options->count) status = kExitFailure;
    }
    (*client)->Release(run.Now());
    run.Flush();
    run.WaitFor({Kind::kReleased}, run.Now() + net::Duration::Seconds(5));
  }
  return status;
}

}  // namespace pinhole::tools
