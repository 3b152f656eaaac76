// `Connection`: one end of a simulated TCP connection, as a sans-IO engine.
//
// It owns no socket, clock or timer. The host (a simulated host's TCP layer)
// keeps one per 4-tuple and follows one contract, "mutate → drain → wait":
//
// 1. Mutate: call one input, always with the current simulated time:
//    `HandleSegment` (a segment for this 4-tuple arrived), `HandleTimeout`
//    (the instant `NextTimeout()` named has come), `Write`, `Close`, `Abort`.
// 2. Drain: call `PollTransmit()` until empty, putting each segment on the
//    network (ids are left 0 for the simulator to assign), and `PollEvent()`
//    until empty. Once `IsClosed()`, the 4-tuple is free: drop the connection
//    (later segments for it are answered with `MakeReset`, see segment.h).
// 3. Wait: arm one timer at `NextTimeout()` (re-read after every input; it
//    may move or vanish) and call `HandleTimeout` when it fires.
//
// Every input that can send takes `now` (unlike a socket's `write()`): the
// retransmission timer and the round-trip sample start at the instant a
// segment leaves, and an engine never reads a clock. `Abort` sends a RST and
// starts nothing, so it needs none.
//
// What is modelled (RFC 9293 unless noted): the three-way handshake and
// simultaneous open; caller-chosen initial sequence numbers; MSS-sized
// segments (MSS configured, not negotiated); a fixed send window bounded by
// the peer's advertised window; cumulative ACKs, one per segment received (no
// delayed ACK); retransmission timeout per RFC 6298 with Karn's rule and
// backoff; fast retransmit on the third duplicate ACK and NewReno-style
// retransmission of the next hole on each partial ACK (RFC 6582 §3.2, without
// its congestion window); an out-of-order buffer bounded by the receive
// window; half close; RST in every state; sequence numbers modulo 2^32.
// Not modelled: congestion control, TCP options (MSS, window scale, SACK,
// timestamps), urgent data, zero-window probing (this engine hands received
// bytes to the application at once, so it never advertises less than its
// configured window), keep-alive, FIN-WAIT-2 timeout. See README.md.
#ifndef PINHOLE_SIM_TCP_CONNECTION_H_
#define PINHOLE_SIM_TCP_CONNECTION_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/packet.h"
#include "sim/tcp/reassembly.h"
#include "sim/tcp/rto_estimator.h"

namespace pinhole::sim::tcp {

struct Config {
  // Payload bytes per segment. The host picks one that fits the path:
  // `MssForMtu(mtu, family)` (1460 for IPv4, 1440 for IPv6 at MTU 1500).
  size_t mss = 1460;
  // Bytes `Write` holds (unacknowledged plus not yet sent).
  size_t send_buffer_size = 256 * 1024;
  // Most bytes in flight; the peer's advertised window lowers it further.
  // There is no window scaling, so 65535 is the largest.
  uint16_t send_window = 65535;
  // The window advertised to the peer; also bounds the out-of-order buffer.
  // Must be at least 1.
  uint16_t receive_window = 65535;
  // RFC 6298: initial RTO (§2.1), floor (Linux's 200 ms rather than §2.4's
  // 1 s) and ceiling (§2.5: at least 60 s; Linux's 120 s).
  net::Duration initial_rto = net::Duration::Seconds(1);
  net::Duration min_rto = net::Duration::Milliseconds(200);
  net::Duration max_rto = net::Duration::Seconds(120);
  // Retransmissions before giving up with `kTimedOut`. The timeout comes one
  // (backed-off) RTO after the last retransmission: with the defaults a SYN
  // is sent at 0, 1, 3, 7, 15, 31 and 63 s and the connect times out at
  // 127 s, as Linux's tcp_syn_retries = 6; a SYN-ACK is retried 5 times
  // (tcp_synack_retries); data and FIN 15 times (tcp_retries2).
  int syn_retries = 6;
  int synack_retries = 5;
  int data_retries = 15;
  // Duplicate ACKs that trigger a fast retransmit (RFC 5681 §3.2); 0 turns
  // fast retransmit off.
  int dup_ack_threshold = 3;
  // How long the end that closed first lingers in TIME-WAIT, re-acknowledging
  // a retransmitted FIN. RFC 9293 asks for 2 MSL (Linux: 60 s); the default 0
  // skips TIME-WAIT, freeing the 4-tuple at once. Then a lost last ACK makes
  // the peer's FIN retransmission meet `MakeReset`, and the peer, in
  // LAST-ACK, ends with `kClosed` all the same.
  net::Duration time_wait = net::Duration::Zero();
  // IP hop limit (TTL) of every segment sent.
  uint8_t hop_limit = 64;
};

struct Event {
  enum class Type : uint8_t {
    kConnected,   // The handshake completed.
    kData,        // `data` holds the next bytes of the stream, in order.
    kPeerClosed,  // The peer sent FIN after all its data: no more kData.
    // Terminal events: exactly one ends every connection that is not
    // aborted, and none follows it (except that a connection in TIME-WAIT
    // is not yet `IsClosed()`).
    kClosed,    // Both directions closed in order (or `Close` before the
                // handshake completed).
    kReset,     // The peer reset the connection.
    kRefused,   // The peer answered our SYN with RST.
    kTimedOut,  // Retransmissions exhausted (see `Config`).
  };

