#include "tools/ice_session.h"

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "ice/agent.h"
#include "ice/agent_driver.h"
#include "ice/candidate.h"
#include "ice/sdp.h"
#include "net/timer.h"
#include "tools/command.h"
#include "tools/signalling_channel.h"

namespace pinhole::tools {
namespace {

using ice::AgentEvent;
using Kind = ice::AgentEvent::Kind;

constexpr size_t kHeaderSize = kEchoHeaderSize;
constexpr size_t kMaxPendingEchoes = 1024;

int Fail(absl::string_view message, int status = kExitFailure) {
  std::fprintf(stderr, "pinhole ice-peer: %s\n", std::string(message).c_str());
  return status;
}

// "host 192.0.2.1:5000/udp".
std::string Describe(const ice::Candidate& candidate) {
  return absl::StrCat(ice::CandidateTypeName(candidate.type), " ",
                      candidate.address.ToString());
}

std::string Milliseconds(net::Duration d) {
  return absl::StrFormat("%.1f", static_cast<double>(d.ToMicroseconds()) / 1e3);
}

// A JSON string: quotes, backslashes and control characters escaped.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      absl::StrAppend(&out, "\\", std::string(1, c));
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, absl::StrFormat("\\u%04x", static_cast<int>(c)));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string JsonCandidate(const ice::Candidate& candidate) {
  return absl::StrCat(
      "{\"type\":", JsonString(ice::CandidateTypeName(candidate.type)),
      ",\"address\":", JsonString(candidate.address.ToString()), "}");
}

// One agent, its driver, its signalling and its traffic.
class Session {
 public:
  Session(net::real::RealNetwork& network, const IceSessionOptions& options,
          ice::Agent& agent)
      : network_(network),
        options_(options),
        agent_(agent),
        out_(options.signal == IceSessionOptions::Signal::kStdio ? stderr
                                                                 : stdout) {
    uint8_t ssrc[4];
    network_.random().Fill(absl::MakeSpan(ssrc));
    ssrc_ = (uint32_t{ssrc[0]} << 24) | (uint32_t{ssrc[1]} << 16) |
            (uint32_t{ssrc[2]} << 8) | ssrc[3];
  }

  ~Session() {
    // The driver first: it holds the agent's sockets and timers.
    driver_.reset();
    send_timer_.reset();
    channel_.reset();
  }

  // Opens the signalling channel, sends the credentials and starts
  // gathering. Errors are the exit status, with the message printed.
  std::optional<int> Start() {
    start_ = Now();
    deadline_ = start_ + options_.timeout;
    SignallingChannel::Callbacks callbacks{
        .on_open =
            [this](const net::TransportAddress& peer) {
              Print(absl::StrCat("signalling with ", peer.ToString()));
            },
        .on_line = [this](absl::string_view line) { OnLine(line); },
        .on_closed =
            [this](const absl::Status& status) { OnSignallingClosed(status); },
    };
    // Longer lines arrive cut one byte beyond the parser's limit, for it to
    // refuse them with its own message.
    const size_t max_line = ice::kMaxIceLineLength;
    absl::StatusOr<std::unique_ptr<SignallingChannel>> channel;
    switch (options_.signal) {
      case IceSessionOptions::Signal::kStdio:
        channel =
            SignallingChannel::Stdio(network_, max_line, std::move(callbacks));
        break;
      case IceSessionOptions::Signal::kListen:
        channel = SignallingChannel::Listen(network_, options_.signal_address,
                                            max_line, std::move(callbacks));
        break;
      case IceSessionOptions::Signal::kConnect:
        channel = SignallingChannel::Connect(network_, options_.signal_address,
                                             max_line, std::move(callbacks));
        break;
    }
    if (!channel.ok()) {
      return Fail(absl::StrCat("signalling: ", channel.status().message()));
    }
    channel_ = *std::move(channel);
    if (std::optional<net::TransportAddress> listening =
            channel_->listening_address()) {
      Print(absl::StrCat("signalling on ", listening->ToString()));
    }
    ice::IceParameters parameters;
    parameters.ufrag = agent_.local_credentials().ufrag;
    parameters.pwd = agent_.local_credentials().pwd;
    parameters.trickle = true;
    parameters.lite = options_.config.lite;
    for (const std::string& line : ice::FormatIceParameters(parameters)) {
      channel_->Send(absl::StrCat("a=", line));
    }
    absl::StatusOr<std::unique_ptr<ice::AgentDriver>> driver =
        ice::AgentDriver::Start(network_, agent_, options_.local,
                                [this](AgentEvent event) { OnEvent(event); });
    if (!driver.ok()) return Fail(driver.status().message());
    driver_ = *std::move(driver);
    Print("ready");
    return std::nullopt;
  }

