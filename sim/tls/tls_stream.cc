#include "sim/tls/tls_stream.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/tls/tls_session.h"
#include "net/transport_address.h"
#include "sim/host.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tls/tls_environment.h"

namespace pinhole::sim::tls {
namespace {

net::TransportAddress WithProtocol(const net::TransportAddress& address,
                                   net::TransportProtocol protocol) {
  return net::TransportAddress(address.ip(), address.port(), protocol);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsStream>> TlsStream::Connect(
    Host& host, std::shared_ptr<TcpLink> link,
    std::shared_ptr<const TlsEnvironment> environment,
    const net::TransportAddress& local, const net::TransportAddress& remote,
    Callbacks callbacks) {
  if (local.protocol() != net::TransportProtocol::kTls ||
      remote.protocol() != net::TransportProtocol::kTls) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot connect TLS from ", local.ToString(), " to ",
                     remote.ToString(), ": both must be TLS addresses"));
  }
  if (link->tcp == nullptr) {
    return absl::FailedPreconditionError("the host's TCP is gone");
  }
  absl::StatusOr<std::unique_ptr<net::tls::TlsSession>> session =
      environment->NewClientSession(remote.ip(), host.clock().Now());
  if (!session.ok()) return session.status();
  tcp::HostTcp& tcp = *link->tcp;
  std::unique_ptr<TlsStream> stream(
      new TlsStream(host, std::move(link), std::move(environment),
                    *std::move(session), std::move(callbacks)));
  absl::StatusOr<std::unique_ptr<net::TcpStream>> connection =
      tcp.Connect(WithProtocol(local, net::TransportProtocol::kTcp),
                  WithProtocol(remote, net::TransportProtocol::kTcp),
                  stream->TcpCallbacks());
  if (!connection.ok()) return connection.status();
  stream->tcp_ = *std::move(connection);
  return stream;
}

absl::StatusOr<std::unique_ptr<TlsStream>> TlsStream::Accept(
    Host& host, std::shared_ptr<TcpLink> link,
    std::shared_ptr<const TlsEnvironment> environment,
    std::unique_ptr<net::TcpStream> tcp, Callbacks callbacks) {
  absl::StatusOr<std::unique_ptr<net::tls::TlsSession>> session =
      environment->NewServerSession();
  if (!session.ok()) return session.status();
  std::unique_ptr<TlsStream> stream(
      new TlsStream(host, std::move(link), std::move(environment),
                    *std::move(session), std::move(callbacks)));
  tcp->SetCallbacks(stream->TcpCallbacks());
  stream->tcp_ = std::move(tcp);
  // The client speaks first; the server only waits for its hello.
  stream->StartHandshakeTimer();
  return stream;
}

TlsStream::TlsStream(Host& host, std::shared_ptr<TcpLink> link,
                     std::shared_ptr<const TlsEnvironment> environment,
                     std::unique_ptr<net::tls::TlsSession> session,
                     Callbacks callbacks)
    : host_(host),
      link_(std::move(link)),
      environment_(std::move(environment)),
      session_(std::move(session)),
      callbacks_(std::move(callbacks)),
      deferred_(host.CreateTimer([this] { DeliverDeferredClose(); })),
      handshake_timer_(host.CreateTimer([this] { OnHandshakeTimeout(); })) {}

TlsStream::~TlsStream() {
  // An orderly end finishes in the background: the TCP stream, destroyed
  // after `Close()`, still sends what it holds (close_notify last), then the
  // FIN. Any other end aborts it.
  if (tcp_ != nullptr && established_ && !failed_ && !close_sent_ &&
      (close_requested_ || peer_ended_)) {
    SendClose().IgnoreError();
  }
}

net::TcpStream::Callbacks TlsStream::TcpCallbacks() {
  return {
      .on_connected = [this] { OnTcpConnected(); },
      .on_data = [this](absl::Span<const uint8_t> data) { OnTcpData(data); },
      .on_closed = [this](const absl::Status& status) { OnTcpClosed(status); },
  };
}

void TlsStream::SetCallbacks(Callbacks callbacks) {
  callbacks_ = std::move(callbacks);
  ++callbacks_version_;
}

net::TransportAddress TlsStream::local_address() const {
  return WithProtocol(tcp_->local_address(), net::TransportProtocol::kTls);
}

net::TransportAddress TlsStream::remote_address() const {
  return WithProtocol(tcp_->remote_address(), net::TransportProtocol::kTls);
}

