#include "tools/signalling_channel.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "net/ip_address.h"
#include "net/real/event_loop.h"
#include "net/tcp_stream.h"
#include "net/timer.h"
#include "tools/line_splitter.h"

namespace pinhole::tools {
namespace {

absl::string_view AsText(absl::Span<const uint8_t> bytes) {
  return absl::string_view(reinterpret_cast<const char*>(bytes.data()),
                           bytes.size());
}

// What both kinds share: cutting the peer's bytes into lines, and ending
// once.
class LineChannel : public SignallingChannel {
 protected:
  LineChannel(size_t max_line_length, Callbacks callbacks)
      : splitter_(max_line_length), callbacks_(std::move(callbacks)) {}

  void Deliver(absl::string_view bytes) {
    if (ended_) return;
    for (const std::string& line : splitter_.Append(bytes)) {
      if (callbacks_.on_line) callbacks_.on_line(line);
    }
  }

  void End(const absl::Status& status) {
    if (ended_) return;
    ended_ = true;
    if (std::optional<std::string> last = splitter_.Finish();
        last.has_value() && callbacks_.on_line) {
      callbacks_.on_line(*last);
    }
    if (callbacks_.on_closed) callbacks_.on_closed(status);
  }

  void Opened(const net::TransportAddress& peer) {
    if (callbacks_.on_open) callbacks_.on_open(peer);
  }

 private:
  LineSplitter splitter_;
  Callbacks callbacks_;
  bool ended_ = false;
};

class StdioChannel final : public LineChannel, private net::real::FdHandler {
 public:
  StdioChannel(net::real::RealNetwork& network, size_t max_line_length,
               Callbacks callbacks)
      : LineChannel(max_line_length, std::move(callbacks)), network_(network) {}
  ~StdioChannel() override { watch_.Stop(); }

  void Start() {
    std::signal(SIGPIPE, SIG_IGN);
    if (watch_.Start(network_.loop(), STDIN_FILENO, EPOLLIN, *this).ok()) {
      return;
    }
    // epoll refuses regular files (and /dev/null): they never block, so
    // they are read to their end at once, from the loop.
    read_all_ = network_.CreateTimer([this] {
      while (ReadOnce()) {
      }
    });
    read_all_->SetAt(network_.clock().Now());
  }

  void Send(absl::string_view line) override {
    if (out_failed_) return;
    const std::string text = absl::StrCat(line, "\n");
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      out_failed_ = true;  // The peer is gone (EPIPE); it cannot read more.
    }
  }

  void Close() override { std::fflush(stdout); }

 private:
  void OnFdEvents(uint32_t /*events*/) override { ReadOnce(); }

  // One read(2); false once stdin ended.
  bool ReadOnce() {
    char buffer[4096];
    ssize_t n;
    do {
      n = read(STDIN_FILENO, buffer, sizeof(buffer));
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      Deliver(absl::string_view(buffer, static_cast<size_t>(n)));
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    watch_.Stop();
    End(n == 0 ? absl::OkStatus()
               : absl::UnavailableError(
                     absl::StrCat("reading stdin: ", std::strerror(errno))));
    return false;
  }

  net::real::RealNetwork& network_;
  net::real::FdWatch watch_;
  std::unique_ptr<net::Timer> read_all_;
  bool out_failed_ = false;
};

class TcpChannel final : public LineChannel {
 public:
  TcpChannel(net::Network& network, size_t max_line_length, Callbacks callbacks)
      : LineChannel(max_line_length, std::move(callbacks)), network_(network) {}

  absl::Status Listen(const net::TransportAddress& local) {
    absl::StatusOr<std::unique_ptr<net::TcpListener>> listener =
        network_.ListenTcp(local, [this](std::unique_ptr<net::TcpStream> s) {
          OnAccept(std::move(s));
        });
    if (!listener.ok()) return listener.status();
    listener_ = *std::move(listener);
    return absl::OkStatus();
  }

  absl::Status Connect(const net::TransportAddress& remote) {
    remote_ = remote;
    retry_ = network_.CreateTimer([this] {
      stream_.reset();  // The refused attempt; its callbacks are over.
      if (absl::Status status = StartConnect(); !status.ok()) End(status);
    });
    return StartConnect();
  }

