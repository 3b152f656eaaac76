// `Timer`: a one-shot alarm, re-armable. A driver keeps one per engine and arms
// it at the engine's next deadline after every call into it.
//
// Contract for every implementation:
// - `on_fire` (given when the timer is created) runs on the network's thread,
// at or after the
//   armed instant, and never while a method of the timer is running.
// - Arming replaces any earlier arming; a deadline already in the past fires as
// soon as the
//   network next runs, never inside `SetAt` itself.
// - After `Cancel()` or destruction the callback does not run for any earlier
// arming.
// - A timer that fired is no longer armed; `on_fire` may re-arm it.
#ifndef PINHOLE_NET_TIMER_H_
#define PINHOLE_NET_TIMER_H_

#include <optional>

#include "net/time.h"

namespace pinhole::net {

class Timer {
 public:
  virtual ~Timer() = default;

  virtual void SetAt(Time deadline) = 0;
  virtual void Cancel() = 0;
  // The instant the timer is armed for, or nullopt when it is not armed.
  virtual std::optional<Time> deadline() const = 0;
};

}  // namespace pinhole::net

#endif  // PINHOLE_NET_TIMER_H_