  // Runs until the end (see the file comment); returns the exit status.
  int Run() {
    while (!exit_status_.has_value()) {
      // Echoing until the peer hangs up has no deadline.
      const bool open_ended = connected_at_.has_value() && options_.send == 0;
      const net::Time limit =
          open_ended ? Now() + net::Duration::Hours(1) : deadline_;
      network_.RunUntil([this] { return exit_status_.has_value(); }, limit);
      if (exit_status_.has_value()) break;
      if (const std::optional<int> signal = network_.stop_signal()) {
        Print(absl::StrCat("stopped by ",
                           *signal == SIGINT ? "SIGINT" : "SIGTERM"));
        End(connected_at_.has_value() && AllEchoed() ? kExitOk : kExitFailure);
      } else if (!open_ended && Now() >= deadline_) {
        Print(connected_at_.has_value()
                  ? absl::StrCat("timed out after ",
                                 options_.timeout.ToString(),
                                 " waiting for the echoes")
                  : absl::StrCat("not connected within ",
                                 options_.timeout.ToString()));
        End(kExitFailure);
      }
    }
    Report();
    // Release the relays (the TURN server frees them at once) and say
    // goodbye on the signalling channel.
    agent_.Close(Now());
    driver_->Flush();
    channel_->Close();
    network_.RunUntil([] { return false; },
                      Now() + net::Duration::Milliseconds(100));
    return *exit_status_;
  }

 private:
  net::Time Now() const { return network_.clock().Now(); }

  void Print(absl::string_view line) {
    std::fprintf(out_, "%s\n", std::string(line).c_str());
    std::fflush(out_);
  }

  void Warn(absl::string_view message) {
    std::fprintf(stderr, "pinhole ice-peer: %s\n",
                 std::string(message).c_str());
  }

  void End(int status) {
    if (!exit_status_.has_value()) exit_status_ = status;
  }

  // --- The agent.

  void OnEvent(const AgentEvent& event) {
    switch (event.kind) {
      case Kind::kLocalCandidate:
        channel_->Send(
            absl::StrCat("a=", ice::FormatCandidateAttribute(event.candidate)));
        Print(absl::StrCat("local candidate ", Describe(event.candidate),
                           ComponentSuffix(event.candidate.component)));
        return;
      case Kind::kGatheringComplete:
        channel_->Send(absl::StrCat("a=", ice::kEndOfCandidatesAttribute));
        Print(event.status.ok() ? std::string("gathering complete")
                                : absl::StrCat("gathering complete (",
                                               event.status.message(), ")"));
        return;
      case Kind::kStateChanged:
        OnState(event.state);
        return;
      case Kind::kSelectedPair:
        if (connected_at_.has_value()) {
          Print(absl::StrCat("selected pair", ComponentSuffix(event.component),
                             " ", Describe(event.pair.local), " -> ",
                             Describe(event.pair.remote)));
        }
        FlushEchoes(event.component);
        return;
      case Kind::kRoleChanged:
        Print(absl::StrCat("role ", ice::RoleName(event.role)));
        return;
      case Kind::kData:
        OnData(event.component, event.data);
        return;
    }
  }

  std::string ComponentSuffix(uint32_t component) const {
    return options_.config.components > 1
               ? absl::StrCat(" (component ", component, ")")
               : std::string();
  }