  Type type;
  std::vector<uint8_t> data;  // kData only.
};

// "connected", "data", "peer-closed", "closed", "reset", "refused",
// "timed-out".
absl::string_view EventTypeName(Event::Type type);

class Connection {
 public:
  // RFC 9293 §3.3.2's states, less LISTEN (the host listens) and with
  // CLOSED standing for "finished".
  enum class State : uint8_t {
    kSynSent,
    kSynReceived,
    kEstablished,
    kFinWait1,
    kFinWait2,
    kClosing,
    kTimeWait,
    kCloseWait,
    kLastAck,
    kClosed,
  };

  // Active open: sends SYN from `local` to `remote` (both TCP) with sequence
  // number `initial_seq` (the simulator draws it from its seeded Random).
  static Connection Connect(const Config& config, net::Time now,
                            const net::TransportAddress& local,
                            const net::TransportAddress& remote,
                            uint32_t initial_seq);

  // Passive open: `syn` arrived on a listening address and
  // `IsConnectionRequest(syn)` holds. Answers SYN-ACK with `initial_seq`;
  // `kConnected` follows the peer's ACK. For any other packet the result is
  // already closed and sends nothing.
  static Connection Accept(const Config& config, net::Time now,
                           const Packet& syn, uint32_t initial_seq);

  Connection(Connection&&) = default;
  Connection& operator=(Connection&&) = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A segment addressed to this connection's 4-tuple arrived.
  void HandleSegment(net::Time now, const Packet& segment);
  // Time passed; acts on every deadline at or before `now`.
  void HandleTimeout(net::Time now);

  // Queues up to `send_buffer_space()` bytes of `data` to send after all
  // written before, and returns how many it took: 0 once `Close` or `Abort`
  // was called or the connection ended. Bytes written before the handshake
  // completes are sent when it does.
  size_t Write(net::Time now, absl::Span<const uint8_t> data);
  // Orderly close of the sending direction: FIN after all queued data. The
  // peer may go on sending (half close). Before the handshake completes
  // (SYN-SENT) it just ends the connection with `kClosed`.
  void Close(net::Time now);
  // Drops all state and sends RST (unless no RST is due: SYN-SENT, or the
  // peer closed already). No event follows; `IsClosed()` at once.
  void Abort();

  std::optional<Packet> PollTransmit();
  std::optional<Event> PollEvent();
  // The next instant `HandleTimeout` must be called; none when no timer runs.
  std::optional<net::Time> NextTimeout() const;

