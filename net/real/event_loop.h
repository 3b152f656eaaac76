// `EventLoop`: one thread's loop over Linux epoll, the engine under
// `RealNetwork`. It waits for file descriptors to become ready and for timers
// to come due, and runs their callbacks one at a time.
//
// Contract:
// - One thread. The loop and everything registered with it belong to the
//   thread that runs it; nothing here is thread-safe.
// - A batch is one wait followed by its dispatch: the ready descriptors
//   (level-triggered, at most `kMaxEventsPerBatch`), then every timer due at
//   the instant the wait ended that was armed before the batch began. A timer
//   armed during a batch, even in the past, fires in a later batch: never
//   inside the call that armed it, and a timer re-arming itself cannot starve
//   the descriptors.
// - Timers run in order of (deadline, arming order), at or after their
//   deadline: the wait sleeps until the earliest deadline with nanosecond
//   precision (epoll_pwait2; on kernels before 5.11, epoll_wait rounds up to
//   the next millisecond).
// - `Stop()` makes the running `Run` or `RunUntil` return as soon as the
//   callback that called it returns; what else was ready stays ready (level
//   triggering) and timers stay armed, for the next run. Outside a run it
//   does nothing. Runs do not nest: calling `Run` or `RunUntil` from a
//   callback aborts the process.
// - `StopOnSignals` turns signals into `Stop()` through a signalfd.
//
// Lifetime: timers (`LoopTimer`) and watched descriptors (`FdWatch`) must be
// gone before the loop. Destroying the loop while any is alive is a
// programming error: the process aborts with a message saying how many are
// left (a dangling socket would otherwise fail far from the cause).
#ifndef PINHOLE_NET_REAL_EVENT_LOOP_H_
#define PINHOLE_NET_REAL_EVENT_LOOP_H_

#include <signal.h>
#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/clock.h"
#include "net/real/monotonic_clock.h"
#include "net/real/scoped_fd.h"
#include "net/real/timer_heap.h"
#include "net/time.h"

namespace pinhole::net::real {

class EventLoop;
class LoopTimer;

// What a watched descriptor calls when it is ready.
class FdHandler {
 public:
  // `events` holds the EPOLLIN, EPOLLOUT, EPOLLERR and EPOLLHUP bits epoll
  // reported. The handler may stop the watch or destroy itself.
  virtual void OnFdEvents(uint32_t events) = 0;

 protected:
  ~FdHandler() = default;
};

// One descriptor registered with a loop; stopping (or destroying) the watch
// unregisters it, and no event of the descriptor is dispatched afterwards,
// even one already collected by the batch in progress. The watch does not own
// the descriptor: stop it before closing the descriptor.
class FdWatch {
 public:
  FdWatch() = default;
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;
  ~FdWatch() { Stop(); }

  // Watches `fd` for `events` (EPOLLIN, EPOLLOUT; errors and hang-ups are
  // always reported). Requires that the watch is not active.
  absl::Status Start(EventLoop& loop, int fd, uint32_t events,
                     FdHandler& handler);
  // Changes the events watched for. Requires an active watch.
  void SetEvents(uint32_t events);
  void Stop();

  bool active() const { return loop_ != nullptr; }
  uint32_t events() const { return events_; }

 private:
  EventLoop* loop_ = nullptr;
  int fd_ = -1;
  uint64_t token_ = 0;
  uint32_t events_ = 0;
};

class EventLoop {
 public:
  // The most ready descriptors one batch dispatches.
  static constexpr int kMaxEventsPerBatch = 128;
  // Size of `receive_buffer()`.
  static constexpr size_t kReceiveBufferSize = size_t{1} << 20;

  // Something the loop keeps alive after its owner let go of it (a TCP
  // connection finishing an orderly close after its stream was destroyed).
  class Adopted {
   public:
    virtual ~Adopted() = default;
  };

  static absl::StatusOr<std::unique_ptr<EventLoop>> Create();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  // CLOCK_MONOTONIC.
  const Clock& clock() const { return clock_; }
  Time Now() const { return clock_.Now(); }

  // Runs batches until `Stop()`.
  void Run();
  // Runs batches until `done()` holds (checked first and after every batch)
  // or the clock reaches `deadline`, and returns `done()`. Nothing is
  // dispatched at or after `deadline`: a timer due then waits for a later
  // run. `Stop()` ends it early too.
  bool RunUntil(absl::FunctionRef<bool()> done, Time deadline);
  // See the file comment.
  void Stop();
  bool running() const { return running_; }

  // Blocks `signals` in the calling thread (call it before starting other
  // threads, which inherit the mask, or the kernel may hand a signal to one
  // of them) and reads them through a signalfd: when one arrives, the run in
  // progress (or the next one) stops, and `stop_signal()` names it. Calls
  // add to the set. SIGKILL, SIGSTOP and numbers that are not signals are
  // InvalidArgument. When the loop is destroyed, the signals this call
  // blocked are unblocked again (one still pending then takes its default
  // action).
  absl::Status StopOnSignals(std::initializer_list<int> signals);
  // The signal that stopped the latest run, if one did.
  std::optional<int> stop_signal() const { return stop_signal_; }

  // --- For this package's sockets.

  // A buffer shared by every socket of this loop for the data a receive call
  // returns. Its content is valid until the next dispatch.
  absl::Span<uint8_t> receive_buffer();

  // The loop owns `object` until `Disown` or the loop's destruction.
  void Adopt(std::unique_ptr<Adopted> object);
  // Destroys an adopted object once the callback in progress returns (it may
  // be the object's own).
  void Disown(Adopted* object);

 private:
  friend class FdWatch;
  friend class LoopTimer;

  struct Slot {
    FdHandler* handler = nullptr;
    uint32_t generation = 0;
  };
  // Reads the signalfd.
  class SignalReader final : public FdHandler {
   public:
    explicit SignalReader(EventLoop& loop) : loop_(loop) {}
    void OnFdEvents(uint32_t events) override;

   private:
    EventLoop& loop_;
  };
  // Marks the loop running for a scope; aborts on nesting.
  class RunScope;

  explicit EventLoop(ScopedFd epoll_fd);

  // Waits at most until `deadline` (when given) and dispatches one batch.
  void RunBatch(std::optional<Time> deadline);
  int Wait(std::optional<Time> deadline, absl::Span<epoll_event> out);
  void Dispatch(const epoll_event& event);
  void FireDueTimers(Time now);

  absl::StatusOr<uint64_t> AddWatch(int fd, uint32_t events,
                                    FdHandler& handler);
  void ModifyWatch(uint64_t token, int fd, uint32_t events);
  void RemoveWatch(uint64_t token, int fd);

  const ScopedFd epoll_fd_;
  const MonotonicClock clock_;
  TimerHeap timers_;
  size_t live_timers_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  bool running_ = false;
  bool stop_requested_ = false;
  bool use_epoll_pwait2_ = true;
  std::optional<int> stop_signal_;
  std::unique_ptr<uint8_t[]> receive_buffer_;
  absl::flat_hash_map<Adopted*, std::unique_ptr<Adopted>> adopted_;
  std::vector<std::unique_ptr<Adopted>> disowned_;
  // Signal handling.
  ScopedFd signal_fd_;
  sigset_t signals_;
  sigset_t unblock_at_exit_;
  SignalReader signal_reader_{*this};
  FdWatch signal_watch_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_EVENT_LOOP_H_
