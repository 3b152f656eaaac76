#include "net/real/real_tls_stream.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/ssl3.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/real_tcp_stream.h"
#include "net/real/tls_context.h"
#include "net/time.h"
#include "net/tls/openssl_error.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

using ::pinhole::net::tls::TakeOpenSslErrors;
namespace {

// A record's header plus the most its protection adds (IV, MAC or tag,
// padding), whatever the cipher suite.
constexpr size_t kMaxRecordOverhead =
    SSL3_RT_HEADER_LENGTH + SSL3_RT_MAX_ENCRYPTED_OVERHEAD;
// What a memory BIO may keep allocated while it is empty.
constexpr size_t kRetainedBioCapacity = 4 * 1024;

TransportAddress WithProtocol(const TransportAddress& address,
                              TransportProtocol protocol) {
  return TransportAddress(address.ip(), address.port(), protocol);
}

absl::Status CheckConnect(const TransportAddress& local,
                          const TransportAddress& remote) {
  if (local.protocol() != TransportProtocol::kTls ||
      remote.protocol() != TransportProtocol::kTls) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot connect TLS from ", local.ToString(), " to ",
                     remote.ToString(), ": both must be TLS addresses"));
  }
  return absl::OkStatus();
}

size_t BioCapacity(BIO* bio) {
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio, &memory);
  return memory != nullptr ? memory->max : 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RealTlsStream>> RealTlsStream::Connect(
    EventLoop& loop, std::shared_ptr<const TlsContext> context,
    const TransportAddress& local, const TransportAddress& remote,
    Callbacks callbacks) {
  if (absl::Status s = CheckConnect(local, remote); !s.ok()) return s;
  absl::StatusOr<SslPtr> ssl = context->NewConnection(remote.ip());
  if (!ssl.ok()) return ssl.status();
  std::unique_ptr<RealTlsStream> stream(new RealTlsStream(
      loop, std::move(context), *std::move(ssl), std::move(callbacks)));
  if (absl::Status s = stream->AttachBios(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<RealTcpStream>> tcp = RealTcpStream::Connect(
      loop, WithProtocol(local, TransportProtocol::kTcp),
      WithProtocol(remote, TransportProtocol::kTcp), stream->TcpCallbacks());
  if (!tcp.ok()) return tcp.status();
  stream->tcp_ = *std::move(tcp);
  return stream;
}

absl::StatusOr<std::unique_ptr<RealTlsStream>> RealTlsStream::Accept(
    EventLoop& loop, std::shared_ptr<const TlsContext> context,
    std::unique_ptr<TcpStream> tcp, Callbacks callbacks) {
  absl::StatusOr<SslPtr> ssl =
      context->NewConnection(tcp->remote_address().ip());
  if (!ssl.ok()) return ssl.status();
  std::unique_ptr<RealTlsStream> stream(new RealTlsStream(
      loop, std::move(context), *std::move(ssl), std::move(callbacks)));
  if (absl::Status s = stream->AttachBios(); !s.ok()) return s;
  tcp->SetCallbacks(stream->TcpCallbacks());
  stream->tcp_ = std::move(tcp);
  // The client speaks first; the server only waits for its hello.
  stream->StartHandshakeTimer();
  return stream;
}

RealTlsStream::RealTlsStream(EventLoop& loop,
                             std::shared_ptr<const TlsContext> context,
                             SslPtr ssl, Callbacks callbacks)
    : loop_(loop),
      context_(std::move(context)),
      ssl_(std::move(ssl)),
      callbacks_(std::move(callbacks)),
      record_size_(SSL3_RT_MAX_PLAIN_LENGTH),
      deferred_(loop, [this] { DeliverDeferredClose(); }),
      handshake_timer_(loop, [this] { OnHandshakeTimeout(); }) {}

RealTlsStream::~RealTlsStream() {
  // An orderly end finishes in the background: the TCP stream, destroyed
  // after `Close()`, still sends what it holds (close_notify last), then the
  // FIN. Any other end aborts it.
  if (tcp_ != nullptr && established_ && !failed_ && !close_sent_ &&
      (close_requested_ || peer_ended_)) {
    SendClose().IgnoreError();
  }
}

absl::Status RealTlsStream::AttachBios() {
  network_in_ = BIO_new(BIO_s_mem());
  network_out_ = BIO_new(BIO_s_mem());
  if (network_in_ == nullptr || network_out_ == nullptr) {
    BIO_free(network_in_);
    BIO_free(network_out_);
    network_in_ = network_out_ = nullptr;
    return absl::ResourceExhaustedError("TLS: cannot allocate memory BIOs");
  }
  SSL_set_bio(ssl_.get(), network_in_, network_out_);
  return absl::OkStatus();
}

TcpStream::Callbacks RealTlsStream::TcpCallbacks() {
  return {
      .on_connected = [this] { OnTcpConnected(); },
      .on_data = [this](absl::Span<const uint8_t> data) { OnTcpData(data); },
      .on_closed = [this](const absl::Status& status) { OnTcpClosed(status); },
  };
}

void RealTlsStream::SetCallbacks(Callbacks callbacks) {
  callbacks_ = std::move(callbacks);
  ++callbacks_version_;
}

TransportAddress RealTlsStream::local_address() const {
  return WithProtocol(tcp_->local_address(), TransportProtocol::kTls);
}

TransportAddress RealTlsStream::remote_address() const {
  return WithProtocol(tcp_->remote_address(), TransportProtocol::kTls);
}

absl::Status RealTlsStream::Write(absl::Span<const uint8_t> data) {
  if (failed_ || close_requested_) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(), ": the stream is closing or closed"));
  }
  if (data.empty()) return absl::OkStatus();
  const size_t wire = WireSize(data.size());
  const size_t queued = QueuedWireBytes();
  if (queued > kSendBufferLimit || wire > kSendBufferLimit - queued) {
    return absl::ResourceExhaustedError(
        absl::StrCat(Describe(), ": ", data.size(), " bytes (", wire,
                     " as TLS records) do not fit in the send buffer (",
                     queued < kSendBufferLimit ? kSendBufferLimit - queued : 0,
                     " of ", kSendBufferLimit, " free)"));
  }
  if (!established_) {
    pending_.Append(data);
    pending_wire_bytes_ += wire;
    return absl::OkStatus();
  }
  if (absl::Status s = Encrypt(data); !s.ok()) {
    FailLater(s);
    return s;
  }
  return absl::OkStatus();
}

