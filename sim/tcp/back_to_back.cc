#include "sim/tcp/back_to_back.h"

#include <utility>

#include "absl/types/span.h"
#include "net/ip_address.h"
#include "sim/tcp/segment.h"

namespace pinhole::sim::tcp {

BackToBack::BackToBack(Options options) : options_(std::move(options)) {
  PerEnd& client = ends_[Index(End::kClient)];
  client.address =
      net::TransportAddress(net::IpAddress::FromV4Value(0xc0000201), 40000,
                            net::TransportProtocol::kTcp);
  client.config = options_.client_config;
  client.iss = options_.client_iss;
  PerEnd& server = ends_[Index(End::kServer)];
  server.address =
      net::TransportAddress(net::IpAddress::FromV4Value(0xc6336401), 443,
                            net::TransportProtocol::kTcp);
  server.config = options_.server_config;
  server.iss = options_.server_iss;
  server.listens = options_.server_listens;
}

void BackToBack::Connect() {
  PerEnd& client = ends_[Index(End::kClient)];
  client.connection.emplace(Connection::Connect(
      client.config, now_, client.address, address(End::kServer), client.iss));
  Drain();
}

void BackToBack::ConnectBoth() {
  for (End end : {End::kClient, End::kServer}) {
    PerEnd& e = ends_[Index(end)];
    e.connection.emplace(Connection::Connect(e.config, now_, e.address,
                                             address(Other(end)), e.iss));
  }
  Drain();
}

Connection* BackToBack::connection(End end) {
  std::optional<Connection>& c = ends_[Index(end)].connection;
  return c ? &*c : nullptr;
}

void BackToBack::WriteFrom(End end, std::vector<uint8_t> bytes,
                           bool close_after) {
  PerEnd& e = ends_[Index(end)];
  e.to_write = std::move(bytes);
  e.written = 0;
  e.close_after_writes = close_after;
  Drain();
}

void BackToBack::CloseAt(End end) {
  if (Connection* c = connection(end)) c->Close(now_);
  Drain();
}

void BackToBack::AbortAt(End end) {
  if (Connection* c = connection(end)) c->Abort();
  Drain();
}

bool BackToBack::RunUntil(const std::function<bool()>& done,
                          net::Duration limit) {
  const net::Time deadline = now_ + limit;
  Drain();
  while (!done()) {
    if (!Step(deadline)) return done();
  }
  return true;
}

void BackToBack::RunFor(net::Duration span) {
  const net::Time deadline = now_ + span;
  while (Step(deadline)) {
  }
  now_ = deadline;
}

std::vector<SentSegment> BackToBack::SentBy(End from) const {
  std::vector<SentSegment> out;
  for (const SentSegment& s : sent_) {
    if (s.from == from) out.push_back(s);
  }
  return out;
}

std::optional<net::Time> BackToBack::FirstEvent(End end,
                                                Event::Type type) const {
  for (const ObservedEvent& e : events(end)) {
    if (e.type == type) return e.time;
  }
  return std::nullopt;
}

bool BackToBack::Step(net::Time limit) {
  Drain();
  std::optional<net::Time> next;
  if (!in_flight_.empty()) next = in_flight_.begin()->first.first;
  for (End end : {End::kClient, End::kServer}) {
    const std::optional<Connection>& c = ends_[Index(end)].connection;
    if (!c) continue;
    if (std::optional<net::Time> t = c->NextTimeout()) {
      if (!next || *t < *next) next = t;
    }
  }
  if (!next || *next > limit) return false;
  if (*next > now_) now_ = *next;
  while (!in_flight_.empty() && in_flight_.begin()->first.first <= now_) {
    const Packet packet = std::move(in_flight_.begin()->second);
    in_flight_.erase(in_flight_.begin());
    Deliver(packet);
    Drain();
  }
  for (End end : {End::kClient, End::kServer}) {
    std::optional<Connection>& c = ends_[Index(end)].connection;
    if (!c) continue;
    if (std::optional<net::Time> t = c->NextTimeout(); t && *t <= now_) {
      c->HandleTimeout(now_);
      Drain();
    }
  }
  return true;
}

void BackToBack::Drain() {
  bool progress = true;
  while (progress) {
    progress = DrainEnd(End::kClient);
    progress = DrainEnd(End::kServer) || progress;
  }
}

bool BackToBack::DrainEnd(End end) {
  PerEnd& e = ends_[Index(end)];
  if (!e.connection) return false;
  Connection& c = *e.connection;
  bool progress = false;
  if (e.written < e.to_write.size()) {
    const size_t n =
        c.Write(now_, absl::MakeConstSpan(e.to_write).subspan(e.written));
    e.written += n;
    progress = n > 0;
  }
  if (e.close_after_writes && !e.closed && e.written == e.to_write.size() &&
      c.state() != Connection::State::kSynSent) {
    e.closed = true;
    c.Close(now_);
    progress = true;
  }
  while (std::optional<Packet> p = c.PollTransmit()) {
    Send(end, std::move(*p));
    progress = true;
  }
  while (std::optional<Event> ev = c.PollEvent()) {
    e.events.push_back(ObservedEvent{now_, ev->type, ev->data.size()});
    e.received.insert(e.received.end(), ev->data.begin(), ev->data.end());
    progress = true;
  }
  return progress;
}

void BackToBack::Send(End from, Packet packet) {
  SentSegment record{now_, from, packet, false};
  record.dropped = drop && drop(record);
  sent_.push_back(record);
  if (record.dropped) return;
  net::Time arrival = now_ + options_.one_way_delay;
  if (extra_delay) arrival += extra_delay(packet);
  const bool twice = duplicate && duplicate(packet);
  if (twice) in_flight_.emplace(std::make_pair(arrival, next_order_++), packet);
  in_flight_.emplace(std::make_pair(arrival, next_order_++), std::move(packet));
}

void BackToBack::Deliver(const Packet& packet) {
  End to;
  if (packet.destination == address(End::kClient)) {
    to = End::kClient;
  } else if (packet.destination == address(End::kServer)) {
    to = End::kServer;
  } else {
    ++misrouted_;
    return;
  }
  PerEnd& e = ends_[Index(to)];
  if (e.connection && !e.connection->IsClosed()) {
    e.connection->HandleSegment(now_, packet);
  } else if (e.listens && IsConnectionRequest(packet)) {
    e.connection.emplace(Connection::Accept(e.config, now_, packet, e.iss));
  } else if (std::optional<Packet> reset = MakeReset(packet)) {
    Send(to, std::move(*reset));
  }
}

}  // namespace pinhole::sim::tcp