  void OnState(ice::ConnectionState state) {
    if (state == ice::ConnectionState::kClosed) return;  // Our own Close.
    Print(absl::StrCat("state ", ice::ConnectionStateName(state)));
    const bool up = state == ice::ConnectionState::kConnected ||
                    state == ice::ConnectionState::kCompleted;
    if (up && !connected_at_.has_value()) {
      connected_at_ = Now();
      Print(absl::StrCat("connected in ",
                         Milliseconds(*connected_at_ - Since()),
                         " ms: ", SelectedPairs()));
      if (options_.send > 0) {
        send_timer_ = network_.CreateTimer([this] { SendNext(); });
        send_timer_->SetAt(Now());
      } else if (!options_.echo) {
        End(kExitOk);  // A connectivity test: done.
      }
    }
    if (state == ice::ConnectionState::kFailed) {
      Warn(connected_at_.has_value()
               ? "ICE failed: the peer's consent was lost (RFC 7675)"
               : "ICE failed: no candidate pair works");
      End(kExitFailure);
    }
  }

  // Since when the time to connected counts: the peer's credentials, when
  // checks could start (or the start, for a lite agent nominated before).
  net::Time Since() const {
    return remote_applied_at_.has_value() && *remote_applied_at_ <= Now()
               ? *remote_applied_at_
               : start_;
  }

  std::string SelectedPairs() const {
    std::vector<std::string> pairs;
    for (uint32_t c = 1; c <= options_.config.components; ++c) {
      const std::optional<ice::CandidatePairInfo> pair =
          agent_.selected_pair(c);
      if (!pair.has_value()) continue;
      pairs.push_back(absl::StrCat(
          options_.config.components > 1 ? absl::StrCat(c, ": ") : "",
          Describe(pair->local), " -> ", Describe(pair->remote)));
    }
    return absl::StrCat(
        options_.config.components > 1 ? "selected pairs " : "selected pair ",
        absl::StrJoin(pairs, ", "));
  }

  // --- Signalling.

  void OnLine(absl::string_view line) {
    if (exit_status_.has_value()) return;  // Over: the rest is moot.
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) return;
    const ice::IceParameters before = remote_;
    absl::StatusOr<ice::IceLine> parsed = ice::ParseIceLine(line, remote_);
    if (!parsed.ok()) {
      const bool credentials = absl::StartsWith(line, "a=ice-ufrag") ||
                               absl::StartsWith(line, "a=ice-pwd") ||
                               absl::StartsWith(line, "ice-ufrag") ||
                               absl::StartsWith(line, "ice-pwd");
      if (credentials) {
        Warn(absl::StrCat("the peer's credentials are bad: ",
                          parsed.status().message()));
        End(kExitUsage);
        return;
      }
      Warn(absl::StrCat(
          parsed.status().code() == absl::StatusCode::kUnimplemented
              ? "skipped a candidate: "
              : "skipped a bad signalling line: ",
          parsed.status().message()));
      return;
    }
    switch (parsed->kind) {
      case ice::IceLineKind::kUfrag:
      case ice::IceLineKind::kPwd:
      case ice::IceLineKind::kLite:
        if (remote_applied_at_.has_value() && remote_ != before) {
          // The agent keeps the first credentials; a restart is not
          // supported here.
          Warn(absl::StrCat("ignored a new ",
                            ice::IceLineKindName(parsed->kind),
                            ": an ICE restart needs a new ice-peer"));
          remote_ = before;
        }
        return;
      case ice::IceLineKind::kOptions:
        return;
      case ice::IceLineKind::kCandidate:
        if (!ApplyRemote()) {
          if (held_.size() >= ice::Agent::kMaxRemoteCandidates) {
            Warn("skipped a candidate: too many before the credentials");
            return;
          }
          held_.push_back(parsed->candidate);
          return;
        }
        AddRemote(parsed->candidate);
        return;
      case ice::IceLineKind::kEndOfCandidates:
        remote_end_ = true;
        if (!remote_applied_at_.has_value()) {
          ApplyRemote();  // Which passes the end on.
          return;
        }
        agent_.SetRemoteEndOfCandidates(Now());
        driver_->Flush();
        return;
    }
  }

  // Gives the agent the peer's credentials once both are known, then the
  // candidates held until then. True when they are the agent's. The
  // credentials wait for the first candidate or end-of-candidates line, so
  // that an ice-lite line after them counts.
  bool ApplyRemote() {
    if (remote_applied_at_.has_value()) return true;
    if (remote_.ufrag.empty() || remote_.pwd.empty()) return false;
    if (remote_.lite && options_.config.lite) {
      Warn("both sides are ICE lite: neither would check");
      End(kExitFailure);
      return false;
    }
    remote_applied_at_ = Now();
    if (absl::Status status = agent_.SetRemoteCredentials(
            Now(), ice::Credentials{remote_.ufrag, remote_.pwd}, remote_.lite);
        !status.ok()) {
      Warn(absl::StrCat("the peer's credentials are bad: ", status.message()));
      End(kExitUsage);
      return false;
    }
    std::deque<ice::Candidate> held;
    held.swap(held_);
    for (const ice::Candidate& candidate : held) AddRemote(candidate);
    if (remote_end_) agent_.SetRemoteEndOfCandidates(Now());
    driver_->Flush();
    return true;
  }