size_t RealTlsStream::queued_bytes() const {
  return pending_.size() + tcp_->queued_bytes();
}

void RealTlsStream::Close() {
  if (close_requested_ || failed_) return;
  close_requested_ = true;
  if (!established_) return;  // OnEstablished sends it.
  if (absl::Status s = SendClose(); !s.ok()) FailLater(s);
}

std::string RealTlsStream::alpn_protocol() const {
  const unsigned char* name = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &name, &length);
  if (name == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(name), length);
}

void RealTlsStream::OnTcpConnected() {
  Liveness::Scope scope(liveness_);
  StartHandshakeTimer();
  DriveHandshake(scope);  // Sends the ClientHello.
}

void RealTlsStream::OnTcpData(absl::Span<const uint8_t> data) {
  if (failed_ || peer_ended_) return;  // Nothing more is read.
  Liveness::Scope scope(liveness_);
  // `data` is in the loop's receive buffer, which ReadPlaintext reuses for
  // the plaintext: the BIO takes a copy of all of it first.
  ERR_clear_error();
  if (BIO_write(network_in_, data.data(), static_cast<int>(data.size())) !=
      static_cast<int>(data.size())) {
    Fail(absl::ResourceExhaustedError(
             absl::StrCat(Describe(), ": cannot buffer ", data.size(),
                          " received bytes: ", TakeOpenSslErrors())),
         scope);
    return;
  }
  if (!established_) {
    DriveHandshake(scope);  // Reads what follows the handshake, if it ends.
  } else {
    ReadPlaintext(scope);
  }
  if (!scope.alive()) return;
  ReleaseIdleBuffers();
}

void RealTlsStream::OnTcpClosed(const absl::Status& status) {
  Liveness::Scope scope(liveness_);
  if (closed_reported_) return;
  if (!status.ok()) {
    // TCP broke: nothing more can be sent.
    failed_ = true;
    pending_.Clear();
    ReportClosed(status, scope);
    return;
  }
  if (!established_) {
    Fail(absl::UnavailableError(
             absl::StrCat(Describe(),
                          ": the peer closed the connection during the TLS "
                          "handshake")),
         scope);
    return;
  }
  // With read-ahead off, OpenSSL takes a record from the BIO piece by piece:
  // a partial one may be in either.
  if (BIO_ctrl_pending(network_in_) > 0 || SSL_has_pending(ssl_.get()) == 1) {
    Fail(absl::DataLossError(absl::StrCat(
             Describe(), ": the peer closed the connection in the middle of a ",
             "TLS record")),
         scope);
    return;
  }
  peer_ended_ = true;
  ReportClosed(absl::OkStatus(), scope);
}

void RealTlsStream::OnHandshakeTimeout() {
  Liveness::Scope scope(liveness_);
  if (established_ || closed_reported_) return;
  Fail(absl::DeadlineExceededError(absl::StrCat(
           Describe(), ": the TLS handshake did not complete within ",
           context_->handshake_timeout() / Duration::Milliseconds(1), " ms")),
       scope);
}

