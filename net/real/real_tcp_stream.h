// `RealTcpStream`: a `net::TcpStream` over a non-blocking Linux TCP socket
// (TCP_NODELAY on), watched by an `EventLoop`.
//
// It keeps net/tcp_stream.h's contract, with the simulator's choices where the
// header leaves room (sim/tcp/host_tcp.h), so drivers see one behaviour:
// - Callbacks run in the loop's batches, never inside a method of the stream;
//   an error found inside one (`Write` meeting a reset) is reported by a
//   timer in the next batch. A callback may replace the callbacks or destroy
//   the stream.
// - `Write` is all or nothing: ResourceExhausted when more than
//   `kSendBufferLimit` bytes would be waiting (`queued_bytes()`: given to the
//   stream but not yet to the kernel); FailedPrecondition after `Close()` or
//   once the stream broke. It sends at once when nothing is queued, and what
//   the kernel does not take waits for EPOLLOUT. Bytes written while
//   connecting are sent once connected. After the peer's FIN the stream may
//   still write (half close) until `Close()`.
// - `on_data` gets at most `kReadSize` bytes a call and at most
//   `kMaxReadsPerWakeup` calls per loop batch, so one fast peer cannot starve
//   other sockets.
// - `on_closed` runs once: OK at the peer's FIN, whether or not this side
//   closed; Unavailable for a refused connect, a reset, an unreachable peer;
//   DeadlineExceeded when the kernel gives up (a connect gives up after about
//   two minutes, as Linux's tcp_syn_retries decides). Nothing follows it, and
//   a failure of the outgoing direction after an OK `on_closed` is not
//   reported (`Write` then fails).
// - `Close()`: the queued bytes are sent, then the FIN (shutdown(SHUT_WR)).
//   Before the connection is established it takes effect once it is.
// - Destroying the stream before `Close()` and before the peer's FIN aborts
//   the connection (RST), as does destroying it while connecting. Destroying
//   it after either finishes the close in the background: the loop keeps
//   sending what is queued, then the FIN (see tcp_linger.h).
#ifndef PINHOLE_NET_REAL_REAL_TCP_STREAM_H_
#define PINHOLE_NET_REAL_REAL_TCP_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/loop_timer.h"
#include "net/real/scoped_fd.h"
#include "net/real/send_queue.h"
#include "net/tcp_stream.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

class RealTcpStream final : public TcpStream, private FdHandler {
 public:
  static constexpr size_t kSendBufferLimit = size_t{4} << 20;
  static constexpr size_t kReadSize = 64 * 1024;
  static constexpr int kMaxReadsPerWakeup = 4;

  // Starts connecting from `local` to `remote`, both TCP addresses of one
  // family (`local` may be the unspecified address and port 0). Errors here
  // mean the attempt could not start: a bad address (InvalidArgument), a
  // local address in use (AlreadyExists), no route (Unavailable), no local
  // port left (ResourceExhausted). A refusal is reported by `on_closed`.
  static absl::StatusOr<std::unique_ptr<RealTcpStream>> Connect(
      EventLoop& loop, const TransportAddress& local,
      const TransportAddress& remote, Callbacks callbacks);

  // A connection a listener accepted on `fd` from `remote`; it has no
  // callbacks until `SetCallbacks`, and delivers nothing before the batch
  // after this one.
  static absl::StatusOr<std::unique_ptr<RealTcpStream>> Accepted(
      EventLoop& loop, ScopedFd fd, const TransportAddress& remote);

  RealTcpStream(const RealTcpStream&) = delete;
  RealTcpStream& operator=(const RealTcpStream&) = delete;
  ~RealTcpStream() override;

  void SetCallbacks(Callbacks callbacks) override;
  TransportAddress local_address() const override { return local_; }
  TransportAddress remote_address() const override { return remote_; }
  absl::Status Write(absl::Span<const uint8_t> data) override;
  size_t queued_bytes() const override { return queue_.size(); }
  void Close() override;

 private:
  RealTcpStream(EventLoop& loop, ScopedFd fd, const TransportAddress& local,
                const TransportAddress& remote, Callbacks callbacks,
                bool connecting);

  void OnFdEvents(uint32_t events) override;
  void FinishConnect(uint32_t events, const Liveness::Scope& scope);
  void ReadSome(const Liveness::Scope& scope);
  // Sends what is queued, then the FIN once `Close()` asked for it.
  void Flush(const Liveness::Scope& scope);
  void ShutdownIfDone();
  // Watches for what the stream now waits for; stops watching when nothing.
  void UpdateInterest();

  // The stream broke, found during a batch: reports it now.
  void Fail(const absl::Status& status, const Liveness::Scope& scope);
  // The stream broke, found inside a method: reports it in the next batch.
  void FailLater(const absl::Status& status);
  void ReportClosed(const absl::Status& status, const Liveness::Scope& scope);
  void DeliverDeferredClose();
  // Runs one callback so that it may replace the callbacks or destroy the
  // stream.
  template <typename Member, typename... Args>
  void Invoke(Member member, const Liveness::Scope& scope, Args&&... args);

  // "TCP 192.0.2.1:5000 -> 198.51.100.1:443: `what`: <the error>".
  absl::Status Error(int error_number, absl::string_view what) const;
  std::string Describe() const;

  EventLoop& loop_;
  ScopedFd fd_;
  FdWatch watch_;  // After `fd_`: stops watching before the socket closes.
  TransportAddress local_;
  const TransportAddress remote_;
  Callbacks callbacks_;
  uint64_t callbacks_version_ = 0;
  SendQueue queue_;
  bool connecting_;
  bool close_requested_ = false;  // Close() was called.
  bool write_shut_ = false;       // The FIN was handed to the kernel.
  bool read_ended_ = false;       // The peer's FIN was read.
  bool closed_reported_ = false;  // on_closed ran or is due.
  bool broken_ = false;           // The socket is of no further use.
  std::optional<absl::Status> deferred_close_;
  LoopTimer deferred_;  // Delivers `deferred_close_`.
  Liveness liveness_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_REAL_TCP_STREAM_H_