size_t TlsStream::SendBufferSpace() const {
  return link_->tcp != nullptr ? link_->tcp->SendBufferSpace(*tcp_) : 0;
}

absl::Status TlsStream::Write(absl::Span<const uint8_t> data) {
  if (failed_ || close_requested_ || link_->tcp == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(), ": the stream is closing or closed"));
  }
  if (data.empty()) return absl::OkStatus();
  const size_t wire = session_->WireSize(data.size());
  const size_t space = SendBufferSpace();
  const size_t taken = kControlReserve + pending_wire_bytes_;
  const size_t room = space > taken ? space - taken : 0;
  if (wire > room) {
    return absl::ResourceExhaustedError(absl::StrCat(
        Describe(), ": ", data.size(), " bytes (", wire,
        " as TLS records) do not fit in the send buffer (", room, " free)"));
  }
  if (!established_) {
    pending_.insert(pending_.end(), data.begin(), data.end());
    pending_wire_bytes_ += wire;
    return absl::OkStatus();
  }
  if (absl::Status s = Encrypt(data); !s.ok()) {
    const absl::Status described = Described(s);
    FailLater(described);
    return described;
  }
  return absl::OkStatus();
}

size_t TlsStream::queued_bytes() const {
  return pending_wire_bytes_ + (tcp_ != nullptr ? tcp_->queued_bytes() : 0);
}

void TlsStream::Close() {
  if (close_requested_) return;
  close_requested_ = true;
  if (failed_ || !established_) return;  // Sent once established.
  if (absl::Status s = SendClose(); !s.ok()) FailLater(Described(s));
}

std::string TlsStream::protocol_version() const {
  return session_->protocol_version();
}

void TlsStream::OnTcpConnected() {
  const Alive alive = alive_;
  StartHandshakeTimer();
  DriveHandshake(alive);
}

void TlsStream::OnTcpData(absl::Span<const uint8_t> data) {
  if (failed_ || closed_reported_) return;
  const Alive alive = alive_;
  if (absl::Status s = session_->Feed(data); !s.ok()) {
    Fail(Described(s), alive);
    return;
  }
  if (!established_) {
    DriveHandshake(alive);
  } else {
    ReadPlaintext(alive);
  }
  if (alive.expired()) return;
  if (!failed_ && session_->pending_ciphertext() == 0) {
    session_->ReleaseIdleBuffers();
  }
}

void TlsStream::OnTcpClosed(const absl::Status& status) {
  const Alive alive = alive_;
  if (!status.ok()) {
    // TCP broke: nothing more can be sent.
    failed_ = true;
    pending_.clear();
    pending_wire_bytes_ = 0;
    ReportClosed(status, alive);
    return;
  }
  if (failed_ || closed_reported_) return;
  if (!established_) {
    Fail(absl::UnavailableError(absl::StrCat(
             Describe(),
             ": the peer closed the connection during the TLS handshake")),
         alive);
    return;
  }
  if (session_->HasPartialRecord()) {
    Fail(absl::DataLossError(absl::StrCat(
             Describe(),
             ": the peer closed the connection in the middle of a TLS "
             "record")),
         alive);
    return;
  }
  peer_ended_ = true;
  ReportClosed(absl::OkStatus(), alive);
}

void TlsStream::OnHandshakeTimeout() {
  if (established_ || closed_reported_) return;
  const Alive alive = alive_;
  Fail(absl::DeadlineExceededError(absl::StrCat(
           Describe(), ": the TLS handshake did not complete within ",
           environment_->config().handshake_timeout /
               net::Duration::Milliseconds(1),
           " ms")),
       alive);
}

void TlsStream::StartHandshakeTimer() {
  handshake_timer_->SetAt(host_.clock().Now() +
                          environment_->config().handshake_timeout);
}

void TlsStream::DriveHandshake(const Alive& alive) {
  absl::Status status = session_->Handshake();
  // What the handshake wrote goes out, an alert included.
  if (absl::Status s = PushRecords(); !s.ok() && status.ok()) status = s;
  if (!status.ok()) {
    Fail(Described(status), alive);
    return;
  }
  if (session_->established()) OnEstablished(alive);
}