void RealTlsStream::StartHandshakeTimer() {
  handshake_timer_.SetAt(loop_.Now() + context_->handshake_timeout());
}

void RealTlsStream::DriveHandshake(const Liveness::Scope& scope) {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  absl::Status status;
  if (result != 1) {
    const int error = SSL_get_error(ssl_.get(), result);
    if (error != SSL_ERROR_WANT_READ) status = TlsError("handshake", error);
  }
  // What the handshake wrote goes out, an alert included.
  if (absl::Status s = PushRecords(); !s.ok() && status.ok()) status = s;
  if (!status.ok()) {
    Fail(status, scope);
    return;
  }
  if (result == 1) OnEstablished(scope);
}

void RealTlsStream::OnEstablished(const Liveness::Scope& scope) {
  established_ = true;
  handshake_timer_.Cancel();
  const SSL_SESSION* session = SSL_get_session(ssl_.get());
  const uint8_t mode =
      session != nullptr ? SSL_SESSION_get_max_fragment_length(session) : 0;
  if (mode >= TLSEXT_max_fragment_length_512 &&
      mode <= TLSEXT_max_fragment_length_4096) {
    record_size_ = size_t{512} << (mode - TLSEXT_max_fragment_length_512);
  }
  // What was written while connecting goes before anything written from
  // `on_connected`.
  if (!pending_.empty()) {
    SendQueue pending = std::move(pending_);
    pending_wire_bytes_ = 0;
    if (absl::Status s = Encrypt(pending.front()); !s.ok()) {
      Fail(s, scope);
      return;
    }
  }
  if (close_requested_) {
    if (absl::Status s = SendClose(); !s.ok()) {
      Fail(s, scope);
      return;
    }
  }
  Invoke(&Callbacks::on_connected, scope);
  if (!scope.alive() || failed_) return;
  // Data may have come with the end of the handshake.
  ReadPlaintext(scope);
}

void RealTlsStream::ReadPlaintext(const Liveness::Scope& scope) {
  const absl::Span<uint8_t> buffer =
      loop_.receive_buffer().subspan(0, kReadSize);
  while (!failed_ && !peer_ended_) {
    size_t filled = 0;
    int error = SSL_ERROR_NONE;
    while (filled < buffer.size()) {
      ERR_clear_error();
      size_t n = 0;
      const int result = SSL_read_ex(ssl_.get(), buffer.data() + filled,
                                     buffer.size() - filled, &n);
      if (result != 1) {
        error = SSL_get_error(ssl_.get(), result);
        break;
      }
      filled += n;
    }
    absl::Status status;
    if (error != SSL_ERROR_NONE && error != SSL_ERROR_WANT_READ &&
        error != SSL_ERROR_ZERO_RETURN) {
      status = TlsError("read", error);
    }
    // Reading may have written: a TLS 1.3 KeyUpdate answer, an alert.
    if (absl::Status s = PushRecords(); !s.ok() && status.ok()) status = s;
    if (filled > 0) {
      Invoke(&Callbacks::on_data, scope,
             absl::MakeConstSpan(buffer.data(), filled));
      // A write inside the callback may have found the stream broken.
      if (!scope.alive() || failed_) return;
    }
    if (!status.ok()) {
      Fail(status, scope);
      return;
    }
    if (error == SSL_ERROR_ZERO_RETURN) {  // close_notify.
      peer_ended_ = true;
      ReportClosed(absl::OkStatus(), scope);
      return;
    }
    if (error == SSL_ERROR_WANT_READ) return;
    // The buffer filled up: more may be waiting.
  }
}

