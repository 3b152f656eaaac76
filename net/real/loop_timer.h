// `LoopTimer`: the real-socket backend's `net::Timer`, armed on an
// `EventLoop`'s timer heap against CLOCK_MONOTONIC.
//
// It keeps net/timer.h's contract: `on_fire` runs on the loop's thread, at or
// after the armed instant, in a batch of the loop, never inside `SetAt` (a
// deadline in the past fires in the next batch); arming replaces the earlier
// arming; after `Cancel()` or destruction nothing fires; a timer that fired is
// no longer armed, and `on_fire` may re-arm it, cancel it or destroy it (its
// captures stay alive until it returns).
#ifndef PINHOLE_NET_REAL_LOOP_TIMER_H_
#define PINHOLE_NET_REAL_LOOP_TIMER_H_

#include <optional>

#include "absl/functional/any_invocable.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/real/timer_heap.h"
#include "net/time.h"
#include "net/timer.h"

namespace pinhole::net::real {

class LoopTimer final : public Timer, private TimerHeap::Node {
 public:
  LoopTimer(EventLoop& loop, absl::AnyInvocable<void()> on_fire);
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;
  ~LoopTimer() override;

  void SetAt(Time deadline) override;
  void Cancel() override;
  std::optional<Time> deadline() const override;

 private:
  void Expire() override;

  EventLoop& loop_;
  absl::AnyInvocable<void()> on_fire_;
  Liveness liveness_;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_LOOP_TIMER_H_