  void Send(absl::string_view line) override {
    std::string text = absl::StrCat(line, "\n");
    if (!open_) {
      queued_.push_back(std::move(text));
      return;
    }
    Write(text);
  }

  void Close() override {
    closing_ = true;
    if (retry_ != nullptr) retry_->Cancel();
    if (open_) stream_->Close();
  }

  std::optional<net::TransportAddress> listening_address() const override {
    if (listener_ == nullptr) return std::nullopt;
    return listener_->local_address();
  }

 private:
  absl::Status StartConnect() {
    absl::StatusOr<std::unique_ptr<net::TcpStream>> stream =
        network_.ConnectTcp(
            net::TransportAddress(net::IpAddress::Any(remote_.family()), 0,
                                  net::TransportProtocol::kTcp),
            remote_,
            net::TcpStream::Callbacks{
                .on_connected = [this] { OnOpen(); },
                .on_data =
                    [this](absl::Span<const uint8_t> data) {
                      Deliver(AsText(data));
                    },
                .on_closed =
                    [this](const absl::Status& status) {
                      if (!open_ && !closing_) {
                        // Refused: the peer is not listening yet.
                        retry_->SetAt(network_.clock().Now() + kConnectRetry);
                        return;
                      }
                      End(status);
                    },
            });
    if (!stream.ok()) return stream.status();
    stream_ = *std::move(stream);
    return absl::OkStatus();
  }

  void OnAccept(std::unique_ptr<net::TcpStream> stream) {
    if (stream_ != nullptr) return;  // One peer only: the others are reset.
    stream_ = std::move(stream);
    stream_->SetCallbacks(net::TcpStream::Callbacks{
        .on_data =
            [this](absl::Span<const uint8_t> data) { Deliver(AsText(data)); },
        .on_closed = [this](const absl::Status& status) { End(status); },
    });
    OnOpen();
  }

  void OnOpen() {
    open_ = true;
    for (const std::string& text : queued_) Write(text);
    queued_.clear();
    if (closing_) stream_->Close();
    Opened(stream_->remote_address());
  }

  void Write(absl::string_view text) {
    // A failed write means a broken stream, which on_closed reports.
    (void)stream_->Write(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  net::Network& network_;
  net::TransportAddress remote_;
  std::unique_ptr<net::TcpListener> listener_;
  std::unique_ptr<net::TcpStream> stream_;
  std::unique_ptr<net::Timer> retry_;
  std::deque<std::string> queued_;
  bool open_ = false;
  bool closing_ = false;
};

absl::Status RequireTcp(const net::TransportAddress& address) {
  if (address.protocol() != net::TransportProtocol::kTcp) {
    return absl::InvalidArgumentError(
        absl::StrCat("signalling runs over TCP, not ", address.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SignallingChannel>> SignallingChannel::Stdio(
    net::real::RealNetwork& network, size_t max_line_length,
    Callbacks callbacks) {
  auto channel = std::make_unique<StdioChannel>(network, max_line_length,
                                                std::move(callbacks));
  channel->Start();
  return channel;
}

absl::StatusOr<std::unique_ptr<SignallingChannel>> SignallingChannel::Listen(
    net::Network& network, const net::TransportAddress& local,
    size_t max_line_length, Callbacks callbacks) {
  if (absl::Status status = RequireTcp(local); !status.ok()) return status;
  auto channel = std::make_unique<TcpChannel>(network, max_line_length,
                                              std::move(callbacks));
  if (absl::Status status = channel->Listen(local); !status.ok()) {
    return status;
  }
  return channel;
}

absl::StatusOr<std::unique_ptr<SignallingChannel>> SignallingChannel::Connect(
    net::Network& network, const net::TransportAddress& remote,
    size_t max_line_length, Callbacks callbacks) {
  if (absl::Status status = RequireTcp(remote); !status.ok()) return status;
  auto channel = std::make_unique<TcpChannel>(network, max_line_length,
                                              std::move(callbacks));
  if (absl::Status status = channel->Connect(remote); !status.ok()) {
    return status;
  }
  return channel;
}

}  // namespace pinhole::tools
