#include "sim/link.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pinhole::sim {
namespace {

// ceil(bytes * 8 / bits_per_second) seconds, in nanoseconds. Exact: an IP
// packet has at most 65535 bytes, so the product fits in 64 bits.
net::Duration SerialisationTime(size_t bytes, uint64_t bits_per_second) {
  const uint64_t bit_ns = static_cast<uint64_t>(bytes) * 8 * 1000'000'000;
  return net::Duration::Nanoseconds(
      static_cast<int64_t>((bit_ns + bits_per_second - 1) / bits_per_second));
}

}  // namespace

absl::Status ValidateLinkConfig(const LinkConfig& config) {
  if (config.latency < net::Duration::Zero()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link latency must not be negative, not ", config.latency.ToString()));
  }
  if (config.jitter < net::Duration::Zero()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link jitter must not be negative, not ", config.jitter.ToString()));
  }
  if (config.mtu < 68) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link MTU ", config.mtu, " is below IPv4's minimum of 68 (RFC 791)"));
  }
  return absl::OkStatus();
}

Link::Direction::Direction(Simulator& simulator, const std::string& prefix)
    : loss_random(simulator.RandomStream(prefix + "/loss")),
      jitter_random(simulator.RandomStream(prefix + "/jitter")),
      duplicate_random(simulator.RandomStream(prefix + "/duplicate")),
      busy_until(simulator.Now()),
      last_arrival(simulator.Now()) {}

absl::StatusOr<std::unique_ptr<Link>> Link::Create(Simulator& simulator,
                                                   absl::string_view name,
                                                   const LinkConfig& config) {
  if (absl::Status s = ValidateLinkConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("link \"", name, "\": ", s.message()));
  }
  absl::StatusOr<Trace::NodeId> node = simulator.trace().RegisterNode(name);
  if (!node.ok()) return node.status();
  return std::unique_ptr<Link>(
      new Link(simulator, std::string(name), *node, config));
}

Link::Link(Simulator& simulator, std::string name, Trace::NodeId node,
           const LinkConfig& config)
    : simulator_(simulator),
      name_(std::move(name)),
      node_(node),
      directions_{Direction(simulator, "link/" + name_ + "/a>b"),
                  Direction(simulator, "link/" + name_ + "/b>a")} {
  for (Direction& d : directions_) d.config = config;
}

Link::~Link() {
  for (const InFlight& f : in_flight_) {
    if (f.used) simulator_.Cancel(f.event);
  }
  for (EventId id : up_down_events_) simulator_.Cancel(id);
}

absl::Status Link::Attach(LinkEnd end, PacketSink* sink) {
  if (sinks_[Index(end)] != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "link \"", name_, "\" already has something attached at end ",
        end == LinkEnd::kA ? "A" : "B"));
  }
  sinks_[Index(end)] = sink;
  return absl::OkStatus();
}

absl::Status Link::SetConfig(const LinkConfig& config) {
  if (absl::Status s = SetConfig(LinkEnd::kA, config); !s.ok()) return s;
  return SetConfig(LinkEnd::kB, config);
}

absl::Status Link::SetConfig(LinkEnd from, const LinkConfig& config) {
  if (absl::Status s = ValidateLinkConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("link \"", name_, "\": ", s.message()));
  }
  directions_[Index(from)].config = config;
  return absl::OkStatus();
}

void Link::AddTap(LinkEnd from, TapPoint point, PacketTap tap) {
  Direction& d = directions_[Index(from)];
  (point == TapPoint::kEnter ? d.enter_taps : d.exit_taps)
      .push_back(std::move(tap));
}

void Link::Send(LinkEnd from, Packet packet) {
  Direction& d = directions_[Index(from)];
  if (!d.duplicate_random.Bernoulli(d.config.duplicate)) {
    Admit(from, std::move(packet));
    return;
  }
  Packet copy = packet;
  copy.id = simulator_.NextPacketId();
  const uint64_t original_id = packet.id;
  Admit(from, std::move(packet));
  simulator_.trace().Duplicated(simulator_.Now(), node_, copy, original_id);
  Admit(from, std::move(copy));
}