  State state() const { return state_; }
  // Finished: the host may forget the connection once drained.
  bool IsClosed() const { return state_ == State::kClosed; }
  const net::TransportAddress& local() const { return local_; }
  const net::TransportAddress& remote() const { return remote_; }
  // Sequence space sent but not yet acknowledged (data, SYN, FIN).
  uint32_t bytes_in_flight() const { return snd_nxt_ - snd_una_; }
  // Bytes written but never sent yet (`net::TcpStream::queued_bytes`).
  size_t queued_bytes() const;
  // What `Write` would take now.
  size_t send_buffer_space() const;
  // The current retransmission timeout.
  net::Duration rto() const { return rto_.rto(); }

 private:
  Connection(const Config& config, const net::TransportAddress& local,
             const net::TransportAddress& remote, uint32_t initial_seq);

  // Segment processing, by state.
  void ProcessSynSent(net::Time now, const Packet& segment);
  void ProcessSynchronized(net::Time now, const Packet& segment);
  bool IsAcceptable(const Packet& segment) const;
  void ProcessReset();
  // Returns false when the segment must be dropped.
  bool ProcessAck(net::Time now, const Packet& segment);
  void ProcessNewAck(net::Time now, uint32_t ack);
  void ProcessDuplicateAck(net::Time now);
  void UpdateSendWindow(const Packet& segment);
  void ProcessText(net::Time now, const Packet& segment);
  void ProcessFin(net::Time now);
  void OnFinAcked(net::Time now);
  void Establish();
  void EnterTimeWait(net::Time now);
  void EnterClosed(std::optional<Event::Type> event);

  // Sending.
  void Flush(net::Time now);
  void SendNewData(net::Time now);
  void RetransmitFirst();
  void SendSegment(uint8_t flags, uint32_t seq, size_t data_offset,
                   size_t data_length);
  void PushEvent(Event::Type type, std::vector<uint8_t> data = {});
  bool CanSendData() const;

  Config config_;
  net::TransportAddress local_;
  net::TransportAddress remote_;
  State state_ = State::kSynSent;

  // Send side (RFC 9293 §3.3.1 names).
  uint32_t iss_;
  uint32_t snd_una_;
  uint32_t snd_nxt_;
  uint32_t snd_wnd_ = 0;  // The peer's advertised window.
  uint32_t snd_wl1_ = 0;
  uint32_t snd_wl2_ = 0;
  // Data bytes from sequence number `buffer_seq_` on: unacknowledged, then
  // not yet sent.
  std::deque<uint8_t> send_buffer_;
  uint32_t buffer_seq_;
  bool fin_queued_ = false;  // Close() was called.
  bool fin_sent_ = false;    // The FIN has sequence number snd_nxt_ - 1.

  // Receive side.
  uint32_t irs_ = 0;
  uint32_t rcv_nxt_ = 0;
  Reassembly reassembly_;
  std::optional<uint64_t> fin_offset_;  // Stream offset of the peer's FIN.
  bool fin_received_ = false;           // ... and it was consumed in order.
  bool ack_pending_ = false;

  // Retransmission.
  RtoEstimator rto_;
  std::optional<net::Time> rto_deadline_;
  int retries_ = 0;  // Consecutive timeouts without progress.
  bool syn_retransmitted_ = false;
  // Round-trip timing of one segment at a time (Karn: cancelled when
  // anything is retransmitted).
  bool rtt_timing_ = false;
  uint32_t rtt_seq_ = 0;  // Sampled when an ACK reaches this number.
  net::Time rtt_start_;
  // Loss recovery: after a fast retransmit or a timeout, until snd_una
  // reaches `recover_`, each partial ACK retransmits the next segment.
  int dup_acks_ = 0;
  bool in_recovery_ = false;
  uint32_t recover_ = 0;

  std::optional<net::Time> time_wait_deadline_;

  std::deque<Packet> transmits_;
  std::deque<Event> events_;
};

absl::string_view StateName(Connection::State state);

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_CONNECTION_H_
