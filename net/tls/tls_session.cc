#include "net/tls/tls_session.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/tls/openssl_error.h"

namespace pinhole::net::tls {
namespace {

// What a memory BIO may keep allocated while it is empty.
constexpr size_t kRetainedBioCapacity = 4 * 1024;

size_t BioCapacity(BIO* bio) {
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio, &memory);
  return memory != nullptr ? memory->max : 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsSession>> TlsSession::Create(SslPointer ssl) {
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return absl::ResourceExhaustedError("TLS: cannot allocate memory BIOs");
  }
  // An empty memory BIO reports "retry", not end of file.
  BIO_set_mem_eof_return(in, -1);
  BIO_set_mem_eof_return(out, -1);
  SSL_set_bio(ssl.get(), in, out);
  std::unique_ptr<TlsSession> session(new TlsSession(std::move(ssl)));
  session->network_in_ = in;
  session->network_out_ = out;
  return session;
}

TlsSession::TlsSession(SslPointer ssl) : ssl_(std::move(ssl)) {}

TlsSession::~TlsSession() = default;

absl::Status TlsSession::Feed(absl::Span<const uint8_t> ciphertext) {
  TrackRecords(ciphertext);
  while (!ciphertext.empty()) {
    const int chunk =
        static_cast<int>(std::min<size_t>(ciphertext.size(), 1 << 30));
    const int n = BIO_write(network_in_, ciphertext.data(), chunk);
    if (n <= 0) {
      return absl::ResourceExhaustedError(
          "TLS: cannot buffer the received bytes");
    }
    ciphertext.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status TlsSession::Handshake() {
  if (established_) return absl::OkStatus();
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  if (result == 1) {
    OnEstablished();
    return absl::OkStatus();
  }
  const int error = SSL_get_error(ssl_.get(), result);
  if (error == SSL_ERROR_WANT_READ) return absl::OkStatus();
  return Error("handshake", error);
}

void TlsSession::OnEstablished() {
  established_ = true;
  const SSL_SESSION* session = SSL_get_session(ssl_.get());
  const uint8_t mode =
      session != nullptr ? SSL_SESSION_get_max_fragment_length(session) : 0;
  if (mode >= TLSEXT_max_fragment_length_512 &&
      mode <= TLSEXT_max_fragment_length_4096) {
    record_size_ = size_t{512} << (mode - TLSEXT_max_fragment_length_512);
  }
}

absl::StatusOr<TlsSession::ReadResult> TlsSession::Read(
    absl::Span<uint8_t> buffer) {
  ReadResult result;
  if (!established_) {
    return absl::FailedPreconditionError(
        "TLS read: the handshake has not completed");
  }
  while (!peer_closed_ && result.size < buffer.size()) {
    ERR_clear_error();
    size_t n = 0;
    const int ok = SSL_read_ex(ssl_.get(), buffer.data() + result.size,
                               buffer.size() - result.size, &n);
    if (ok == 1) {
      result.size += n;
      continue;
    }
    const int error = SSL_get_error(ssl_.get(), ok);
    if (error == SSL_ERROR_WANT_READ) break;
    if (error == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      break;
    }
    return Error("read", error);
  }
  result.peer_closed = peer_closed_;
  return result;
}

absl::Status TlsSession::Write(absl::Span<const uint8_t> plaintext) {
  if (!established_) {
    return absl::FailedPreconditionError(
        "TLS write: the handshake has not completed");
  }
  // A record at a time: without SSL_MODE_ENABLE_PARTIAL_WRITE, success means
  // all of it.
  while (!plaintext.empty()) {
    const absl::Span<const uint8_t> record = plaintext.subspan(0, record_size_);
    ERR_clear_error();
    size_t written = 0;
    const int ok =
        SSL_write_ex(ssl_.get(), record.data(), record.size(), &written);
    if (ok != 1) return Error("write", SSL_get_error(ssl_.get(), ok));
    plaintext.remove_prefix(written);
  }
  return absl::OkStatus();
}

absl::Status TlsSession::Close() {
  if (close_sent_) return absl::OkStatus();
  if (!established_) {
    return absl::FailedPreconditionError(
        "TLS close: the handshake has not completed");
  }
  close_sent_ = true;
  ERR_clear_error();
  // 0 means sent and the peer's not yet seen, which is all that is wanted.
  const int result = SSL_shutdown(ssl_.get());
  if (result < 0) return Error("close", SSL_get_error(ssl_.get(), result));
  return absl::OkStatus();
}

size_t TlsSession::pending_ciphertext() const {
  return BIO_ctrl_pending(network_out_);
}

void TlsSession::TakeCiphertext(std::vector<uint8_t>& out) {
  const size_t pending = BIO_ctrl_pending(network_out_);
  if (pending == 0) return;
  const size_t start = out.size();
  out.resize(start + pending);
  size_t taken = 0;
  while (taken < pending) {
    const int n = BIO_read(network_out_, out.data() + start + taken,
                           static_cast<int>(pending - taken));
    if (n <= 0) break;
    taken += static_cast<size_t>(n);
  }
  out.resize(start + taken);
}

void TlsSession::TrackRecords(absl::Span<const uint8_t> ciphertext) {
  while (!ciphertext.empty()) {
    if (header_size_ < SSL3_RT_HEADER_LENGTH) {
      header_[header_size_++] = ciphertext.front();
      ciphertext.remove_prefix(1);
      if (header_size_ == SSL3_RT_HEADER_LENGTH) {
        body_left_ = size_t{header_[3]} << 8 | header_[4];
        if (body_left_ == 0) header_size_ = 0;
      }
      continue;
    }
    const size_t n = std::min(body_left_, ciphertext.size());
    ciphertext.remove_prefix(n);
    body_left_ -= n;
    if (body_left_ == 0) header_size_ = 0;
  }
}

bool TlsSession::HasPartialRecord() const {
  // OpenSSL may hold part of a record in its buffers or the BIO: counting
  // the records' own lengths tells exactly.
  return header_size_ != 0;
}

size_t TlsSession::WireSize(size_t size) const {
  const size_t records = (size + record_size_ - 1) / record_size_;
  return size + records * kMaxRecordOverhead;
}

std::string TlsSession::alpn_protocol() const {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &data, &length);
  if (data == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(data), length);
}

std::string TlsSession::protocol_version() const {
  return established_ ? SSL_get_version(ssl_.get()) : "";
}

void TlsSession::ReleaseIdleBuffers() {
  if (BIO_ctrl_pending(network_in_) == 0 &&
      BioCapacity(network_in_) > kRetainedBioCapacity) {
    if (BIO* fresh = BIO_new(BIO_s_mem()); fresh != nullptr) {
      BIO_set_mem_eof_return(fresh, -1);
      SSL_set0_rbio(ssl_.get(), fresh);  // Frees the old one.
      network_in_ = fresh;
    }
  }
  if (BIO_ctrl_pending(network_out_) == 0 &&
      BioCapacity(network_out_) > kRetainedBioCapacity) {
    if (BIO* fresh = BIO_new(BIO_s_mem()); fresh != nullptr) {
      BIO_set_mem_eof_return(fresh, -1);
      SSL_set0_wbio(ssl_.get(), fresh);
      network_out_ = fresh;
    }
  }
}

absl::Status TlsSession::Error(absl::string_view what, int ssl_error) const {
  std::string reasons = ssl_error == SSL_ERROR_ZERO_RETURN
                            ? "the peer sent close_notify"
                            : TakeOpenSslErrors();
  absl::StatusCode code = absl::StatusCode::kUnavailable;
  // Set only when a client checks the server and the check failed; with
  // verification off the result is recorded but ignored.
  const bool verifies = SSL_is_server(ssl_.get()) == 0 &&
                        (SSL_get_verify_mode(ssl_.get()) & SSL_VERIFY_PEER);
  const long verify_result = SSL_get_verify_result(ssl_.get());
  if (verifies && verify_result != X509_V_OK) {
    code = absl::StatusCode::kUnauthenticated;
    absl::StrAppend(&reasons, " (",
                    X509_verify_cert_error_string(verify_result), ")");
  }
  return absl::Status(code, absl::StrCat("TLS ", what, ": ", reasons));
}

}  // namespace pinhole::net::tls
