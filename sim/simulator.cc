#include "sim/simulator.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pinhole::sim {

Simulator::Simulator(uint64_t seed) : seed_(seed) {}

Simulator::~Simulator() = default;

EventId Simulator::Schedule(net::Time at, Callback callback) {
  if (at < now_) at = now_;
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Slot& s = slots_[slot];
  s.callback = std::move(callback);
  s.pending = true;
  HeapPush(
      Entry{at.NanosecondsSinceEpoch(), next_sequence_++, slot, s.generation});
  return EventId(static_cast<uint64_t>(s.generation) << 32 | slot);
}

bool Simulator::IsPending(EventId id) const {
  if (!id.valid()) return false;
  const uint32_t slot = static_cast<uint32_t>(id.value_);
  const uint32_t generation = static_cast<uint32_t>(id.value_ >> 32);
  return slot < slots_.size() && slots_[slot].pending &&
         slots_[slot].generation == generation;
}

bool Simulator::Cancel(EventId id) {
  if (!IsPending(id)) return false;
  const uint32_t slot = static_cast<uint32_t>(id.value_);
  Slot& s = slots_[slot];
  s.pending = false;
  ++s.generation;
  // Destroying the callback may destroy objects that cancel other events:
  // move it out first so the slot is consistent meanwhile.
  Callback doomed = std::move(s.callback);
  free_slots_.push_back(slot);
  ++stale_entries_;
  if (stale_entries_ > 1024 && stale_entries_ * 2 > heap_.size()) {
    PurgeStaleEntries();
  }
  return true;
}

void Simulator::HeapPush(const Entry& entry) {
  size_t i = heap_.size();
  heap_.push_back(entry);
  while (i > 0) {
    const size_t parent = (i - 1) / 4;
    if (!Earlier(entry, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = entry;
}

void Simulator::HeapPopTop() {
  const Entry last = heap_.back();
  heap_.pop_back();
  const size_t n = heap_.size();
  if (n == 0) return;
  size_t i = 0;
  while (true) {
    const size_t first = 4 * i + 1;
    if (first >= n) break;
    size_t best = first;
    if (first + 4 <=
        n) {  // All four children: a fixed, branch-free tournament.
      const size_t a =
          Earlier(heap_[first + 1], heap_[first]) ? first + 1 : first;
      const size_t b =
          Earlier(heap_[first + 3], heap_[first + 2]) ? first + 3 : first + 2;
      best = Earlier(heap_[b], heap_[a]) ? b : a;
    } else {
      for (size_t c = first + 1; c < n; ++c) {
        best = Earlier(heap_[c], heap_[best]) ? c : best;
      }
    }
    if (!Earlier(heap_[best], last)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = last;
}

void Simulator::PurgeStaleEntries() {
  auto stale = [this](const Entry& e) {
    return slots_[e.slot].generation != e.generation;
  };
  heap_.erase(std::remove_if(heap_.begin(), heap_.end(), stale), heap_.end());
  // Sorted is a valid heap: every parent precedes its children.
  std::sort(heap_.begin(), heap_.end(), Earlier);
  stale_entries_ = 0;
}

bool Simulator::PeekLive() {
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    if (slots_[top.slot].generation == top.generation) return true;
    HeapPopTop();
    --stale_entries_;
  }
  return false;
}

void Simulator::RunTop() {
  const Entry top = heap_.front();
  HeapPopTop();
  Slot& s = slots_[top.slot];
  Callback callback = std::move(s.callback);
  s.pending = false;
  ++s.generation;
  free_slots_.push_back(top.slot);
  now_ = net::Time::FromNanosecondsSinceEpoch(top.time_ns);
  ++events_run_;
  callback();
}

bool Simulator::RunUntil(absl::FunctionRef<bool()> done, net::Time limit) {
  for (uint64_t n = 0; !done(); ++n) {
    if (!PeekLive() || heap_.front().time_ns > limit.NanosecondsSinceEpoch()) {
      if (limit > now_) now_ = limit;
      return done();
    }
    if (n == event_limit_) return false;
    RunTop();
  }
  return true;
}

void Simulator::RunFor(net::Duration duration) {
  RunUntil([] { return false; }, now_ + duration);
}

absl::Status Simulator::Run(uint64_t max_events) {
  for (uint64_t n = 0; PeekLive(); ++n) {
    if (n == max_events) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "Simulator::Run: still ", pending_events(), " events pending after ",
          max_events, " events, at ", now_.ToString(),
          " (livelock, or a periodic timer never stopped?)"));
    }
    RunTop();
  }
  return absl::OkStatus();
}

}  // namespace pinhole::sim
