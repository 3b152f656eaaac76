#include "sim/tcp/connection.h"

#include <algorithm>
#include <utility>

#include "sim/tcp/segment.h"
#include "sim/tcp/sequence.h"

namespace pinhole::sim::tcp {
namespace {

using State = Connection::State;

constexpr uint8_t kSyn = TcpHeader::kSyn;
constexpr uint8_t kAck = TcpHeader::kAck;
constexpr uint8_t kFin = TcpHeader::kFin;
constexpr uint8_t kRst = TcpHeader::kRst;
constexpr uint8_t kPsh = TcpHeader::kPsh;

// RFC 6298 §5.7: the RTO once data flows, after a retransmitted SYN.
constexpr net::Duration kRtoAfterSynRetransmit = net::Duration::Seconds(3);

// States in which the peer may still send data (its FIN not yet received).
bool ReceivesData(State state) {
  return state == State::kEstablished || state == State::kFinWait1 ||
         state == State::kFinWait2;
}

}  // namespace

Connection::Connection(const Config& config, const net::TransportAddress& local,
                       const net::TransportAddress& remote,
                       uint32_t initial_seq)
    : config_(config),
      local_(local),
      remote_(remote),
      iss_(initial_seq),
      snd_una_(initial_seq),
      snd_nxt_(initial_seq + 1),
      buffer_seq_(initial_seq + 1),
      reassembly_(std::max<size_t>(config.receive_window, 1)),
      rto_(config.initial_rto, config.min_rto, config.max_rto) {}

Connection Connection::Connect(const Config& config, net::Time now,
                               const net::TransportAddress& local,
                               const net::TransportAddress& remote,
                               uint32_t initial_seq) {
  Connection c(config, local, remote, initial_seq);
  c.state_ = State::kSynSent;
  c.SendSegment(kSyn, c.iss_, 0, 0);
  c.rtt_timing_ = true;
  c.rtt_seq_ = c.snd_nxt_;
  c.rtt_start_ = now;
  c.rto_deadline_ = now + c.rto_.rto();
  return c;
}

Connection Connection::Accept(const Config& config, net::Time now,
                              const Packet& syn, uint32_t initial_seq) {
  Connection c(config, syn.destination, syn.source, initial_seq);
  if (!IsConnectionRequest(syn)) {
    c.state_ = State::kClosed;
    return c;
  }
  c.state_ = State::kSynReceived;
  c.irs_ = syn.tcp.seq;
  c.rcv_nxt_ = syn.tcp.seq + 1;
  c.snd_wnd_ = syn.tcp.window;
  c.snd_wl1_ = syn.tcp.seq;
  c.SendSegment(kSyn | kAck, c.iss_, 0, 0);
  c.rtt_timing_ = true;
  c.rtt_seq_ = c.snd_nxt_;
  c.rtt_start_ = now;
  c.rto_deadline_ = now + c.rto_.rto();
  return c;
}

// --- Inputs.

void Connection::HandleSegment(net::Time now, const Packet& segment) {
  if (!segment.is_tcp()) return;
  switch (state_) {
    case State::kClosed:
      return;
    case State::kSynSent:
      ProcessSynSent(now, segment);
      break;
    default:
      ProcessSynchronized(now, segment);
      break;
  }
  Flush(now);
}

void Connection::HandleTimeout(net::Time now) {
  if (time_wait_deadline_ && now >= *time_wait_deadline_) {
    EnterClosed(std::nullopt);
    return;
  }
  if (!rto_deadline_ || now < *rto_deadline_) return;
  const bool handshaking =
      state_ == State::kSynSent || state_ == State::kSynReceived;
  const int max_retries = state_ == State::kSynSent ? config_.syn_retries
                          : state_ == State::kSynReceived
                              ? config_.synack_retries
                              : config_.data_retries;
  if (retries_ >= max_retries) {
    EnterClosed(Event::Type::kTimedOut);
    return;
  }
  ++retries_;
  if (handshaking) syn_retransmitted_ = true;
  // RFC 6298 §5.4-5.6: retransmit the earliest segment, back off, restart.
  RetransmitFirst();
  rto_.Backoff();
  rto_deadline_ = now + rto_.rto();
  in_recovery_ = true;
  recover_ = snd_nxt_;
  dup_acks_ = 0;
}

size_t Connection::Write(net::Time now, absl::Span<const uint8_t> data) {
  const bool open =
      state_ == State::kSynSent || state_ == State::kSynReceived ||
      state_ == State::kEstablished || state_ == State::kCloseWait;
  if (!open || fin_queued_) return 0;
  const size_t n = std::min(data.size(), send_buffer_space());
  send_buffer_.insert(send_buffer_.end(), data.begin(), data.begin() + n);
  Flush(now);
  return n;
}

void Connection::Close(net::Time now) {
  switch (state_) {
    case State::kSynSent:
      EnterClosed(Event::Type::kClosed);
      return;
    case State::kSynReceived:
      fin_queued_ = true;  // Sent once established.
      break;
    case State::kEstablished:
      fin_queued_ = true;
      state_ = State::kFinWait1;
      break;
    case State::kCloseWait:
      fin_queued_ = true;
      state_ = State::kLastAck;
      break;
    default:
      return;
  }
  Flush(now);
}

void Connection::Abort() {
  switch (state_) {
    case State::kSynReceived:
    case State::kEstablished:
    case State::kFinWait1:
    case State::kFinWait2:
    case State::kCloseWait:
      // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>; ACK too, as Linux does.
      transmits_.clear();
      ack_pending_ = false;
      SendSegment(kRst | kAck, snd_nxt_, 0, 0);
      break;
    default:
      break;
  }
  EnterClosed(std::nullopt);
}

// --- Outputs.

std::optional<Packet> Connection::PollTransmit() {
  if (transmits_.empty()) return std::nullopt;
  Packet p = std::move(transmits_.front());
  transmits_.pop_front();
  return p;
}

std::optional<Event> Connection::PollEvent() {
  if (events_.empty()) return std::nullopt;
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<net::Time> Connection::NextTimeout() const {
  if (rto_deadline_ && time_wait_deadline_) {
    return std::min(*rto_deadline_, *time_wait_deadline_);
  }
  return rto_deadline_ ? rto_deadline_ : time_wait_deadline_;
}

size_t Connection::queued_bytes() const {
  const size_t sent = fin_sent_ ? send_buffer_.size()
                                : static_cast<uint32_t>(snd_nxt_ - buffer_seq_);
  return send_buffer_.size() - std::min(sent, send_buffer_.size());
}

size_t Connection::send_buffer_space() const {
  return config_.send_buffer_size -
         std::min(config_.send_buffer_size, send_buffer_.size());
}

// --- Segment processing.

void Connection::ProcessSynSent(net::Time now, const Packet& segment) {
  const TcpHeader& h = segment.tcp;
  const bool has_ack = h.flags & kAck;
  if (has_ack && (SeqLeq(h.ack, iss_) || SeqGt(h.ack, snd_nxt_))) {
    if (auto reset = MakeReset(segment)) transmits_.push_back(*reset);
    return;
  }
  if (h.flags & kRst) {
    if (has_ack) EnterClosed(Event::Type::kRefused);
    return;
  }
  if (!(h.flags & kSyn)) return;
  irs_ = h.seq;
  rcv_nxt_ = h.seq + 1;
  snd_wnd_ = h.window;
  snd_wl1_ = h.seq;
  snd_wl2_ = h.ack;
  ack_pending_ = true;
  if (has_ack) {  // SYN-ACK: our SYN is acknowledged.
    ProcessNewAck(now, h.ack);
    Establish();
  } else {  // Simultaneous open (RFC 9293 §3.5, figure 7).
    state_ = State::kSynReceived;
    RetransmitFirst();  // Our SYN again, now with ACK.
  }
}

void Connection::ProcessSynchronized(net::Time now, const Packet& segment) {
  const TcpHeader& h = segment.tcp;
  if (state_ == State::kSynReceived && (h.flags & (kSyn | kAck)) == kSyn &&
      h.seq == irs_) {
    RetransmitFirst();  // The peer did not get our SYN-ACK: send it again.
    return;
  }
  if (state_ == State::kSynReceived &&
      (h.flags & (kSyn | kAck)) == (kSyn | kAck) && h.seq == irs_) {
    // Simultaneous open: the peer's SYN-ACK repeats its SYN, already taken;
    // what is new is its ACK of ours.
    Packet ack_only = segment;
    ack_only.tcp.flags &= static_cast<uint8_t>(~kSyn);
    ack_only.tcp.seq += 1;
    ProcessSynchronized(now, ack_only);
    return;
  }
  if (!IsAcceptable(segment)) {
    if (h.flags & kRst) return;
    ack_pending_ = true;  // RFC 9293 §3.10.7.4: re-acknowledge.
    if (state_ == State::kTimeWait && (h.flags & kFin)) {
      time_wait_deadline_ = now + config_.time_wait;
    }
    return;
  }
  if (h.flags & kRst) {
    ProcessReset();
    return;
  }
  if (h.flags & kSyn) {  // RFC 5961 §4: a challenge ACK, nothing more.
    ack_pending_ = true;
    return;
  }
  if (!(h.flags & kAck)) return;
  if (state_ == State::kSynReceived &&
      !(SeqGt(h.ack, snd_una_) && SeqLeq(h.ack, snd_nxt_))) {
    if (auto reset = MakeReset(segment)) transmits_.push_back(*reset);
    return;
  }
  if (!ProcessAck(now, segment)) return;
  if (state_ == State::kSynReceived) Establish();
  if (state_ == State::kClosed) return;
  ProcessText(now, segment);
}

// RFC 9293 §3.10.7.4, first check, with a receive window that is never 0.
bool Connection::IsAcceptable(const Packet& segment) const {
  const uint32_t window = config_.receive_window;
  const uint32_t length = SegmentLength(segment);
  const uint32_t seq = segment.tcp.seq;
  if (length == 0) return SeqInWindow(seq, rcv_nxt_, window);
  return SeqInWindow(seq, rcv_nxt_, window) ||
         SeqInWindow(seq + length - 1, rcv_nxt_, window);
}

void Connection::ProcessReset() {
  switch (state_) {
    case State::kClosing:
    case State::kLastAck:
      // Both FINs were sent; the peer is gone (perhaps without TIME-WAIT).
      EnterClosed(Event::Type::kClosed);
      break;
    case State::kTimeWait:
      EnterClosed(std::nullopt);  // kClosed was reported already.
      break;
    default:
      EnterClosed(Event::Type::kReset);
      break;
  }
}

bool Connection::ProcessAck(net::Time now, const Packet& segment) {
  const uint32_t ack = segment.tcp.ack;
  if (SeqGt(ack, snd_nxt_)) {  // Acknowledges what was never sent.
    ack_pending_ = true;
    return false;
  }
  const bool old = SeqLt(ack, snd_una_);
  const bool duplicate =
      ack == snd_una_ && snd_nxt_ != snd_una_ && segment.payload.empty() &&
      !(segment.tcp.flags & (kSyn | kFin)) && segment.tcp.window == snd_wnd_;
  if (!old) UpdateSendWindow(segment);
  if (SeqGt(ack, snd_una_)) {
    ProcessNewAck(now, ack);
  } else if (duplicate) {
    ProcessDuplicateAck(now);
  }
  return true;
}

void Connection::ProcessNewAck(net::Time now, uint32_t ack) {
  if (rtt_timing_ && SeqGeq(ack, rtt_seq_)) {
    rto_.AddSample(now - rtt_start_);
    rtt_timing_ = false;
  }
  if (SeqGt(ack, buffer_seq_)) {
    const size_t acked = std::min<size_t>(
        static_cast<uint32_t>(ack - buffer_seq_), send_buffer_.size());
    send_buffer_.erase(send_buffer_.begin(), send_buffer_.begin() + acked);
    buffer_seq_ += static_cast<uint32_t>(acked);
  }
  snd_una_ = ack;
  dup_acks_ = 0;
  retries_ = 0;
  if (in_recovery_) {
    if (SeqGeq(ack, recover_)) {
      in_recovery_ = false;
    } else {
      RetransmitFirst();  // A partial ACK: the next hole is lost too.
    }
  }
  // RFC 6298 §5.2-5.3.
  if (snd_una_ == snd_nxt_) {
    rto_deadline_.reset();
  } else {
    rto_deadline_ = now + rto_.rto();
  }
  if (fin_sent_ && snd_una_ == snd_nxt_) OnFinAcked(now);
}

void Connection::ProcessDuplicateAck(net::Time now) {
  ++dup_acks_;
  if (config_.dup_ack_threshold <= 0 || in_recovery_ ||
      dup_acks_ != config_.dup_ack_threshold) {
    return;
  }
  // RFC 5681 §3.2 fast retransmit (no congestion window to halve).
  in_recovery_ = true;
  recover_ = snd_nxt_;
  RetransmitFirst();
  rto_deadline_ = now + rto_.rto();
}

// RFC 9293 §3.10.7.4: take the window only from a segment newer than the one
// it was last taken from.
void Connection::UpdateSendWindow(const Packet& segment) {
  const TcpHeader& h = segment.tcp;
  if (SeqLt(snd_wl1_, h.seq) ||
      (snd_wl1_ == h.seq && SeqLeq(snd_wl2_, h.ack))) {
    snd_wnd_ = h.window;
    snd_wl1_ = h.seq;
    snd_wl2_ = h.ack;
  }
}

void Connection::ProcessText(net::Time now, const Packet& segment) {
  if (!ReceivesData(state_)) return;
  const bool fin = segment.tcp.flags & kFin;
  if (segment.payload.empty() && !fin) return;
  ack_pending_ = true;
  // Offsets in the stream: rcv_nxt_ is reassembly_.next_offset().
  const int64_t start = static_cast<int64_t>(reassembly_.next_offset()) +
                        SeqDiff(segment.tcp.seq, rcv_nxt_);
  const absl::Span<const uint8_t> data(segment.payload);
  const int64_t skip = std::max<int64_t>(0, -start);
  if (skip < static_cast<int64_t>(data.size())) {
    reassembly_.Insert(static_cast<uint64_t>(start + skip),
                       data.subspan(static_cast<size_t>(skip)));
  }
  const int64_t fin_offset = start + static_cast<int64_t>(data.size());
  if (fin && !fin_offset_ && fin_offset >= 0 &&
      static_cast<uint64_t>(fin_offset) <
          reassembly_.next_offset() + config_.receive_window) {
    fin_offset_ = static_cast<uint64_t>(fin_offset);
  }
  std::vector<uint8_t> in_order = reassembly_.TakeInOrder();
  if (fin_offset_ && reassembly_.next_offset() > *fin_offset_) {
    // A peer that sent bytes past its own FIN: keep what precedes the FIN.
    in_order.resize(in_order.size() -
                    (reassembly_.next_offset() - *fin_offset_));
  }
  if (!in_order.empty()) {
    rcv_nxt_ += static_cast<uint32_t>(in_order.size());
    PushEvent(Event::Type::kData, std::move(in_order));
  }
  if (fin_offset_ && !fin_received_ &&
      reassembly_.next_offset() >= *fin_offset_) {
    ProcessFin(now);
  }
}

void Connection::ProcessFin(net::Time now) {
  fin_received_ = true;
  rcv_nxt_ += 1;
  PushEvent(Event::Type::kPeerClosed);
  switch (state_) {
    case State::kEstablished:
      state_ = State::kCloseWait;
      break;
    case State::kFinWait1:
      state_ = State::kClosing;
      break;
    case State::kFinWait2:
      EnterTimeWait(now);
      break;
    default:
      break;
  }
}

void Connection::OnFinAcked(net::Time now) {
  switch (state_) {
    case State::kFinWait1:
      state_ = State::kFinWait2;
      break;
    case State::kClosing:
      EnterTimeWait(now);
      break;
    case State::kLastAck:
      EnterClosed(Event::Type::kClosed);
      break;
    default:
      break;
  }
}

void Connection::Establish() {
  state_ = fin_queued_ ? State::kFinWait1 : State::kEstablished;
  if (syn_retransmitted_ && !rto_.has_sample()) {
    rto_.Set(kRtoAfterSynRetransmit);
  }
  PushEvent(Event::Type::kConnected);
}

void Connection::EnterTimeWait(net::Time now) {
  PushEvent(Event::Type::kClosed);
  rto_deadline_.reset();
  if (config_.time_wait <= net::Duration::Zero()) {
    state_ = State::kClosed;  // The last ACK is still sent (ack_pending_).
    return;
  }
  state_ = State::kTimeWait;
  time_wait_deadline_ = now + config_.time_wait;
}

void Connection::EnterClosed(std::optional<Event::Type> event) {
  state_ = State::kClosed;
  rto_deadline_.reset();
  time_wait_deadline_.reset();
  ack_pending_ = false;
  rtt_timing_ = false;
  send_buffer_.clear();
  if (event) PushEvent(*event);
}

// --- Sending.

void Connection::Flush(net::Time now) {
  SendNewData(now);
  if (ack_pending_) SendSegment(kAck, snd_nxt_, 0, 0);
}

bool Connection::CanSendData() const {
  // CLOSING and LAST-ACK too: Close() queues the FIN behind unsent data, and
  // the peer's FIN may arrive before it goes.
  const bool sending_state =
      state_ == State::kEstablished || state_ == State::kCloseWait ||
      state_ == State::kFinWait1 || state_ == State::kClosing ||
      state_ == State::kLastAck;
  return sending_state && !fin_sent_;
}

void Connection::SendNewData(net::Time now) {
  while (CanSendData()) {
    const size_t sent = static_cast<uint32_t>(snd_nxt_ - buffer_seq_);
    const size_t unsent = send_buffer_.size() - sent;
    const size_t window = std::min<size_t>(config_.send_window, snd_wnd_);
    const size_t in_flight = bytes_in_flight();
    const size_t room = window > in_flight ? window - in_flight : 0;
    const size_t full = std::min(config_.mss, unsent);
    const size_t length = std::min(full, room);
    const bool fin = fin_queued_ && length == unsent;
    if (length == 0 && !fin) return;
    // Sender-side silly-window avoidance (RFC 9293 §3.8.6.2.1): no segment
    // shortened by the window while anything is in flight.
    if (length < full && in_flight > 0) return;
    const uint32_t seq = snd_nxt_;
    const uint8_t flags =
        kAck | (length > 0 && length == unsent ? kPsh : 0) | (fin ? kFin : 0);
    SendSegment(flags, seq, sent, length);
    snd_nxt_ += static_cast<uint32_t>(length) + (fin ? 1 : 0);
    if (fin) fin_sent_ = true;
    if (!rtt_timing_) {
      rtt_timing_ = true;
      rtt_seq_ = snd_nxt_;
      rtt_start_ = now;
    }
    if (!rto_deadline_) rto_deadline_ = now + rto_.rto();  // RFC 6298 §5.1.
  }
}

// Sends the earliest unacknowledged segment again: SYN, SYN-ACK, up to one
// MSS of data (with FIN if the FIN follows it), or the FIN alone.
void Connection::RetransmitFirst() {
  rtt_timing_ = false;  // Karn's rule.
  if (state_ == State::kSynSent) {
    SendSegment(kSyn, iss_, 0, 0);
    return;
  }
  if (state_ == State::kSynReceived) {
    SendSegment(kSyn | kAck, iss_, 0, 0);
    return;
  }
  if (snd_una_ == snd_nxt_) return;
  // Once the SYN is acknowledged and the FIN is not, buffer_seq_ == snd_una_.
  const size_t data_out =
      static_cast<uint32_t>(snd_nxt_ - buffer_seq_) - (fin_sent_ ? 1 : 0);
  const size_t length = std::min(config_.mss, data_out);
  const bool fin = fin_sent_ && length == data_out;
  if (length == 0 && !fin) return;
  const uint8_t push = length > 0 && length == data_out ? kPsh : 0;
  SendSegment(kAck | push | (fin ? kFin : 0), snd_una_, 0, length);
}

void Connection::SendSegment(uint8_t flags, uint32_t seq, size_t data_offset,
                             size_t data_length) {
  Packet p;
  p.source = local_;
  p.destination = remote_;
  p.hop_limit = config_.hop_limit;
  p.tcp.seq = seq;
  p.tcp.flags = flags;
  p.tcp.window = config_.receive_window;
  if (flags & kAck) {
    p.tcp.ack = rcv_nxt_;
    ack_pending_ = false;
  }
  const auto first = send_buffer_.begin() + data_offset;
  p.payload.assign(first, first + data_length);
  transmits_.push_back(std::move(p));
}

void Connection::PushEvent(Event::Type type, std::vector<uint8_t> data) {
  events_.push_back(Event{type, std::move(data)});
}

}  // namespace pinhole::sim::tcp