void TlsStream::OnEstablished(const Alive& alive) {
  established_ = true;
  handshake_timer_->Cancel();
  // What was written while connecting goes before anything written from
  // `on_connected`.
  if (!pending_.empty()) {
    std::vector<uint8_t> pending = std::move(pending_);
    pending_.clear();
    pending_wire_bytes_ = 0;
    if (absl::Status s = Encrypt(pending); !s.ok()) {
      Fail(Described(s), alive);
      return;
    }
  }
  if (close_requested_) {
    if (absl::Status s = SendClose(); !s.ok()) {
      Fail(Described(s), alive);
      return;
    }
  }
  Invoke(&Callbacks::on_connected, alive);
  if (alive.expired() || failed_) return;
  // Data may have come with the end of the handshake.
  ReadPlaintext(alive);
}

void TlsStream::ReadPlaintext(const Alive& alive) {
  std::array<uint8_t, kReadSize> buffer;
  while (!failed_ && !peer_ended_) {
    absl::StatusOr<net::tls::TlsSession::ReadResult> read =
        session_->Read(absl::MakeSpan(buffer));
    absl::Status status = read.status();
    // Reading may have written: a TLS 1.3 KeyUpdate answer, an alert.
    if (absl::Status s = PushRecords(); !s.ok() && status.ok()) status = s;
    if (read.ok() && read->size > 0) {
      Invoke(&Callbacks::on_data, alive,
             absl::MakeConstSpan(buffer.data(), read->size));
      // A write inside the callback may have found the stream broken.
      if (alive.expired() || failed_) return;
    }
    if (!status.ok()) {
      Fail(Described(status), alive);
      return;
    }
    if (read->peer_closed) {  // close_notify.
      peer_ended_ = true;
      ReportClosed(absl::OkStatus(), alive);
      return;
    }
    if (read->size < buffer.size()) return;
    // The buffer filled up: more may be waiting.
  }
}

absl::Status TlsStream::Encrypt(absl::Span<const uint8_t> data) {
  if (absl::Status s = session_->Write(data); !s.ok()) return s;
  return PushRecords();
}

absl::Status TlsStream::PushRecords() {
  records_.clear();
  session_->TakeCiphertext(records_);
  if (records_.empty()) return absl::OkStatus();
  // `Write` admitted only what fits with `kControlReserve` to spare, so a
  // failure means TCP broke (and reports it), or a peer made the TLS layer
  // answer far more than it reads.
  absl::Status status = tcp_->Write(records_);
  records_.clear();
  if (records_.capacity() > kReadSize) records_.shrink_to_fit();
  return status;
}

absl::Status TlsStream::SendClose() {
  close_sent_ = true;
  absl::Status status = session_->Close();
  if (absl::Status s = PushRecords(); !s.ok() && status.ok()) status = s;
  tcp_->Close();
  return status;
}

absl::Status TlsStream::Described(const absl::Status& status) const {
  return absl::Status(status.code(),
                      absl::StrCat(Describe(), ": ", status.message()));
}

void TlsStream::Fail(const absl::Status& status, const Alive& alive) {
  AbandonTcp();
  ReportClosed(status, alive);
}

void TlsStream::FailLater(const absl::Status& status) {
  AbandonTcp();
  if (closed_reported_) return;
  closed_reported_ = true;
  deferred_close_ = status;
  deferred_->SetAt(host_.clock().Now());
}

void TlsStream::AbandonTcp() {
  if (failed_) return;
  failed_ = true;
  pending_.clear();
  pending_wire_bytes_ = 0;
  handshake_timer_->Cancel();
  PushRecords().IgnoreError();
  tcp_->Close();
}

void TlsStream::ReportClosed(const absl::Status& status, const Alive& alive) {
  if (closed_reported_) return;
  closed_reported_ = true;
  handshake_timer_->Cancel();
  Invoke(&Callbacks::on_closed, alive, status);
}

void TlsStream::DeliverDeferredClose() {
  if (!deferred_close_.has_value()) return;
  const absl::Status status = *std::move(deferred_close_);
  deferred_close_.reset();
  const Alive alive = alive_;
  Invoke(&Callbacks::on_closed, alive, status);
}

template <typename Member, typename... Args>
void TlsStream::Invoke(Member member, const Alive& alive, Args&&... args) {
  // Held here while it runs, so that it may replace the callbacks or destroy
  // the stream; put back only when neither happened.
  auto callback = std::move(callbacks_.*member);
  if (!callback) return;
  const uint64_t before = callbacks_version_;
  callback(std::forward<Args>(args)...);
  if (!alive.expired() && callbacks_version_ == before) {
    callbacks_.*member = std::move(callback);
  }
}

std::string TlsStream::Describe() const {
  return absl::StrCat("TLS ", tcp_->local_address().HostPort(), " -> ",
                      tcp_->remote_address().HostPort());
}

}  // namespace pinhole::sim::tls