  void AddRemote(const ice::Candidate& candidate) {
    if (absl::Status status = agent_.AddRemoteCandidate(Now(), candidate);
        !status.ok()) {
      Warn(absl::StrCat("skipped a candidate: ", status.message()));
      return;
    }
    Print(absl::StrCat("remote candidate ", Describe(candidate),
                       ComponentSuffix(candidate.component)));
    driver_->Flush();
  }

  void OnSignallingClosed(const absl::Status& status) {
    if (exit_status_.has_value()) return;
    if (!status.ok()) Warn(absl::StrCat("signalling: ", status.message()));
    // Credentials and a last candidate that came without an ending line.
    if (!remote_applied_at_.has_value()) ApplyRemote();
    if (!remote_applied_at_.has_value()) {
      Warn("the peer hung up before sending its credentials");
      End(kExitFailure);
      return;
    }
    if (connected_at_.has_value() && options_.send == 0) {
      Print("the peer hung up");
      End(kExitOk);
    }
    // Otherwise the checks, or the echoes, go on until --timeout.
  }

  // --- Data.

  std::vector<uint8_t> Datagram(int index) const {
    std::vector<uint8_t> bytes(static_cast<size_t>(options_.size));
    const uint32_t i = static_cast<uint32_t>(index);
    const uint8_t header[kHeaderSize] = {
        0x80,  // Version 2.
        96,    // A dynamic payload type.
        static_cast<uint8_t>(i >> 8),
        static_cast<uint8_t>(i),
        static_cast<uint8_t>(i >> 24),
        static_cast<uint8_t>(i >> 16),
        static_cast<uint8_t>(i >> 8),
        static_cast<uint8_t>(i),
        static_cast<uint8_t>(ssrc_ >> 24),
        static_cast<uint8_t>(ssrc_ >> 16),
        static_cast<uint8_t>(ssrc_ >> 8),
        static_cast<uint8_t>(ssrc_),
    };
    for (size_t k = 0; k < bytes.size(); ++k) {
      bytes[k] = k < kHeaderSize ? header[k] : static_cast<uint8_t>(i * 31 + k);
    }
    return bytes;
  }

  void SendNext() {
    if (exit_status_.has_value() || attempted_ >= options_.send) return;
    const int index = attempted_++;
    if (absl::Status status = agent_.Send(Now(), 1, Datagram(index));
        status.ok()) {
      ++sent_;
    } else if (send_failures_++ == 0) {
      Warn(absl::StrCat("send: ", status.message()));
    }
    driver_->Flush();
    if (attempted_ < options_.send) {
      send_timer_->SetAt(Now() + options_.interval);
    }
  }

  void OnData(uint32_t component, const std::vector<uint8_t>& data) {
    ++received_;
    if (options_.send > 0 && data.size() >= kHeaderSize && data[0] == 0x80) {
      const uint32_t ssrc = (uint32_t{data[8]} << 24) |
                            (uint32_t{data[9]} << 16) |
                            (uint32_t{data[10]} << 8) | data[11];
      if (ssrc == ssrc_) {
        // An echo of ours: never echoed again.
        const uint32_t index = (uint32_t{data[4]} << 24) |
                               (uint32_t{data[5]} << 16) |
                               (uint32_t{data[6]} << 8) | data[7];
        if (index < echoed_back_.size() && !echoed_back_[index] &&
            data == Datagram(static_cast<int>(index))) {
          echoed_back_[index] = true;
          ++intact_;
          if (AllEchoed()) End(kExitOk);
        }
        return;
      }
    }
    if (!options_.echo) return;
    pending_echoes_.push_back({component, data});
    if (pending_echoes_.size() > kMaxPendingEchoes) pending_echoes_.pop_front();
    FlushEchoes(component);
  }