absl::Status RealTlsStream::Encrypt(absl::Span<const uint8_t> data) {
  // A record at a time, so that the outgoing BIO never holds more than one.
  while (!data.empty()) {
    const absl::Span<const uint8_t> record = data.subspan(0, record_size_);
    ERR_clear_error();
    size_t written = 0;
    const int result =
        SSL_write_ex(ssl_.get(), record.data(), record.size(), &written);
    if (result != 1) {
      return TlsError("write", SSL_get_error(ssl_.get(), result));
    }
    // Without SSL_MODE_ENABLE_PARTIAL_WRITE, success means all of it.
    data.remove_prefix(written);
    if (absl::Status s = PushRecords(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RealTlsStream::PushRecords() {
  uint8_t chunk[SSL3_RT_MAX_PLAIN_LENGTH];
  absl::Status status;
  for (;;) {
    const int n = BIO_read(network_out_, chunk, sizeof(chunk));
    if (n <= 0) break;
    // The TCP stream copies what it cannot send at once. Its send buffer has
    // room for what `Write` admitted plus `kControlReserve`; a failure means
    // it broke (and reports it), or a peer made the TLS layer answer far
    // more than it reads.
    if (status.ok()) {
      status = tcp_->Write(absl::MakeConstSpan(chunk, static_cast<size_t>(n)));
    }
  }
  return status;
}

absl::Status RealTlsStream::SendClose() {
  close_sent_ = true;
  ERR_clear_error();
  // 0 means sent and the peer's not yet seen, which is all that is wanted:
  // the peer's close_notify is awaited by reading, as any data.
  const int result = SSL_shutdown(ssl_.get());
  absl::Status status;
  if (result < 0) {
    status = TlsError("close", SSL_get_error(ssl_.get(), result));
  }
  if (absl::Status s = PushRecords(); !s.ok() && status.ok()) status = s;
  tcp_->Close();
  return status;
}

void RealTlsStream::ReleaseIdleBuffers() {
  if (BIO_ctrl_pending(network_in_) == 0 &&
      BioCapacity(network_in_) > kRetainedBioCapacity) {
    if (BIO* fresh = BIO_new(BIO_s_mem()); fresh != nullptr) {
      SSL_set0_rbio(ssl_.get(), fresh);  // Frees the old one.
      network_in_ = fresh;
    }
  }
  if (BIO_ctrl_pending(network_out_) == 0 &&
      BioCapacity(network_out_) > kRetainedBioCapacity) {
    if (BIO* fresh = BIO_new(BIO_s_mem()); fresh != nullptr) {
      SSL_set0_wbio(ssl_.get(), fresh);
      network_out_ = fresh;
    }
  }
}

size_t RealTlsStream::WireSize(size_t size) const {
  const size_t records = (size + record_size_ - 1) / record_size_;
  return size + records * kMaxRecordOverhead;
}

size_t RealTlsStream::QueuedWireBytes() const {
  return pending_wire_bytes_ + tcp_->queued_bytes();
}

absl::Status RealTlsStream::TlsError(absl::string_view what,
                                     int ssl_error) const {
  std::string reasons;
  switch (ssl_error) {
    case SSL_ERROR_ZERO_RETURN:
      reasons = "the peer sent close_notify";
      break;
    case SSL_ERROR_SSL:
    case SSL_ERROR_SYSCALL:
    default:
      reasons = TakeOpenSslErrors();
      break;
  }
  absl::StatusCode code = absl::StatusCode::kUnavailable;
  // Set only when the client checks the server and the check failed; with
  // verification off the result is recorded but ignored.
  if (!context_->is_server() && context_->verifies_peer() &&
      SSL_get_verify_result(ssl_.get()) != X509_V_OK) {
    code = absl::StatusCode::kUnauthenticated;
    absl::StrAppend(
        &reasons, " (",
        X509_verify_cert_error_string(SSL_get_verify_result(ssl_.get())), ")");
  }
  return absl::Status(code,
                      absl::StrCat(Describe(), ": TLS ", what, ": ", reasons));
}

void RealTlsStream::Fail(const absl::Status& status,
                         const Liveness::Scope& scope) {
  AbandonTcp();
  ReportClosed(status, scope);
}

void RealTlsStream::FailLater(const absl::Status& status) {
  AbandonTcp();
  if (closed_reported_) return;
  closed_reported_ = true;
  deferred_close_ = status;
  deferred_.SetAt(Time());  // In the past: the next batch.
}

void RealTlsStream::AbandonTcp() {
  if (failed_) return;
  failed_ = true;
  pending_.Clear();
  pending_wire_bytes_ = 0;
  handshake_timer_.Cancel();
  PushRecords().IgnoreError();
  tcp_->Close();
}

void RealTlsStream::ReportClosed(const absl::Status& status,
                                 const Liveness::Scope& scope) {
  if (closed_reported_) return;
  closed_reported_ = true;
  handshake_timer_.Cancel();
  Invoke(&Callbacks::on_closed, scope, status);
}

void RealTlsStream::DeliverDeferredClose() {
  if (!deferred_close_.has_value()) return;
  const absl::Status status = *std::move(deferred_close_);
  deferred_close_.reset();
  Liveness::Scope scope(liveness_);
  Invoke(&Callbacks::on_closed, scope, status);
}

template <typename Member, typename... Args>
void RealTlsStream::Invoke(Member member, const Liveness::Scope& scope,
                           Args&&... args) {
  InvokeHeldCallback(callbacks_, callbacks_version_, member, scope,
                     std::forward<Args>(args)...);
}

std::string RealTlsStream::Describe() const {
  return absl::StrCat("TLS ", tcp_->local_address().HostPort(), " -> ",
                      tcp_->remote_address().HostPort());
}

}  // namespace pinhole::net::real
