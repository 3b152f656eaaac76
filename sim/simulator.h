// `Simulator`: the clock and event queue of one deterministic simulation.
//
// Contract:
// - One thread. Events run one at a time, in order of (time, insertion
//   sequence): two events scheduled for the same instant run in the order they
//   were scheduled.
// - The clock starts at `kEpoch` (1000 s, not zero, so that an uninitialised
//   `Time` never passes for a real instant) and moves only when an event runs
//   or a `Run*` call reaches its time limit. It never decreases.
// - Scheduling at an instant before `Now()` clamps to `Now()`: the event runs
//   after every event already queued for `Now()`. (An error would force every
//   caller to handle a case that has one sensible meaning: "as soon as
//   possible".) Scheduling never runs anything inline.
// - `Cancel` is O(1): the queue is a 4-ary min-heap of (time, sequence, slot,
//   generation) and a cancelled event's heap entry is skipped when it surfaces
//   (it no longer matches its slot's generation); stale entries are purged when
//   they outnumber live ones. Schedule and the next event are O(log n); four
//   children per node halve the depth of a binary heap.
// - All randomness comes from `RandomStream(name)`: an independent stream of
//   the seed per stable component name, so adding a component leaves every
//   other component's draws unchanged.
// - The hot path does not allocate once the pools have grown: callbacks are
//   `absl::AnyInvocable` (captures up to two pointers are stored inline) kept
//   in a pool of slots reused through a free list.
#ifndef PINHOLE_SIM_SIMULATOR_H_
#define PINHOLE_SIM_SIMULATOR_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "net/clock.h"
#include "net/deterministic_random.h"
#include "net/time.h"
#include "sim/trace.h"

namespace pinhole::sim {

// Names one scheduled event. Default-constructed ids name nothing; an id stays
// harmless after its event ran or was cancelled (Cancel returns false).
class EventId {
 public:
  constexpr EventId() = default;
  bool valid() const { return value_ != 0; }
  friend bool operator==(EventId a, EventId b) { return a.value_ == b.value_; }
  friend bool operator!=(EventId a, EventId b) { return a.value_ != b.value_; }

 private:
  friend class Simulator;
  explicit constexpr EventId(uint64_t value) : value_(value) {}
  uint64_t value_ = 0;
};

class Simulator final : public net::Clock {
 public:
  using Callback = absl::AnyInvocable<void()>;

  static constexpr net::Time kEpoch =
      net::Time::FromNanosecondsSinceEpoch(1000'000'000'000);
  // The default bound of `Run()`: enough for any sane scenario, small enough
  // that a livelock fails in seconds.
  static constexpr uint64_t kDefaultMaxEvents = 50'000'000;

  explicit Simulator(uint64_t seed);
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  ~Simulator() override;

  net::Time Now() const override { return now_; }
  uint64_t seed() const { return seed_; }

  // Runs `callback` at `at` (clamped to `Now()`, see the file comment).
  EventId Schedule(net::Time at, Callback callback);
  EventId ScheduleIn(net::Duration delay, Callback callback) {
    return Schedule(now_ + delay, std::move(callback));
  }
  // Stops a pending event; false when it already ran, was cancelled, or `id`
  // names nothing.
  bool Cancel(EventId id);
  bool IsPending(EventId id) const;

  // Runs events until `done()` holds (checked first and after every event) and
  // returns true; or, when the next event lies after `limit` (or there is
  // none), moves the clock to `limit` and returns `done()`. After
  // `event_limit()` events in one call it gives up and returns false, leaving
  // the clock at the last event (a livelock at one instant cannot hang it).
  bool RunUntil(absl::FunctionRef<bool()> done, net::Time limit);
  // Runs every event up to and including `Now() + duration`; the clock ends
  // there (unless `event_limit()` stopped it first).
  void RunFor(net::Duration duration);
  // Runs until no event is left. Fails with ResourceExhausted after
  // `max_events` events (a livelock, or a periodic timer that never stops);
  // the clock then stays at the last event run.
  absl::Status Run(uint64_t max_events = kDefaultMaxEvents);

  // The most events one `RunUntil` or `RunFor` call runs.
  uint64_t event_limit() const { return event_limit_; }
  void set_event_limit(uint64_t limit) { event_limit_ = limit; }

  size_t pending_events() const { return heap_.size() - stale_entries_; }
  uint64_t events_run() const { return events_run_; }

  // The stream `name` of this simulation's seed. Components use stable names
  // such as "link/wan/a>b/loss" or "host/alice".
  net::DeterministicRandom RandomStream(absl::string_view name) const {
    return net::DeterministicRandom::Stream(seed_, name);
  }

  // A fresh packet id, unique in this simulation; the first is 1.
  uint64_t NextPacketId() { return ++last_packet_id_; }

  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }

 private:
  struct Entry {
    int64_t time_ns;
    uint64_t sequence;
    uint32_t slot;
    uint32_t generation;
  };
  struct Slot {
    Callback callback;
    uint32_t generation = 1;
    bool pending = false;
  };
  // Without branches: the heap compares entries in an order no branch
  // predictor guesses, so conditional moves beat jumps here.
  static bool Earlier(const Entry& a, const Entry& b) {
    return (a.time_ns < b.time_ns) |
           ((a.time_ns == b.time_ns) & (a.sequence < b.sequence));
  }
  void HeapPush(const Entry& entry);
  void HeapPopTop();

  // Pops stale entries; true when a live event is on top.
  bool PeekLive();
  // Runs the live event on top of the heap. Requires PeekLive().
  void RunTop();
  void PurgeStaleEntries();

  const uint64_t seed_;
  net::Time now_ = kEpoch;
  uint64_t next_sequence_ = 0;
  uint64_t events_run_ = 0;
  uint64_t event_limit_ = kDefaultMaxEvents;
  uint64_t last_packet_id_ = 0;
  std::vector<Entry> heap_;
  size_t stale_entries_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  Trace trace_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_SIMULATOR_H_