  // Echoes wait for their component's selected pair (the peer may send as
  // soon as its own side is selected).
  void FlushEchoes(uint32_t component) {
    for (auto it = pending_echoes_.begin(); it != pending_echoes_.end();) {
      if (it->first != component) {
        ++it;
        continue;
      }
      if (!agent_.selected_pair(component).has_value()) return;
      if (absl::Status status = agent_.Send(Now(), component, it->second);
          status.ok()) {
        ++sent_;
      } else if (send_failures_++ == 0) {
        Warn(absl::StrCat("echo: ", status.message()));
      }
      it = pending_echoes_.erase(it);
    }
  }

  bool AllEchoed() const {
    return options_.send == 0 || intact_ == options_.send;
  }

  // --- The end.

  void Report() {
    std::string summary = absl::StrCat("sent ", sent_, " received ", received_);
    if (options_.send > 0) {
      absl::StrAppend(&summary, ", ", intact_, " of ", options_.send,
                      " echoed back intact");
    }
    Print(summary);
    if (!options_.json) return;
    std::string json = absl::StrCat(
        "{\"role\":", JsonString(ice::RoleName(agent_.role())),
        ",\"state\":", JsonString(ice::ConnectionStateName(agent_.state())),
        ",\"connected\":", connected_at_.has_value() ? "true" : "false");
    if (connected_at_.has_value()) {
      absl::StrAppend(
          &json, ",\"connectedMs\":", Milliseconds(*connected_at_ - Since()),
          ",\"sinceStartMs\":", Milliseconds(*connected_at_ - start_));
    }
    std::vector<std::string> pairs;
    for (uint32_t c = 1; c <= options_.config.components; ++c) {
      if (const std::optional<ice::CandidatePairInfo> pair =
              agent_.selected_pair(c)) {
        pairs.push_back(absl::StrCat(
            "{\"component\":", c, ",\"local\":", JsonCandidate(pair->local),
            ",\"remote\":", JsonCandidate(pair->remote), "}"));
      }
    }
    const ice::AgentStats& stats = agent_.stats();
    absl::StrAppend(&json, ",\"selectedPairs\":[", absl::StrJoin(pairs, ","),
                    "],\"localCandidates\":", agent_.local_candidates().size(),
                    ",\"remoteCandidates\":", agent_.remote_candidates().size(),
                    ",\"checksSent\":", stats.checks_sent,
                    ",\"checksReceived\":", stats.checks_received,
                    ",\"sent\":", sent_, ",\"received\":", received_);
    if (options_.send > 0) {
      absl::StrAppend(&json, ",\"echoedBack\":", intact_);
    }
    absl::StrAppend(&json, ",\"exitStatus\":", *exit_status_, "}");
    Print(json);
  }

  net::real::RealNetwork& network_;
  const IceSessionOptions& options_;
  ice::Agent& agent_;
  std::FILE* const out_;
  uint32_t ssrc_ = 0;
  std::unique_ptr<SignallingChannel> channel_;
  std::unique_ptr<ice::AgentDriver> driver_;
  std::unique_ptr<net::Timer> send_timer_;

  net::Time start_;
  net::Time deadline_;
  std::optional<net::Time> remote_applied_at_;
  std::optional<net::Time> connected_at_;
  std::optional<int> exit_status_;

  ice::IceParameters remote_;
  std::deque<ice::Candidate> held_;  // Before the credentials.
  bool remote_end_ = false;

  int attempted_ = 0;
  int sent_ = 0;
  int received_ = 0;
  int intact_ = 0;
  int send_failures_ = 0;
  std::vector<bool> echoed_back_ =
      std::vector<bool>(static_cast<size_t>(options_.send), false);
  std::deque<std::pair<uint32_t, std::vector<uint8_t>>> pending_echoes_;
};

}  // namespace

int RunIceSession(net::real::RealNetwork& network,
                  const IceSessionOptions& options) {
  absl::StatusOr<std::unique_ptr<ice::Agent>> agent =
      ice::Agent::Create(network.random(), options.config);
  if (!agent.ok()) return Fail(agent.status().message(), kExitUsage);
  Session session(network, options, **agent);
  if (std::optional<int> status = session.Start()) return *status;
  return session.Run();
}

}  // namespace pinhole::tools