bool Link::Transmit(Direction& d, const Packet& packet, net::Time& done) {
  const net::Time now = simulator_.Now();
  if (d.config.bandwidth_bps == 0) {
    done = now;
    return true;
  }
  while (!d.queue.empty() && d.queue.front().first <= now) {
    d.queued_bytes -= d.queue.front().second;
    d.queue.pop_front();
  }
  const size_t size = packet.ip_size();
  const net::Time start = std::max(now, d.busy_until);
  if (start > now) {  // It has to wait.
    if (d.queued_bytes + size > d.config.queue_bytes ||
        (d.config.queue_packets != 0 &&
         d.queue.size() >= d.config.queue_packets)) {
      Drop(packet, DropReason::kQueueFull);
      return false;
    }
    d.queue.emplace_back(start, size);
    d.queued_bytes += size;
  }
  done = start + SerialisationTime(size, d.config.bandwidth_bps);
  d.busy_until = done;
  return true;
}

void Link::Admit(LinkEnd from, Packet packet) {
  if (!up_) return Drop(packet, DropReason::kLinkDown);
  Direction& d = directions_[Index(from)];
  if (packet.ip_size() > d.config.mtu) {
    return Drop(packet, DropReason::kMtuExceeded);
  }
  for (PacketTap& tap : d.enter_taps) tap(simulator_.Now(), packet);
  net::Time sent;
  if (!Transmit(d, packet, sent)) return;
  if (d.config.loss.Lose(d.loss_random)) {
    return Drop(packet, DropReason::kLinkLoss);
  }
  net::Time arrival = sent + d.config.latency;
  if (d.config.jitter > net::Duration::Zero()) {
    arrival +=
        d.jitter_random.UniformDuration(net::Duration::Zero(), d.config.jitter);
  }
  if (!d.config.allow_reordering) arrival = std::max(arrival, d.last_arrival);
  d.last_arrival = std::max(arrival, d.last_arrival);

  uint32_t slot;
  if (free_in_flight_.empty()) {
    slot = static_cast<uint32_t>(in_flight_.size());
    in_flight_.emplace_back();
  } else {
    slot = free_in_flight_.back();
    free_in_flight_.pop_back();
  }
  InFlight& f = in_flight_[slot];
  f.packet = std::move(packet);
  f.from = from;
  f.used = true;
  f.event = simulator_.Schedule(arrival, [this, slot] { Arrive(slot); });
}

void Link::Arrive(uint32_t slot) {
  InFlight& f = in_flight_[slot];
  Packet packet = std::move(f.packet);
  const LinkEnd from = f.from;
  f.used = false;
  free_in_flight_.push_back(slot);
  for (PacketTap& tap : directions_[Index(from)].exit_taps) {
    tap(simulator_.Now(), packet);
  }
  PacketSink* sink = sinks_[Index(OtherEnd(from))];
  if (sink == nullptr) return Drop(packet, DropReason::kNoRoute);
  sink->Receive(std::move(packet));
}

void Link::SetUpAt(net::Time at, bool up) {
  up_down_events_.push_back(simulator_.Schedule(at, [this, up] { SetUp(up); }));
}

void Link::SetUp(bool up) {
  if (up == up_) return;
  up_ = up;
  simulator_.trace().Event(simulator_.Now(), node_, up ? "up" : "down");
  if (!up) DropInFlight();
  for (Direction& d : directions_) {
    d.queue.clear();
    d.queued_bytes = 0;
    d.busy_until = simulator_.Now();
    d.last_arrival = simulator_.Now();
  }
}

void Link::DropInFlight() {
  std::vector<uint32_t> doomed;
  for (uint32_t slot = 0; slot < in_flight_.size(); ++slot) {
    if (in_flight_[slot].used) doomed.push_back(slot);
  }
  std::sort(doomed.begin(), doomed.end(), [this](uint32_t a, uint32_t b) {
    return in_flight_[a].packet.id < in_flight_[b].packet.id;
  });
  for (uint32_t slot : doomed) {
    InFlight& f = in_flight_[slot];
    simulator_.Cancel(f.event);
    f.used = false;
    Drop(f.packet, DropReason::kLinkDown);
    f.packet = Packet();
    free_in_flight_.push_back(slot);
  }
}

}  // namespace pinhole::sim
